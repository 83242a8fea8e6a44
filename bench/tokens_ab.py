"""What the word-by-word pick (knowledge/tokensim.py) costs in answer latency: on and off, interleaved, in one
process, on one database, so the machine's drift falls on both alike. Medians, never assertions.

    .venv/bin/python bench/tokens_ab.py [--db PATH] [--passages 10000] [--runs 5] [--questions 200]

--db is read from a copy (the questions asked would otherwise reach its unanswered list). Without --db, a
knowledge base of --passages generated passages (bench/run_all.py's generator) is ingested with
its vectors and word states into a temporary file first (about 90 s at 10,000 passages). Each run asks the same
new questions (the question memo cleared, as for questions never asked before) with the pick on, then off
(`w_tokens` 0: the word states are then not read at all), and reports each run's median and the ratio of the
medians of the runs.
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from run_all import questions  # noqa: E402
from scale import ingest  # noqa: E402


def measure(db: Path, runs: int, n: int) -> dict:
    import knowledge.search as search
    from app import build
    from core.settings import Settings

    ted = build(Settings(), str(db), first_use=False)
    ted.answerer.index.refresh()
    qs = questions()[:n]
    for q in qs[:5]:
        ted.asker.ask(q, channel="bench")
    embedder = ted.answerer.index.embedder
    if embedder is None:
        raise SystemExit("The sentence model is not installed here: the word-by-word pick needs it (make install).")
    kept = search.ranking_params
    without = dict(kept()) | {"w_tokens": 0.0}

    def one_run() -> float:
        embedder._queries.clear()
        embedder._query_tokens.clear()
        ms = []
        for q in qs:
            t = time.perf_counter()
            ted.asker.ask(q, channel="bench")
            ms.append((time.perf_counter() - t) * 1000)
        return statistics.median(ms)

    out: dict[str, list[float]] = {"on": [], "off": []}
    try:
        for _ in range(runs):
            search.ranking_params = kept
            out["on"].append(round(one_run(), 1))
            search.ranking_params = lambda: without
            out["off"].append(round(one_run(), 1))
    finally:
        search.ranking_params = kept
    on, off = statistics.median(out["on"]), statistics.median(out["off"])
    return {"passages": ted.answerer.index.size, **out, "median_on": on, "median_off": off, "ratio": round(on / off, 2)}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", help="an existing knowledge base with word states (else one is generated)")
    ap.add_argument("--passages", type=int, default=10_000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--questions", type=int, default=200)
    args = ap.parse_args()
    if args.db:
        if not Path(args.db).exists():
            print(f"There is no database at {args.db}: give the path of one, or leave out --db to generate one.")
            return 2
        with tempfile.TemporaryDirectory() as d:
            # A copy: the questions asked would otherwise fill that database's unanswered list.
            copy = Path(d) / "copy.db"
            with sqlite3.connect(args.db) as src, sqlite3.connect(copy) as dst:
                src.backup(dst)
            got = measure(copy, args.runs, args.questions)
    else:
        with tempfile.TemporaryDirectory() as d:
            db = Path(d) / f"kb-{args.passages}.db"
            print(f"ingesting {args.passages} generated passages with vectors: {ingest(db, args.passages, True)}")
            got = measure(db, args.runs, args.questions)
    print(
        f"{got['passages']} passages, answer p50 per run (ms): pick on {got['on']}, off {got['off']}; "
        f"medians {got['median_on']} / {got['median_off']} ms, ratio {got['ratio']}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
