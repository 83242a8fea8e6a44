"""Scale: answer latency at 60, 10,000 and 100,000 passages beside a raw FTS5 query on the same passages, start-up
(`ted ask`, start to first answer), memory after 1,000 questions, the index loaded versus built, and ingest with
vectors and its progress bars. Medians and ratios, never assertions (shared, noisy machines).

    .venv/bin/python bench/scale.py [--sizes 60,10000,100000] [--questions 200] [--ingest-vectors 10000]

Generated knowledge bases recombine the council policy's own words into numbered clauses (bench/run_all.py's
generator). Each size is ingested once (the index segments are stored by the ingest, as `ted ingest` stores them);
then every measurement runs in a fresh process of its own, so its memory is its own and its start is a real start.

The 10,000-passage knowledge base is ingested with its vectors really encoded (`--ingest-vectors`, timed, with the
progress bars `ted ingest` shows on a terminal), and the semantic figures at 10k are measured on it. At 100,000
passages the semantic signal is not measured (its target is at 10k; encoding 100k passages would take hours here).
The accuracy figures come from bench/eval_all.py, not from here.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from run_all import generated_markdown, pct, questions  # noqa: E402

RSS_QUESTIONS = 1000


def rss_mb(field: str) -> float:
    """This process's resident memory now (VmRSS) or at its peak (VmHWM), from /proc: getrusage's maxrss would
    count the parent's memory before the exec too."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return round(int(line.split()[1]) / 1024, 1)
    return float("nan")


def summary(ms: list[float]) -> dict:
    return {"p50_ms": round(statistics.median(ms), 3), "p99_ms": round(pct(ms, 99), 3), "n": len(ms)}


def timed(fn, items) -> list[float]:
    out = []
    for x in items:
        t = time.perf_counter()
        fn(x)
        out.append((time.perf_counter() - t) * 1000)
    return out


def raw_fts(db, qs: list[str]) -> list[float]:
    """The floor to compare with: one FTS5 bm25 query of the question's words, nothing else."""

    def one(q):
        words = [w for w in "".join(c if c.isalnum() else " " for c in q.lower()).split() if len(w) > 2]
        if words:
            match = " OR ".join(f'"{w}"' for w in words[:32])
            db.execute(
                "select rowid from clauses_fts where clauses_fts match ? order by bm25(clauses_fts) limit 100", [match]
            ).fetchall()

    return timed(one, qs)


# -- one measurement, in a process of its own ---------------------------------------------------------
def child(db_path: str, semantic: bool, n_questions: int) -> dict:
    from app import build
    from core.settings import Settings

    t = time.perf_counter()
    ted = build(Settings(semantic=semantic), db_path, first_use=False)
    ted.answerer.index.refresh()
    load_s = time.perf_counter() - t
    qs = questions()[:n_questions]
    for q in qs[:5]:
        ted.asker.ask(q, channel="bench")
    embedder = ted.answerer.index.embedder
    if embedder is not None:
        embedder._queries.clear()  # every question encoded afresh, as a new question would be
    ms = timed(lambda q: ted.asker.ask(q, channel="bench"), qs)
    fts = raw_fts(ted.db, qs)
    i = 0
    while len(qs) and i < RSS_QUESTIONS - len(qs) - 5:
        ted.asker.ask(qs[i % len(qs)], channel="bench")
        i += 1
    return {
        "passages": ted.answerer.index.size,
        "answer": summary(ms),
        "raw_fts5": summary(fts),
        "ratio_p50": round(statistics.median(ms) / max(statistics.median(fts), 1e-6), 2),
        "rss_mb_after_1000_questions": rss_mb("VmRSS"),
        "peak_rss_mb": rss_mb("VmHWM"),
        "index_load_s": round(load_s, 3),
        "semantic": bool(ted.answerer.semantic),
    }


def run_child(db: Path, semantic: bool, n: int) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--child", str(db), "--semantic", "1" if semantic else "0", "--questions", str(n)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def ted_ask_start(db: Path, semantic: bool, runs: int = 3) -> float:
    """`ted ask` from the shell to its first answer, median of *runs* (the process starts, loads, answers)."""
    env = {**os.environ, "TED_SEMANTIC": "1" if semantic else "0", "TED_LOG_LEVEL": "WARNING"}
    ted_bin = Path(sys.executable).parent / "ted"
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run(
            [str(ted_bin), "ask", "--db", str(db), "can I post about work on my own facebook?"],
            capture_output=True,
            check=True,
            env=env,
        )
        times.append(time.perf_counter() - t)
    return round(statistics.median(times), 3)


