"""Scale: answer latency at 60, 10,000 and 100,000 passages beside a raw FTS5 query on the same passages,
start-up, memory, and ingest with vectors. Medians and ratios, never assertions (shared, noisy machines).

    .venv/bin/python bench/scale.py [--sizes 60,10000,100000] [--questions N]

Generated knowledge bases recombine the council policy's own words into numbered clauses (bench/run_all.py's
generator). Their passage vectors are random unit vectors: encoding 100,000 passages would take the better part
of an hour here, and the cost of the semantic signal at question time (a matrix product over the vectors) does
not depend on what the vectors hold. The accuracy figures come from bench/eval_all.py, not from here.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from run_all import generated_markdown, pct, questions  # noqa: E402

from app import build  # noqa: E402
from core.db import transaction  # noqa: E402
from core.settings import Settings  # noqa: E402
from knowledge.ingest import find_files, parse_file  # noqa: E402
from knowledge.semantic import to_blob  # noqa: E402
from knowledge.store import save_documents  # noqa: E402
from knowledge.vectors import MODEL  # noqa: E402


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(fn, items) -> list[float]:
    out = []
    for x in items:
        t = time.perf_counter()
        fn(x)
        out.append((time.perf_counter() - t) * 1000)
    return out


def summary(ms: list[float]) -> dict:
    return {"p50_ms": round(statistics.median(ms), 3), "p99_ms": round(pct(ms, 99), 3), "n": len(ms)}


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


def random_vectors(db, seed: int = 3) -> None:
    rng = np.random.default_rng(seed)
    rows = db.execute("select rowid, doc_id from clauses").fetchall()
    with transaction(db) as conn:
        conn.execute("delete from clause_vectors")
        vecs = rng.standard_normal((len(rows), 384)).astype(np.float32)
        vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
        conn.executemany(
            "insert into clause_vectors (clause_rowid, doc_id, field, model, vector) values (?, ?, 'passage', ?, ?)",
            [(r, d, MODEL, to_blob(v)) for (r, d), v in zip(rows, vecs, strict=True)],
        )
    db.execute("update kb_meta set value = value + 1 where key = 'revision'")


def measure(ted, qs, label: str) -> dict:
    embedder = ted.answerer.index.embedder
    for q in qs[:5]:
        ted.asker.ask(q, channel="bench")
    if embedder is not None:
        embedder._queries.clear()  # every question encoded afresh, as a new question would be
    ms = timed(lambda q: ted.asker.ask(q, channel="bench"), qs)
    fts = raw_fts(ted.db, qs)
    row = {
        "answer": summary(ms),
        "raw_fts5": summary(fts),
        "ratio_p50": round(statistics.median(ms) / max(statistics.median(fts), 1e-6), 1),
        "peak_rss_mb": round(rss_mb(), 1),
    }
    print(
        f"{label:34} answer p50 {row['answer']['p50_ms']:7.2f} ms  p99 {row['answer']['p99_ms']:7.2f} ms   "
        f"raw FTS5 p50 {row['raw_fts5']['p50_ms']:6.2f} ms  (x{row['ratio_p50']})  peak RSS {row['peak_rss_mb']} MB"
    )
    return row


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="60,10000,100000")
    ap.add_argument("--questions", type=int, default=200)
    args = ap.parse_args()
    qs = questions()[: args.questions]
    out: dict = {}
    for size in [int(s) for s in args.sizes.split(",")]:
        for semantic in (True, False):
            label = f"{size} passages, semantic {'on' if semantic else 'off'}"
            if size == 60:
                ted = build(Settings(semantic=semantic), ":memory:")
                out[label] = measure(ted, qs, label)
                continue
            if semantic and size > 10_000:
                continue  # the semantic target is at 10k; see the docstring
            with tempfile.TemporaryDirectory() as d:
                md = Path(d) / "generated.md"
                generated_markdown(md, size)
                ted = build(Settings(semantic=semantic), str(Path(d) / "big.db"), first_use=False)
                t = time.perf_counter()
                save_documents(ted.db, [parse_file(md)])  # vectors below, random
                ingest_s = time.perf_counter() - t
                if semantic:
                    random_vectors(ted.db)
                t = time.perf_counter()
                ted.answerer.index.refresh()
                build_s = time.perf_counter() - t
                timing = {"ingest_s": round(ingest_s, 2), "index_build_s": round(build_s, 2)}
                out[label] = measure(ted, qs, label) | timing
                print(f"{'':34} ingest {ingest_s:.1f} s (no vectors), index build {build_s:.1f} s")
                ted.db.conn.close()
    # Ingesting a real document nobody enriched, vectors included (the model encodes every passage).
    ted = build(Settings(), ":memory:", first_use=False)
    files = [p for p in find_files([ROOT / "corpora" / "tts-handbook"]) if p.name != "SOURCE.md"]
    t = time.perf_counter()
    docs = [parse_file(p) for p in files]
    save_documents(ted.db, docs, embedder=ted.answerer.index.embedder)
    s = time.perf_counter() - t
    n = sum(len(d.clauses) for d in docs)
    out["handbook_ingest_with_vectors"] = {"passages": n, "seconds": round(s, 2)}
    print(f"handbook ingest with vectors: {n} passages in {s:.1f} s")
    (ROOT / "bench" / "scale.json").write_text(json.dumps(out, indent=2) + "\n", "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
