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
from core.settings import Settings  # noqa: E402
from knowledge import teach  # noqa: E402
from knowledge.evaluate import norm, read_questions, score  # noqa: E402

HOLDOUT = ROOT / "eval" / "tdc_v2_holdout.jsonl"
REWORDINGS = ROOT / "eval" / "teach_rewordings_A.jsonl"
ACTOR = "bench/teach_eval.py"


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


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--json", action="store_true")
    ap.add_argument("-v", "--verbose", action="store_true", help="list what was taught and what still fails")
    args = ap.parse_args()
    a_rows, b_rows = halves(read_questions(HOLDOUT))
    reworded = read_questions(REWORDINGS) if REWORDINGS.exists() else []
    ted = build(Settings(), ":memory:")
    before = {name: run(ted, rows) for name, rows in (("A", a_rows), ("rewordings", reworded), ("B", b_rows))}
    a_score, a_answers = before["A"]
    taught = teach_misses(ted, misses(a_rows, a_answers, a_score))
    after = {name: run(ted, rows) for name, rows in (("A", a_rows), ("rewordings", reworded), ("B", b_rows))}
    ids = {r["id"] for r in taught}
    still = {f["id"] for f in after["A"][0].failures}
    right = len(ids - still)
    report = {
        "split": {"A": len(a_rows), "B": len(b_rows), "rewordings": len(reworded)},
        "taught": {
            "phrasings": sum(r["teach"] == "clause" for r in taught),
            "not_covered": sum(r["teach"] == "not_covered" for r in taught),
            "right_after": right,
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
    if args.json:
        print(json.dumps(report, indent=2))
        return
    t = report["taught"]
    print(
        f"tdc_v2_holdout split by id parity: A (odd) {len(a_rows)}, B (even) {len(b_rows)}; "
        f"rewordings of A's taught questions: {len(reworded)}"
    )
    print(
        f"taught from A's misses: {t['phrasings']} phrasings, {t['not_covered']} not covered; "
        f"taught questions right afterwards: {right}/{len(ids)} ({t['rate']:.1%})"
    )
    for name in before:
        print(f"{name:11} before: {line(before[name][0])}")
        print(f"{'':11} after:  {line(after[name][0])}")
    oos = [report["B"][w]["out_of_scope"]["passed"] for w in ("before", "after")]
    print(f"B out of scope: {oos[0]} -> {oos[1]} ({'not worse' if oos[1] >= oos[0] else 'WORSE'})")
    for name in before:
        was = {f["id"] for f in before[name][0].failures}
        now = {f["id"]: f for f in after[name][0].failures}
        fixed, broke = sorted(was - set(now)), sorted(set(now) - was)
        if fixed or broke:
            print(f"{name}: now right {', '.join(fixed) or '—'}; now wrong {', '.join(broke) or '—'}")
        for i in broke if args.verbose else ():
            f = now[i]
            print(f"  now wrong {i} [{f['kind']}] got {f['intent']} {f['got']} conf={f['confidence']}: {f['question']}")
    if args.verbose:
        for r in taught:
            print(
                f"  taught {r['id']} [{r['teach']}{' ' + r.get('clause', '') if r['teach'] == 'clause' else ''}]: "
                f"{r['question']}"
            )
        for name in after:
            for f in after[name][0].failures:
                print(f"  still failing {name} {f['id']} [{f['kind']}] got {f['intent']} {f['got']}: {f['question']}")


if __name__ == "__main__":
    main()