def index_build_s(db: Path) -> dict:
    """What the stored index saves: building every segment from the clauses again, beside loading them."""
    from core import db as dbmod
    from knowledge import postings

    conn = dbmod.connect(db)
    current = postings.stamps(conn)
    t = time.perf_counter()
    segs = [postings.build_document(conn, d, s) for d, (s, _) in current.items()]
    built = time.perf_counter() - t
    t = time.perf_counter()
    postings.load_segments(conn, {d: s for d, (s, _) in current.items()})
    loaded = time.perf_counter() - t
    t = time.perf_counter()
    postings.Snapshot(segs, postings.topics_of(conn, segs))
    merged = time.perf_counter() - t
    return {"build_s": round(built, 2), "load_s": round(loaded, 3), "merge_s": round(merged, 3)}


class Bars:
    """Progress bars as `ted ingest` draws them (tqdm on stderr), with what they were told kept for the record."""

    def __init__(self) -> None:
        self.seen: dict[str, int] = {}

    def __call__(self, desc: str, total: int):
        from tqdm import tqdm

        bars = self

        class Bar(tqdm):
            def update(self, n=1):
                bars.seen[desc] = bars.seen.get(desc, 0) + n
                return super().update(n)

        return Bar(total=total, desc=desc, unit="passage", file=sys.stderr, mininterval=5)


def ingest(db: Path, size: int, vectors: bool) -> dict:
    from app import build
    from core.settings import Settings
    from knowledge.ingest import parse_file
    from knowledge.store import save_documents

    md = db.parent / f"generated-{size}.md"
    generated_markdown(md, size)
    ted = build(Settings(semantic=vectors), str(db), first_use=False)
    bars = Bars()
    t = time.perf_counter()
    doc = parse_file(md)
    save_documents(ted.db, [doc], embedder=ted.answerer.index.embedder if vectors else None, progress=bars)
    s = time.perf_counter() - t
    ted.db.conn.close()
    return {"passages": len(doc.clauses), "seconds": round(s, 1), "vectors": vectors, "progress": bars.seen}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="60,10000,100000")
    ap.add_argument("--questions", type=int, default=200)
    ap.add_argument("--ingest-vectors", type=int, default=10000, help="passages ingested with real vectors (0: none)")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--semantic", default="0", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.semantic == "1", args.questions)))
        return 0
    out: dict = {}
    with tempfile.TemporaryDirectory() as d:
        for size in [int(s) for s in args.sizes.split(",")]:
            db = Path(d) / f"kb-{size}.db"
            with_vectors = size == args.ingest_vectors
            if size == 60:  # the council policy itself, bundled (its vectors ship with TED)
                from app import build
                from core.settings import Settings

                build(Settings(), str(db)).db.conn.close()
            else:
                got = ingest(db, size, with_vectors)
                out[f"ingest {size}"] = got
                print(f"ingest {size} passages{' with vectors' if with_vectors else ''}: {got['seconds']} s {got}")
            for semantic in (False, True):
                if semantic and size > 10_000:
                    continue
                if semantic and size != 60 and not with_vectors:
                    continue
                label = f"{size} passages, semantic {'on' if semantic else 'off'}"
                row = run_child(db, semantic, args.questions)
                row["ted_ask_start_s"] = ted_ask_start(db, semantic)
                out[label] = row
                print(
                    f"{label:30} answer p50 {row['answer']['p50_ms']:6.2f} ms p99 {row['answer']['p99_ms']:6.2f} ms | "
                    f"raw FTS5 p50 {row['raw_fts5']['p50_ms']:6.2f} ms (x{row['ratio_p50']}) | "
                    f"RSS {row['rss_mb_after_1000_questions']} MB | load {row['index_load_s']} s | "
                    f"ted ask {row['ted_ask_start_s']} s"
                )
            if size != 60:
                out[f"index {size}"] = index_build_s(db)
                print(f"index {size}: {out[f'index {size}']}")
    (ROOT / "bench" / "scale.json").write_text(json.dumps(out, indent=2) + "\n", "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
