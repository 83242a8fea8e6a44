"""Fit the ranking weights and the confidence models on TRAINING questions only, and write them to ranking.json.

    .venv/bin/python bench/tune.py [--write]

Training data (never the held-out sets eval/*_v2_holdout.jsonl, eval/*_v3_holdout.jsonl,
eval/conversations_*holdout.jsonl, eval/teach_rewordings_A.jsonl; eval/tdc_holdout.jsonl, the first version's
holdout, has been training data since the weights were first fitted on it):
- council policy (enriched): eval/tdc_dev.jsonl + eval/tdc_holdout.jsonl + eval/train/tdc_train3.jsonl and the
  out-of-scope eval/train/tdc_oos_fit.jsonl + eval/train/tdc_oos_check.jsonl (COUNCIL_TRAINING);
- documents nobody enriched: eval/tts_handbook.jsonl + eval/train/tts_oos_train.jsonl + eval/train/tts_train2.jsonl
  over corpora/tts-handbook (HANDBOOK_TRAINING),
  and the council training questions over the policy's own text ingested plain (corpora/tdc-social-media-policy.txt);
- cross-negatives: each document's questions asked of a knowledge base holding only the other one are out of
  scope by construction.
Weights are grid-searched for top-1 on both kinds of document at once; then a logistic confidence model is fitted
per kind ("enriched", "plain") on features of the ranking (knowledge/calibration.py), and its threshold chosen
to maximise right answers + honest fallbacks - 2 x confident wrong answers.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app import build  # noqa: E402
from core.settings import Settings  # noqa: E402
from handlers.ask.intent import is_smalltalk, wants_to_report  # noqa: E402
from knowledge import calibration, tokensim  # noqa: E402
from knowledge.evaluate import norm, read_questions  # noqa: E402
from knowledge.ingest import find_files, parse_file  # noqa: E402
from knowledge.search import fused, ranking_params  # noqa: E402
from knowledge.store import save_documents  # noqa: E402

# The training questions (never a held-out set): what the weights and the confidence models are fitted on.
COUNCIL_TRAINING = (
    "tdc_dev.jsonl",
    "tdc_holdout.jsonl",
    "train/tdc_train3.jsonl",
    "train/tdc_oos_fit.jsonl",
    "train/tdc_oos_check.jsonl",
)
HANDBOOK_TRAINING = ("tts_handbook.jsonl", "train/tts_oos_train.jsonl", "train/tts_train2.jsonl")

WEIGHTS = ("w_coverage", "w_qsim", "w_bm25", "w_nb", "w_semantic", "w_tokens")
RANKING = ROOT / "knowledge" / "data" / "ranking.json"


def council(semantic: bool = True):
    return build(Settings(semantic=semantic), ":memory:")


def plain(path: Path, semantic: bool = True):
    """A knowledge base of documents ingested as they are, nobody's enrichment in sight."""
    ted = build(Settings(semantic=semantic), ":memory:", first_use=False)
    files = [p for p in find_files([path]) if p.name != "SOURCE.md"]  # where the corpus came from, not a policy
    save_documents(ted.db, [parse_file(p) for p in files], embedder=ted.answerer.index.embedder)
    return ted


def handbook(semantic: bool = True):
    return plain(ROOT / "corpora" / "tts-handbook", semantic)


def questions(*names: str) -> list[dict]:
    out = []
    for n in names:
        out += [
            q
            for q in read_questions(ROOT / "eval" / n)
            if q["kind"] in ("policy", "out_of_scope")
            and not is_smalltalk(q["question"])
            and not wants_to_report(q["question"])
        ]
    return out


def collect(ted, qs: list[dict], as_oos: bool = False) -> list[tuple[bool, list]]:
    """For each question: (in scope?, [(hit, right?)]) over every candidate, so weights can be re-scored offline."""
    ted.answerer.index.measure_tokens = True
    rows = []
    for q in qs:
        _, hits = ted.answerer.index.search(q["question"], limit=1000)
        exp = [norm(e) for e in q.get("expect", [])]
        in_scope = q["kind"] == "policy" and not as_oos
        rows.append((in_scope, [(h, in_scope and any(e in norm(h.text) for e in exp)) for h in hits]))
    return rows


