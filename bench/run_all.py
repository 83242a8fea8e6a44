"""TED benchmarks: answer latency, ingest speed and start-up time, reported as medians.

Run with `make bench`. Machines here are shared and noisy, so these are measurements to
report, never assertions. Writes bench/results.json as well as printing a table.
"""

from __future__ import annotations

import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app import build  # noqa: E402
from core.settings import Settings  # noqa: E402
from knowledge.ingest import parse_file  # noqa: E402
from knowledge.store import save_documents  # noqa: E402


def questions() -> list[str]:
    out = []
    for f in [ROOT / "eval" / "tdc_holdout.jsonl", ROOT / "eval" / "tdc_dev.jsonl"]:
        if f.exists():
            out += [json.loads(line)["question"] for line in f.read_text("utf-8").splitlines() if line.strip()]
    return out


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


def latency(ted, qs: list[str], rounds: int) -> dict:
    for q in qs[:10]:
        ted.asker.ask(q, channel="bench")  # warm the index
    times = []
    for _ in range(rounds):
        for q in qs:
            t = time.perf_counter()
            ted.asker.ask(q, channel="bench")
            times.append((time.perf_counter() - t) * 1000)
    return {"n": len(times), "p50_ms": round(statistics.median(times), 3), "p99_ms": round(pct(times, 99), 3)}


def generated_markdown(path: Path, clauses: int, seed: int = 7) -> None:
    """A synthetic policy: 100 sections of numbered clauses built from the council policy's own words."""
    ted = build(Settings(), ":memory:")
    vocab = sorted({w for (t,) in ted.db.execute("select text from clauses") for w in t.split() if w.isalpha()})
    rng = random.Random(seed)
    per = max(clauses // 100, 1)
    lines = ["# Generated policy", ""]
    for s in range(1, 101):
        lines += [f"## {s}. Section {' '.join(rng.sample(vocab, 3))}", ""]
        for c in range(1, per + 1):
            lines += [f"{s}.{c} " + " ".join(rng.choices(vocab, k=rng.randint(15, 45))) + ".", ""]
    path.write_text("\n".join(lines), "utf-8")


def startup_to_first_answer(runs: int = 5) -> dict:
    ted_bin = Path(sys.executable).parent / "ted"
    times = []
    with tempfile.TemporaryDirectory() as d:
        db = Path(d) / "ted.db"
        subprocess.run([str(ted_bin), "ask", "--db", str(db), "hello"], capture_output=True, check=True)
        for _ in range(runs):
            t = time.perf_counter()
            subprocess.run(
                [str(ted_bin), "ask", "--db", str(db), "--json", "can I add a supplier on my personal facebook?"],
                capture_output=True,
                check=True,
            )
            times.append(time.perf_counter() - t)
        fresh = Path(d) / "fresh.db"
        t = time.perf_counter()
        subprocess.run(
            [str(ted_bin), "ask", "--db", str(fresh), "--json", "can I add a supplier on facebook?"],
            capture_output=True,
            check=True,
        )
        first_use = time.perf_counter() - t
    return {"median_s": round(statistics.median(times), 3), "first_use_s": round(first_use, 3)}


def main() -> int:
    results = {}
    qs = questions()
    ted = build(Settings(), ":memory:")
    results["council_policy_latency"] = latency(ted, qs, rounds=5)

    with tempfile.TemporaryDirectory() as d:
        md = Path(d) / "generated-policy.md"
        generated_markdown(md, 10_000)
        big = build(Settings(), str(Path(d) / "big.db"), first_use=False)
        tracemalloc.start()
        t = time.perf_counter()
        doc = parse_file(md)
        save_documents(big.db, [doc])
        ingest_s = time.perf_counter() - t
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()  # tracing slows Python several-fold: time the index build without it
        t = time.perf_counter()
        big.answerer.index.refresh()
        index_s = time.perf_counter() - t
        results["ingest_10k"] = {
            "clauses": len(doc.clauses),
            "seconds": round(ingest_s, 3),
            "index_build_s": round(index_s, 3),
            "peak_mb": round(peak / 2**20, 1),
        }
        results["latency_10k"] = latency(big, qs, rounds=1)
        big.db.conn.close()

    results["startup_to_first_answer"] = startup_to_first_answer()
    for name, row in results.items():
        print(f"{name:26} " + "  ".join(f"{k}={v}" for k, v in row.items()))
    (ROOT / "bench" / "results.json").write_text(json.dumps(results, indent=2) + "\n", "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
