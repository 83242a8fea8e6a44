"""Score every question set by the shared rule, with answer precision and confident wrong answers.

    .venv/bin/python bench/eval_all.py [--lexical] [--json]

Sets: the council policy (bundled, enriched) with eval/tdc_dev.jsonl, eval/tdc_holdout.jsonl and
eval/train/tdc_train3.jsonl (TRAINING: bench/tune.py fits on them) and eval/tdc_v2_holdout.jsonl,
eval/tdc_v3_holdout.jsonl, eval/tdc_v4_holdout.jsonl (held out); the TTS handbook ingested as-is with
eval/tts_handbook.jsonl, eval/train/tts_oos_train.jsonl, eval/train/tts_train2.jsonl (TRAINING) and
eval/tts_v2_holdout.jsonl, eval/tts_v3_holdout.jsonl, eval/tts_v4_holdout.jsonl (held out). --lexical turns the
semantic signal off (TED_SEMANTIC=0). --train scores the training sets only (what to look at while developing;
the held-out figures are for measuring).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app import build  # noqa: E402
from core.settings import Settings  # noqa: E402
from knowledge.evaluate import read_questions, score  # noqa: E402
from knowledge.ingest import find_files, parse_file  # noqa: E402
from knowledge.store import save_documents  # noqa: E402

TRAIN_SETS = {
    "council": ["tdc_dev.jsonl", "tdc_holdout.jsonl", "train/tdc_train3.jsonl"],
    "handbook": ["tts_handbook.jsonl", "train/tts_oos_train.jsonl", "train/tts_train2.jsonl"],
}
HELD_OUT = {
    "council": ["tdc_v2_holdout.jsonl", "tdc_v3_holdout.jsonl", "tdc_v4_holdout.jsonl"],
    "handbook": ["tts_v2_holdout.jsonl", "tts_v3_holdout.jsonl", "tts_v4_holdout.jsonl"],
}
SETS = {kb: TRAIN_SETS[kb] + HELD_OUT[kb] for kb in TRAIN_SETS}


def knowledge_base(name: str, settings: Settings):
    if name == "council":
        return build(settings, ":memory:")
    ted = build(settings, ":memory:", first_use=False)
    files = [p for p in find_files([ROOT / "corpora" / "tts-handbook"]) if p.name != "SOURCE.md"]
    save_documents(ted.db, [parse_file(p) for p in files], embedder=ted.answerer.index.embedder)
    return ted


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--lexical", action="store_true")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--train", action="store_true", help="the training sets only")
    args = ap.parse_args()
    settings = Settings(semantic=not args.lexical)
    out = {}
    for kb, files in (TRAIN_SETS if args.train else SETS).items():
        ted = knowledge_base(kb, settings)
        for f in files:
            s = score(read_questions(ROOT / "eval" / f), lambda q: ted.asker.ask(q, channel="eval").to_json())
            out[f] = s.summary() | {"answers": s.answers}
            if not args.json:
                print(f"{f}: " + s.line())
    if args.json:
        print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