def rescore(h, w: dict) -> float:
    return float(fused(w, h.coverage, h.qsim, h.bm25, h.nb, h.sem, h.enriched))


def rescored(cands, w: dict) -> tuple[np.ndarray, np.ndarray]:
    """Every candidate's score as search.py computes it, before and after the token re-ordering of the best
    (collect's limit gives every candidate its token closeness, so any weights can be emulated)."""
    base = np.array([rescore(h, w) for h, _ in cands])
    tok = np.array([h.tok for h, _ in cands])
    return base, tokensim.rerank(base, tok, tok != 0, w.get("w_tokens", 0.0))


def ranked(rows, w):
    """Per question: (in scope?, the five best hits as the confidence model judges them, which is in their order
    before the token re-ordering, with those scores; whether each of the five shown, in search.py's order (the
    re-ordering picks the first), is right)."""
    out = []
    for in_scope, cands in rows:
        base, scores = rescored(cands, w) if cands else (np.zeros(0), np.zeros(0))
        shown = tokensim.order(base, scores, 5) if len(scores) else np.zeros(0, dtype=int)
        judged = np.argsort(-base, kind="stable")[:5]
        hits = [type(cands[i][0])(**{**cands[i][0].__dict__, "score": float(base[i]), "base": None}) for i in judged]
        out.append((in_scope, hits, [cands[i][1] for i in shown]))
    return out


def top1(rows, w) -> float:
    pol = [(s, c) for s, c in rows if s]
    return sum(c[int(np.argmax(rescored(c, w)[1]))][1] for _, c in pol if c) / max(len(pol), 1)


# What a wrong answer costs against a right one. The council policy's target is answer precision >= 95 %, so a
# confident wrong answer there costs two right ones; for documents nobody enriched the targets (top-1 >= 65 %,
# out of scope -> fallback >= 85 %) ask TED to answer more often, so a wrong answer costs one.
WRONG_COST = {"enriched": 2, "plain": 1}


def fit_kind(data, wrong_cost: int, names=calibration.FEATURES) -> dict:
    feats = [(calibration.features(hits), int(in_scope and right[0])) for in_scope, hits, right in data if hits]
    model = calibration.fit(feats, names, l2=1.0)
    best = None
    for t in [x / 100 for x in range(5, 96)]:
        gain = 0
        for (f, label), (in_scope, *_) in zip(feats, [d for d in data if d[1]], strict=True):
            z = model["bias"] + sum(model["weights"][k] * f[k] for k in model["weights"])
            answered = calibration.logistic(z) >= t
            if answered:
                gain += 1 if label else -wrong_cost
            else:
                gain += 0 if in_scope else 1
        if best is None or gain > best[0]:  # ties keep the lower threshold: answer when it costs nothing
            best = (gain, t)
    model["threshold"] = best[1]
    model["_gain"] = best[0]  # what the threshold achieves (choose_token_weight compares it); not written
    return model


def answers(model: dict, hits) -> bool:
    """Whether this confidence model answers on these hits (else TED falls back)."""
    f = calibration.features(hits)
    z = model["bias"] + sum(model["weights"][k] * f[k] for k in model["weights"])
    return calibration.logistic(z) >= model["threshold"]


def report(name: str, data, model) -> None:
    answered = right = wrong = fell = oos = pol = 0
    for in_scope, hits, ok in data:
        if not hits:
            fell += not in_scope
            continue
        yes = answers(model, hits)
        pol += in_scope
        oos += not in_scope
        if yes:
            answered += 1
            right += bool(in_scope and ok[0])
            wrong += not (in_scope and ok[0])
        elif not in_scope:
            fell += 1
    print(
        f"  {name}: answered {answered}, right {right}, wrong {wrong} (precision {right / max(answered, 1):.1%}); "
        f"top-1 {right}/{pol}; out of scope fell back {fell}/{oos}" + ("" if "[" in name else "  [TRAINING figures]")
    )


