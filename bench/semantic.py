"""Benchmark of the offline sentence encoder (knowledge/semantic.py): load time, memory, query and batch speed.

Run with `.venv/bin/python bench/semantic.py`. Machines here are shared and noisy, so these are measurements to
report, never assertions. Prints one table; nothing is written.
"""

from __future__ import annotations

import json
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

QUERY_RUNS = 200
BATCH_RUNS = 5
PASSAGES = 100
PASSAGE_WORDS = 60


def rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


def questions() -> list[str]:
    """TED's own held-out questions (varied lengths and styles), as bench/run_all.py uses."""
    path = ROOT / "eval" / "tdc_holdout.jsonl"
    return [json.loads(line)["question"] for line in path.read_text("utf-8").splitlines() if line.strip()]


def passages() -> list[str]:
    """100 passages of 60 words cut from the bundled policy's clauses, in order."""
    from app import build
    from core.settings import Settings

    ted = build(Settings(), ":memory:")
    words = [w for (text,) in ted.db.execute("select text from clauses") for w in text.split()]
    out = []
    while len(out) < PASSAGES:
        for i in range(0, len(words) - PASSAGE_WORDS + 1, PASSAGE_WORDS):
            out.append(" ".join(words[i : i + PASSAGE_WORDS]))
    return out[:PASSAGES]


def main() -> None:
    qs, ps = questions(), passages()  # before any measuring: building TED loads its own modules
    rss_start = rss_mib()
    t = time.perf_counter()
    from knowledge.semantic import load_encoder

    enc = load_encoder(env={})
    load_s = time.perf_counter() - t
    if enc is None:
        sys.exit("no encoder (see the warning above); run make install")
    rss_loaded = rss_mib()

    for q in qs[:20]:
        enc.encode_one(q)  # warm caches and allocator
    times = []
    for i in range(QUERY_RUNS):
        q = qs[i % len(qs)]
        t = time.perf_counter()
        enc.encode_one(q)
        times.append((time.perf_counter() - t) * 1000)
    q_tokens = [len(enc.tokenizer.encode(q).ids) for q in qs]

    fifteen = "Am I allowed to post about my manager on my own Twitter?"  # 15 tokens with [CLS] and [SEP]
    f_tokens = len(enc.tokenizer.encode(fifteen).ids)
    f_times = []
    for _ in range(QUERY_RUNS):
        t = time.perf_counter()
        enc.encode_one(fifteen)
        f_times.append((time.perf_counter() - t) * 1000)

    b_times = []
    for _ in range(BATCH_RUNS):
        t = time.perf_counter()
        enc.encode(ps)
        b_times.append(time.perf_counter() - t)
    p_tokens = [len(enc.tokenizer.encode(p).ids) for p in ps]
    batch_s = statistics.median(b_times)

    rows = [
        ("load (find, sha256-check, read, build)", f"{load_s * 1000:.0f} ms"),
        ("RSS before loading", f"{rss_start:.0f} MiB"),
        ("RSS after loading", f"{rss_loaded:.0f} MiB (+{rss_loaded - rss_start:.0f} MiB)"),
        ("peak RSS (getrusage)", f"{peak_rss_mib():.0f} MiB"),
        (
            f"query encode, {QUERY_RUNS} runs over {len(qs)} questions "
            f"({min(q_tokens)}-{max(q_tokens)} tokens, median {statistics.median(q_tokens):.0f})",
            f"median {statistics.median(times):.2f} ms, p99 {pct(times, 99):.2f} ms",
        ),
        (
            f"query encode, one {f_tokens}-token question x {QUERY_RUNS}",
            f"median {statistics.median(f_times):.2f} ms, p99 {pct(f_times, 99):.2f} ms",
        ),
        (
            f"batch encode, {PASSAGES} passages of {PASSAGE_WORDS} words "
            f"(median {statistics.median(p_tokens):.0f} tokens), median of {BATCH_RUNS}",
            f"{batch_s * 1000:.0f} ms = {PASSAGES / batch_s:.0f} passages/s",
        ),
        ("RSS after encoding", f"{rss_mib():.0f} MiB"),
    ]
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"{name:<{width}}  {value}")


if __name__ == "__main__":
    main()
