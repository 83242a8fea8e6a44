"""Grid-search the ranking weights and fit the confidence curve on labelled question files.

    python bench/tune.py TRAIN.jsonl [TRAIN2.jsonl ...] --check HELDOUT.jsonl

Prints the best weights by top-1 on the training files, then the logistic fit of
"top answer is right" against the confidence score, and how both do on the held-out file.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app import build  # noqa: E402
from core.settings import Settings  # noqa: E402
from handlers.ask.intent import is_smalltalk, wants_to_report  # noqa: E402
from knowledge.evaluate import norm  # noqa: E402


def load(paths):
    qs = []
    for p in paths:
        qs += [json.loads(line) for line in Path(p).read_text("utf-8").splitlines() if line.strip()]
    return [q for q in qs if q["kind"] in ("policy", "out_of_scope") and not is_smalltalk(q["question"])
            and not wants_to_report(q["question"])]


def features(ted, qs):
    rows = []
    for q in qs:
        _, hits = ted.answerer.index.search(q["question"], limit=1000)
        exp = [norm(e) for e in q.get("expect", [])]
        rows.append((q, [(h.coverage, h.qsim, h.bm25, any(e in norm(h.text) for e in exp), h.nb, h.on_topic)
                         for h in hits]))
    return rows


def top1(rows, w):
    ok, tops = 0, []
    for q, hits in rows:
        if not hits:
            tops.append((q, None))
            continue
        best = max(hits, key=lambda h: w[0] * h[0] + w[1] * h[1] + w[2] * h[2] + w[3] * h[4])
        tops.append((q, best))
        ok += q["kind"] == "policy" and best[3]
    return ok, tops


PENALTY = 0.2


def conf_score(h, w):
    """The fused ranking score, less the off-topic penalty: what the confidence curve is fitted on."""
    return w[0] * h[0] + w[1] * h[1] + w[2] * h[2] + w[3] * h[4] - (0 if h[5] else PENALTY)


def fit_logistic(xs, ys, iters=4000, lr=0.5):
    k, m = 5.0, 0.5
    for _ in range(iters):
        gk = gm = 0.0
        for x, y in zip(xs, ys, strict=True):
            p = 1 / (1 + math.exp(-k * (x - m)))
            gk += (p - y) * (x - m)
            gm += (p - y) * (-k)
        k -= lr * gk / len(xs)
        m -= lr * gm / len(xs)
    return k, m


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("train", nargs="+")
    ap.add_argument("--check")
    ap.add_argument("--weights", type=float, nargs=4, help="fit confidence for these weights")
    ap.add_argument("--combined", action="store_true", help="rank weights by train + check together")
    args = ap.parse_args()
    ted = build(Settings(), ":memory:")
    train = features(ted, load(args.train))
    check = features(ted, load([args.check])) if args.check else []
    npol = sum(q["kind"] == "policy" for q, _ in train)
    grid = [x / 10 for x in range(0, 11)]
    results = []
    for wc, wq, wb in itertools.product(grid, grid, grid):
        if wc + wq + wb > 1:
            continue
        w = (wc, wq, wb, round(1 - wc - wq - wb, 2))
        results.append((top1(train, w)[0], w))
    if check and args.combined:
        results = [(ok + top1(check, w)[0], w) for ok, w in results]
    results.sort(reverse=True)
    print(f"train policy questions: {npol}")
    for ok, w in results[:8]:
        extra = f"  check {top1(check, w)[0]}" if check else ""
        print(f"  top-1 {ok}/{npol} weights cov/qsim/bm25/nb={w}{extra}")
    w = tuple(args.weights) if args.weights else results[0][1]
    print(f"using weights {w}")
    for a in (w,):
        _, tops = top1(train, w)
        xs = [conf_score(h, a) for _, h in tops if h]
        ys = [int(q["kind"] == "policy" and h[3]) for q, h in tops if h]
        k, m = fit_logistic(xs, ys)
        for thr in (0.3, 0.4, 0.5, 0.6):
            def judge(tops):
                pol = oos = 0
                for q, h in tops:
                    answered = h is not None and 1 / (1 + math.exp(-k * (conf_score(h, a) - m))) >= thr
                    pol += q["kind"] == "policy" and answered and h[3]
                    oos += q["kind"] == "out_of_scope" and not answered
                return pol, oos
            tp, to = judge(tops)
            line = f"  k={k:.2f} m={m:.3f} thr={thr}: train policy {tp} oos {to}"
            if check:
                cp, co = judge(top1(check, w)[1])
                line += f" | check policy {cp} oos {co}"
            print(line)


if __name__ == "__main__":
    main()