def gain(data, model: dict, wrong_cost: int) -> int:
    """Right answers plus honest fallbacks less wrong_cost x wrong answers, with this confidence model."""
    total = 0
    for in_scope, hits, ok in data:
        if not hits:
            total += not in_scope
            continue
        if answers(model, hits):
            total += 1 if in_scope and ok[0] else -wrong_cost
        else:
            total += not in_scope
    return total


def choose_token_weight(w: dict, plain_rows, grid, model: dict | None = None) -> dict:
    """The token re-ordering's weight (knowledge.tokensim, documents nobody enriched): top-1 on the training
    questions is flat across it (within a question or two from 0.2 up), so it is chosen by what the confidence
    model achieves on top of it, right answers plus honest fallbacks less wrong answers: `model` (the one kept,
    with --token-weight-only), else one fitted for each weight."""
    gains = {}
    for x in grid:
        data = ranked(plain_rows, w | {"w_tokens": x})
        gains[x] = gain(data, model, WRONG_COST["plain"]) if model else fit_kind(data, WRONG_COST["plain"])["_gain"]
    best = max(gains, key=lambda x: (gains[x], -x))  # ties keep the smaller weight
    print("token weight: " + ", ".join(f"{x}: gain {g}" for x, g in gains.items()) + f" -> {best}")
    return w | {"w_tokens": best}


def grid_search(grid: dict, enriched_rows, plain_rows) -> dict:
    best = None
    for combo in itertools.product(*grid.values()):
        w = dict(zip(grid, combo, strict=True))
        a, b = top1(enriched_rows, w), top1(plain_rows, w)
        if best is None or a + b > best[0]:
            best = (a + b, w, a, b)
    _, w, a, b = best
    print(f"weights {w}: training top-1 council {a:.1%}, handbook {b:.1%}")
    return w


