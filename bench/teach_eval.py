"""What teaching from real traffic buys: teach TED the misses of half a held-out set, then measure.

    .venv/bin/python bench/teach_eval.py [--json] [-v]

eval/tdc_v2_holdout.jsonl (held out: nothing was tuned on it, and nothing is tuned here) is split by id parity:
A = odd ids, B = even ids. Both are scored by the shared rule (knowledge.evaluate.score) on the bundled council
policy. Then the misses of A are taught the way the communications team would from /admin/knowledge:

- a policy question whose top-1 was wrong, or that fell back -> a taught phrasing of the clause that contains
  its first expected fragment (knowledge.teach.teach);
- an out-of-scope question answered with a citation -> "not covered" for the cited document
  (knowledge.teach.not_covered).

Then A is scored again (the taught questions themselves should now be right, at least 98 %), with
eval/teach_rewordings_A.jsonl (light rewordings of A's taught questions, written by hand: does teaching reach
beyond the exact string?) and B (generalisation to questions nobody taught; out-of-scope on B must not get
worse). Prints before -> after for each.

`--train` runs the same protocol on TRAINING sets only, the analogue to develop against (the held-out run is
for measuring, not for tuning): the council policy with eval/tdc_dev.jsonl + eval/tdc_holdout.jsonl, and the
TTS handbook ingested as-is (no example questions) with eval/tts_handbook.jsonl +
eval/train/tts_oos_train.jsonl, each split by id parity, with the rewordings of their taught questions in
eval/train/teach_rewordings_train.jsonl and eval/train/teach_rewordings_train2.jsonl (field "kb" says which
knowledge base; each written before the tuning that used it).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app import build  # noqa: E402
from bench.eval_all import knowledge_base  # noqa: E402
from core.settings import Settings  # noqa: E402
from knowledge import teach  # noqa: E402
from knowledge.evaluate import norm, read_questions, score  # noqa: E402

HOLDOUT = ROOT / "eval" / "tdc_v2_holdout.jsonl"
REWORDINGS = ROOT / "eval" / "teach_rewordings_A.jsonl"
TRAIN_REWORDINGS = [
    ROOT / "eval" / "train" / f
    for f in ("teach_rewordings_train.jsonl", "teach_rewordings_train2.jsonl", "teach_rewordings_train3.jsonl")
]
ACTOR = "bench/teach_eval.py"
# (knowledge base, its training question files), one run each (see --train)
TRAIN_SETS = (
    ("council", ["tdc_dev.jsonl", "tdc_holdout.jsonl"]),
    ("handbook", ["tts_handbook.jsonl", "train/tts_oos_train.jsonl"]),
    ("council", ["train/tdc_train3.jsonl"]),
    ("handbook", ["train/tts_train2.jsonl"]),
)


def halves(rows: list[dict]) -> tuple[list[dict], list[dict]]:
    number = lambda r: int(re.sub(r"\D", "", r["id"]))  # noqa: E731
    return [r for r in rows if number(r) % 2 == 1], [r for r in rows if number(r) % 2 == 0]


def run(ted, rows: list[dict]):
    answers: dict[str, dict] = {}

    def ask(q: str) -> dict:
        answers[q] = ted.asker.ask(q, channel="eval").to_json()
        return answers[q]

    return score(rows, ask), answers


def clause_for(ted, fragment: str) -> tuple[str, str] | None:
    """The live clause whose text contains the expected fragment (by the scoring rule's folding)."""
    want = norm(fragment)
    for doc, number, text in ted.db.execute("select doc_id, number, text from clauses order by rowid"):
        if want in norm(text):
            return doc, number
    return None


def misses(rows: list[dict], answers: dict[str, dict], s) -> list[dict]:
    failed = {f["id"] for f in s.failures}
    out = []
    for r in rows:
        a = answers[r["question"]]
        if r["kind"] == "policy" and r["id"] in failed:
            out.append({**r, "teach": "clause"})
        elif r["kind"] == "out_of_scope" and a["intent"] == "policy" and a["citations"]:
            out.append({**r, "teach": "not_covered", "doc": a["citations"][0]["doc"]})
    return out


def teach_misses(ted, todo: list[dict]) -> list[dict]:
    emb, done = ted.answerer.index.embedder, []
    for r in todo:
        if r["teach"] == "clause":
            found = clause_for(ted, r["expect"][0])
            if found is None:
                print(f"  (no live clause contains the expected text of {r['id']}; not taught)", file=sys.stderr)
                continue
            teach.teach(ted.db, found[1], r["question"], ACTOR, found[0], source="bench", embedder=emb)
            done.append({**r, "clause": found[1]})
        else:
            teach.not_covered(ted.db, r["question"], ACTOR, r["doc"], source="bench", embedder=emb)
            done.append(r)
    return done


def line(s) -> str:
    parts = []
    for kind, row in s.summary().items():
        if kind == "policy":
            parts.append(f"policy top-1 {row['passed']}/{row['total']} ({row['top1']:.1%})")
        elif kind == "out_of_scope":
            parts.append(f"out of scope {row['passed']}/{row['total']} ({row['rate']:.1%})")
    parts.append(f"precision {s.answered_right}/{s.answered} ({s.precision:.1%})")
    return ", ".join(parts)


def protocol(ted, a_rows: list[dict], b_rows: list[dict], reworded: list[dict]) -> tuple[dict, dict, list[dict]]:
    """Score A, the rewordings and B; teach A's misses; score them again. (before, after, what was taught)."""
    sets = (("A", a_rows), ("rewordings", reworded), ("B", b_rows))
    before = {name: run(ted, rows) for name, rows in sets}
    a_score, a_answers = before["A"]
    taught = teach_misses(ted, misses(a_rows, a_answers, a_score))
    after = {name: run(ted, rows) for name, rows in sets}
    return before, after, taught


def report_of(a_rows, b_rows, reworded, before, after, taught) -> dict:
    ids = {r["id"] for r in taught}
    right = len(ids - {f["id"] for f in after["A"][0].failures})
    return {
        "split": {"A": len(a_rows), "B": len(b_rows), "rewordings": len(reworded)},
        "taught": {
            "phrasings": sum(r["teach"] == "clause" for r in taught),
            "not_covered": sum(r["teach"] == "not_covered" for r in taught),
            "right_after": right,
            "total": len(ids),
            "rate": round(right / len(ids), 4) if ids else 1.0,
        },
        **{
            name: {
                "before": before[name][0].summary() | {"answers": before[name][0].answers},
                "after": after[name][0].summary() | {"answers": after[name][0].answers},
            }
            for name in before
        },
    }


def show(title: str, report: dict, before, after, taught, verbose: bool) -> None:
    t, sp = report["taught"], report["split"]
    print(
        f"{title} split by id parity: A (odd) {sp['A']}, B (even) {sp['B']}; "
        f"rewordings of A's taught questions: {sp['rewordings']}"
    )
    print(
        f"taught from A's misses: {t['phrasings']} phrasings, {t['not_covered']} not covered; "
        f"taught questions right afterwards: {t['right_after']}/{t['total']} ({t['rate']:.1%})"
    )
    for name in before:
        print(f"{name:11} before: {line(before[name][0])}")
        print(f"{'':11} after:  {line(after[name][0])}")
    oos = [report["B"][w].get("out_of_scope", {}).get("passed", 0) for w in ("before", "after")]
    print(f"B out of scope: {oos[0]} -> {oos[1]} ({'not worse' if oos[1] >= oos[0] else 'WORSE'})")
    for name in before:
        was = {f["id"] for f in before[name][0].failures}
        now = {f["id"]: f for f in after[name][0].failures}
        fixed, broke = sorted(was - set(now)), sorted(set(now) - was)
        if fixed or broke:
            print(f"{name}: now right {', '.join(fixed) or '—'}; now wrong {', '.join(broke) or '—'}")
        for i in broke if verbose else ():
            f = now[i]
            print(f"  now wrong {i} [{f['kind']}] got {f['intent']} {f['got']} conf={f['confidence']}: {f['question']}")
    if verbose:
        for r in taught:
            print(
                f"  taught {r['id']} [{r['teach']}{' ' + r.get('clause', '') if r['teach'] == 'clause' else ''}]: "
                f"{r['question']}"
            )
        for name in after:
            for f in after[name][0].failures:
                print(f"  still failing {name} {f['id']} [{f['kind']}] got {f['intent']} {f['got']}: {f['question']}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--json", action="store_true")
    ap.add_argument("-v", "--verbose", action="store_true", help="list what was taught and what still fails")
    ap.add_argument("--train", action="store_true", help="the same protocol on the training sets (for development)")
    args = ap.parse_args()
    if args.train:
        runs = []
        extra = [r for f in TRAIN_REWORDINGS if f.exists() for r in read_questions(f)]
        for kb, files in TRAIN_SETS:
            rows = [r for f in files for r in read_questions(ROOT / "eval" / f)]
            ids = {r["id"] for r in rows}
            runs.append(
                (
                    f"training {kb} ({' + '.join(files)})",
                    knowledge_base(kb, Settings()),
                    rows,
                    [r for r in extra if r.get("kb") == kb and r.get("of") in ids],
                )
            )
    else:
        rows = read_questions(HOLDOUT)
        reworded = read_questions(REWORDINGS) if REWORDINGS.exists() else []
        runs = [("tdc_v2_holdout", build(Settings(), ":memory:"), rows, reworded)]
    out = {}
    for title, ted, rows, reworded in runs:
        a_rows, b_rows = halves(rows)
        before, after, taught = protocol(ted, a_rows, b_rows, reworded)
        report = report_of(a_rows, b_rows, reworded, before, after, taught)
        out[title] = report
        if not args.json:
            show(title, report, before, after, taught, args.verbose)
    if args.json:
        print(json.dumps(out if args.train else out[runs[0][0]], indent=2))


if __name__ == "__main__":
    main()
