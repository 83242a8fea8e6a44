"""Fit the smalltalk thresholds and the report model of handlers/ask/examples.py on TRAINING questions only.

    .venv/bin/python bench/tune_intents.py [--write]

Training only: the positives are each example in intents.json scored against the *other* examples (leave one
out), the smalltalk and report questions of eval/tdc_dev.jsonl and eval/tdc_holdout.jsonl and the report
requests of eval/train/report_intent_fit.jsonl; the negatives are those sets' policy and out-of-scope questions
(report_intent_fit's are policy questions that mention abuse and posts), eval/train/tdc_oos_fit.jsonl, the
handbook training questions (eval/tts_handbook.jsonl, eval/train/tts_oos_train.jsonl) and the bundled "not
covered" examples. The check halves (eval/train/*_check.jsonl) are never read here: they tell whether the fit
carries over.

Smalltalk: a threshold pair is scored as positives caught - 3 x negatives taken, since a policy question
answered with "hello!" is worse than a missed greeting; the margin is kept above zero (closer to a smalltalk
example than to every clause). Report: a logistic model over examples.REPORT_FEATURES, its threshold chosen
the same way (a policy question answered with "shall I open the report form?" costs three caught reports).
What the regex guards catch counts as caught whatever the thresholds.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from app import build  # noqa: E402
from core.settings import Settings  # noqa: E402
from handlers.ask.examples import REPORT_FEATURES, IntentScores, report_features, top_mean  # noqa: E402
from handlers.ask.intent import is_smalltalk, report_cues, reportable, wants_to_report  # noqa: E402
from knowledge import calibration  # noqa: E402
from knowledge.evaluate import read_questions  # noqa: E402

NEG_COST = 3  # a policy question taken for smalltalk or a report costs three caught ones
INTENTS = ROOT / "handlers" / "ask" / "intents.json"
TRAIN = ("tdc_dev.jsonl", "tdc_holdout.jsonl", "train/report_intent_fit.jsonl", "train/tdc_oos_fit.jsonl")
OTHER_DOCUMENT = ("tts_handbook.jsonl", "train/tts_oos_train.jsonl")


def knowledge_sim(ted, text: str) -> float:
    _, _, hits = ted.answerer.answer(text)
    return max((h.sem for h in hits), default=0.0)


def leave_one_out(ted) -> list:
    intents = ted.asker.intents
    out = []
    for kind, own in (("smalltalk", intents._small), ("report", intents._report)):
        other = intents._report if kind == "smalltalk" else intents._small
        texts = intents.data[kind]
        sims = own @ own.T
        np.fill_diagonal(sims, -1.0)
        for i, text in enumerate(texts):
            kb = knowledge_sim(ted, text)
            rest = np.delete(sims[i], i)
            best_own, best_other = float(rest.max()), float((other @ own[i]).max())
            if kind == "smalltalk":
                s = IntentScores(best_own, best_other, kb, top_mean(other @ own[i]), report_cues(text))
            else:
                s = IntentScores(best_other, best_own, kb, top_mean(rest), report_cues(text))
            out.append((kind, s, is_smalltalk(text), wants_to_report(text), False, reportable(text)))
    return out


def training_rows(ted) -> list:
    qs = [q for n in TRAIN for q in read_questions(ROOT / "eval" / n)]
    qs += [
        {"question": q["question"], "kind": "out_of_scope"}
        for n in OTHER_DOCUMENT
        for q in read_questions(ROOT / "eval" / n)
    ]
    qs += [{"question": r[0], "kind": "out_of_scope"} for r in ted.db.execute("select question from not_covered")]
    rows = []
    for q in qs:
        s = ted.asker.intents.scores(q["question"], knowledge_sim(ted, q["question"]))
        text = q["question"]
        rows.append((q["kind"], s, is_smalltalk(text), wants_to_report(text), True, reportable(text)))
    return rows + leave_one_out(ted)


def fit_smalltalk(rows) -> tuple[float, float]:
    best = None
    for t, m in itertools.product([x / 100 for x in range(40, 96, 2)], [x / 100 for x in range(2, 41, 2)]):
        gain = 0
        for kind, s, small, *_ in rows:
            caught = small or (s.smalltalk >= t and s.smalltalk - s.knowledge >= m)
            gain += (1 if caught else 0) if kind == "smalltalk" else (-NEG_COST if caught and not small else 0)
        if best is None or gain > best[0]:
            best = (gain, t, m)
    pos = sum(r[0] == "smalltalk" for r in rows)
    print(f"smalltalk: threshold {best[1]}, margin {best[2]} (training gain {best[0]} of {pos} positives)")
    return best[1], best[2]


def fit_report(rows) -> dict:
    feats = [(report_features(s), int(kind == "report")) for kind, s, *_ in rows]
    model = calibration.fit(feats, REPORT_FEATURES, l2=1.0)
    probs = [
        calibration.logistic(model["bias"] + sum(model["weights"][k] * f[k] for k in REPORT_FEATURES)) for f, _ in feats
    ]
    gains = {}
    for t in [x / 100 for x in range(20, 100)]:
        gain = 0
        for (kind, _, _, guard, asked, takes), p in zip(rows, probs, strict=True):
            if not asked:  # the examples themselves only shape the model: the threshold is for questions
                continue
            caught = guard or (takes and p >= t)
            gain += (1 if caught else 0) if kind == "report" else (-NEG_COST if caught and not guard else 0)
        gains[t] = gain
    # Every threshold on the best plateau scores the same on training questions; the middle of it leaves the most
    # room on both sides for questions never seen (the policy questions just below it, the reports just above).
    top = max(gains.values())
    plateau = [t for t, g in gains.items() if g == top]
    best = (top, round((plateau[0] + plateau[-1]) / 2, 2))
    model["threshold"] = best[1]
    pos = sum(r[0] == "report" and r[4] for r in rows)
    taken = sum(
        1
        for (kind, _, _, g, asked, takes), p in zip(rows, probs, strict=True)
        if asked and kind != "report" and not g and takes and p >= best[1]
    )
    print(f"report model: {model} (training gain {best[0]} of {pos} positives; {taken} negatives taken)")
    return model


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--write", action="store_true")
    args = ap.parse_args()
    ted = build(Settings(), ":memory:")
    rows = training_rows(ted)
    small, small_margin = fit_smalltalk(rows)
    model = fit_report(rows)
    if args.write:
        data = json.loads(INTENTS.read_text("utf-8"))
        data["thresholds"] = {**data.get("thresholds", {}), "smalltalk": small, "smalltalk_margin": small_margin}
        data["report_model"] = model
        INTENTS.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", "utf-8")
        print(f"wrote {INTENTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