def validate(checks: dict[str, list], w: dict, models: dict) -> None:
    """The third of the training questions left out of the fit (--validate), judged by what was fitted."""
    print("validation (a third of the training questions, left out of this fit):")
    for semantic in (True, False):
        c, h = council(semantic), handbook(semantic)
        weights = w if semantic else w | {"w_semantic": 0.0, "w_tokens": 0.0}
        for kind, ted, qs in (("enriched", c, checks["council"]), ("plain", h, checks["handbook"])):
            name = kind if semantic else f"lexical_{kind}"
            report(name + " [validation]", ranked(collect(ted, qs), weights), models[name])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--write", action="store_true", help="write the fitted parameters to ranking.json")
    ap.add_argument(
        "--lexical-only",
        action="store_true",
        help="keep the weights and the semantic models in ranking.json; fit only the lexical confidence models",
    )
    ap.add_argument(
        "--keep-weights",
        action="store_true",
        help="keep the ranking weights but the token weight; fit it and the confidence models",
    )
    ap.add_argument(
        "--token-weight-only",
        action="store_true",
        help="keep every weight and model in ranking.json; choose only the token weight (w_tokens), by the kept "
        "plain model",
    )
    ap.add_argument(
        "--validate",
        action="store_true",
        help="fit on two thirds of the training questions and report on the other third",
    )
    args = ap.parse_args()
    if args.validate and (args.write or args.lexical_only):
        ap.error(
            "--validate fits on two thirds of the questions to measure the rest: not with --write or --lexical-only"
        )
    if args.token_weight_only and (args.keep_weights or args.lexical_only or args.validate):
        ap.error("--token-weight-only keeps everything else already")
    if args.keep_weights and args.lexical_only:
        ap.error("--lexical-only already keeps the weights (and the semantic models)")
    tdc = questions(*COUNCIL_TRAINING)
    tts = questions(*HANDBOOK_TRAINING)
    checks: dict[str, list] = {}
    if args.validate:
        checks = {"council": tdc[::3], "handbook": tts[::3]}
        tdc = [q for i, q in enumerate(tdc) if i % 3]
        tts = [q for i, q in enumerate(tts) if i % 3]
    enriched_rows: list = []
    plain_rows: list = []
    if not args.lexical_only:
        c, h = council(), handbook()
        enriched_rows = collect(c, tdc) + collect(c, [q for q in tts if q["kind"] == "policy"][:40], as_oos=True)
        plain_rows = collect(h, tts) + collect(h, [q for q in tdc if q["kind"] == "policy"][:40], as_oos=True)
        # The council policy's own text, ingested plain, is a second unenriched document with labelled questions.
        plain_rows += collect(plain(ROOT / "corpora" / "tdc-social-media-policy.txt"), tdc)
    params = ranking_params()
    token_grid = [0.0, 0.2, 0.35, 0.5, 0.65, 0.8, 1.2]
    if args.token_weight_only:
        w = choose_token_weight(
            {k: params.get(k, 0.0) for k in WEIGHTS}, plain_rows, token_grid, params["calibration"]["plain"]
        )
        if args.write:
            raw = json.loads(RANKING.read_text("utf-8"))
            raw["w_tokens"] = w["w_tokens"]
            RANKING.write_text(json.dumps(raw, indent=2) + "\n", "utf-8")
            print(f"wrote w_tokens to {RANKING.relative_to(ROOT)}")
        return
    grid = {
        "w_coverage": [0.05, 0.1, 0.2, 0.3],
        "w_qsim": [0.0, 0.05, 0.1, 0.2],
        "w_bm25": [0.0, 0.05, 0.1, 0.2],
        "w_nb": [0.0, 0.05, 0.1],
        "w_semantic": [0.0, 0.4, 0.6, 0.8, 1.0],
    }
    # The token re-ordering (knowledge.tokensim) is fitted second, on the weights the first search (or
    # ranking.json, with --keep-weights) gives the other signals.
    if args.lexical_only:
        w = {k: params[k] for k in WEIGHTS}
        models = dict(params.get("calibration", {}))
        print(f"weights and semantic models kept from ranking.json: {w}")
    else:
        if args.keep_weights:
            w = {k: params.get(k, 0.0) for k in WEIGHTS}
            print(f"weights kept from ranking.json: {w}")
        else:
            w = grid_search(grid | {"w_tokens": [0.0]}, enriched_rows, plain_rows)
        w = choose_token_weight(w, plain_rows, token_grid)
        models = {}
        for name, rows in (("enriched", enriched_rows), ("plain", plain_rows)):
            data = ranked(rows, w)
            models[name] = fit_kind(data, WRONG_COST[name])
            report(name, data, models[name])
    # With the semantic signal off (TED_SEMANTIC=0, or no model installed) the same weights rank without it, and a
    # model of its own per kind judges the confidence on the lexical features alone.
    c, h = council(False), handbook(False)
    lexical_rows = {
        "enriched": collect(c, tdc) + collect(c, [q for q in tts if q["kind"] == "policy"][:40], as_oos=True),
        "plain": collect(h, tts)
        + collect(h, [q for q in tdc if q["kind"] == "policy"][:40], as_oos=True)
        + collect(plain(ROOT / "corpora" / "tdc-social-media-policy.txt", False), tdc),
    }
    for kind, rows in lexical_rows.items():
        data = ranked(rows, w | {"w_semantic": 0.0, "w_tokens": 0.0})
        name = f"lexical_{kind}"
        models[name] = fit_kind(data, WRONG_COST[kind], calibration.LEXICAL_FEATURES)
        report(name, data, models[name])
    print(json.dumps(models, indent=2))
    if checks:
        validate(checks, w, models)
    if args.write:
        raw = json.loads(RANKING.read_text("utf-8"))
        raw.update(w)
        for m in models.values():
            m.pop("_gain", None)
        raw["calibration"] = models  # with --lexical-only, the semantic models as they were
        raw["_about"] = (
            "Ranking weights and confidence models fitted by bench/tune.py on TRAINING questions only: "
            f"{', '.join('eval/' + f for f in COUNCIL_TRAINING + HANDBOOK_TRAINING)} (and cross-document "
            "negatives). The held-out sets (*_v2_holdout, *_v3_holdout) are never used here. "
            "calibration.lexical_*: the models used when the semantic signal is off; "
            "confidence_* / off_topic_penalty / min_confidence: the first version's curve, used only when "
            "a model is missing."
        )
        RANKING.write_text(json.dumps(raw, indent=2) + "\n", "utf-8")
        print(f"wrote {RANKING.relative_to(ROOT)}")
    del params


if __name__ == "__main__":
    main()
