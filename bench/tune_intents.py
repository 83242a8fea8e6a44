"""Fit the smalltalk and report thresholds of handlers/ask/examples.py on TRAINING questions only.

    .venv/bin/python bench/tune_intents.py [--write]

Training only: the positives are each example in intents.json scored against the *other* examples (leave one
out) plus the smalltalk and report questions of eval/tdc_dev.jsonl and eval/tdc_holdout.jsonl; the negatives are
those sets' policy and out-of-scope questions, the handbook training questions (eval/tts_handbook.jsonl) and the
bundled "not covered" examples. A threshold pair is scored as positives caught - 3 x negatives taken, since a
policy question answered with "shall I open the report form?" or "hello!" is worse than a missed greeting.
What the regex guards catch counts as caught whatever the thresholds. The margin is kept above zero: a
message must be closer to an intent example than to every clause.
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
from handlers.ask.examples import IntentScores  # noqa: E402
from handlers.ask.intent import is_smalltalk, wants_to_report  # noqa: E402
from knowledge.evaluate import read_questions  # noqa: E402

NEG_COST = 3  # a policy question taken for smalltalk or a report costs three caught ones
INTENTS = ROOT / "handlers" / "ask" / "intents.json"


def leave_one_out(ted) -> list:
    intents = ted.asker.intents
    out = []
    for kind, own in (("smalltalk", intents._small), ("report", intents._report)):
        other = intents._report if kind == "smalltalk" else intents._small
        texts = intents.data[kind]
        sims = own @ own.T
        np.fill_diagonal(sims, -1.0)
        for i, text in enumerate(texts):
            _, _, hits = ted.answerer.answer(text)
            kb = max((h.sem for h in hits), default=0.0)
            best_own, best_other = float(sims[i].max()), float((other @ own[i]).max())
            pair = (best_own, best_other) if kind == "smalltalk" else (best_other, best_own)
            s = IntentScores(*pair, kb)
            out.append((kind, s, is_smalltalk(text), wants_to_report(text)))
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--write", action="store_true")
    args = ap.parse_args()
    ted = build(Settings(), ":memory:")
    qs = read_questions(ROOT / "eval" / "tdc_dev.jsonl") + read_questions(ROOT / "eval" / "tdc_holdout.jsonl")
    handbook = read_questions(ROOT / "eval" / "tts_handbook.jsonl")
    qs += [{"question": q["question"], "kind": "out_of_scope"} for q in handbook]
    qs += [{"question": r[0], "kind": "out_of_scope"} for r in ted.db.execute("select question from not_covered")]
    rows = []
    for q in qs:
        _, _, hits = ted.answerer.answer(q["question"])
        s = ted.asker.intents.scores(q["question"], max((h.sem for h in hits), default=0.0))
        rows.append((q["kind"], s, is_smalltalk(q["question"]), wants_to_report(q["question"])))
    rows += leave_one_out(ted)
    found = {}
    for kind, attr, guard in (("smalltalk", "smalltalk", 2), ("report", "report", 3)):
        best = None
        for t, m in itertools.product([x / 100 for x in range(40, 96, 2)], [x / 100 for x in range(2, 41, 2)]):
            gain = 0
            for row in rows:
                caught = row[guard] or (getattr(row[1], attr) >= t and getattr(row[1], attr) - row[1].knowledge >= m)
                gain += (1 if caught else 0) if row[0] == kind else (-NEG_COST if caught and not row[guard] else 0)
            if best is None or gain > best[0]:
                best = (gain, t, m)
        pos = sum(r[0] == kind for r in rows)
        print(f"{kind}: threshold {best[1]}, margin {best[2]} (training gain {best[0]} of {pos} positives)")
        found[kind], found[f"{kind}_margin"] = best[1], best[2]
    if args.write:
        data = json.loads(INTENTS.read_text("utf-8"))
        data["thresholds"] = found
        INTENTS.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", "utf-8")
        print(f"wrote {INTENTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
