"""Two of the ranking's signals, over the candidates only: Naive Bayes, and closeness to example questions."""

from __future__ import annotations

import math

from knowledge.query import Query


def naive_bayes(query: Query, entries: list, known_stems: set[str], vocab_size: int) -> dict[int, float]:
    """Posterior over the candidates, each clause a class trained on its own words and examples.

    Only the candidates are scored, each word looked up in the candidate's own counts, so the cost grows
    with the answer, not with the knowledge base."""
    if not entries:
        return {}
    alpha, v = 0.5, max(vocab_size, 1)
    groups = [[(a, f) for a, f in g.alts.items() if a in known_stems] for g in query.groups]
    groups = [g for g in groups if g]
    logp: dict[int, float] = {}
    for e in entries:
        total = 0.0
        for known in groups:
            total += max(math.log((e.counts.get(a, 0.0) + alpha) * f) for a, f in known)
        logp[e.rowid] = total - len(groups) * math.log(e.total + alpha * v)
    top = max(logp.values())
    z = sum(math.exp(x - top) for x in logp.values())
    return {r: math.exp(x - top) / z for r, x in logp.items()}


def question_similarity(query: Query, postings: dict, weights: dict, total_idf: float, k: int) -> dict[int, float]:
    """Closeness to each clause's example questions: IDF-weighted Dice against each question,
    then the mean of a clause's best k, so one lucky example counts for less than several."""
    matched: dict[tuple[int, int], dict[int, float]] = {}
    for gi, g in enumerate(query.groups):
        for a, f in g.alts.items():
            for key in postings.get(a, ()):
                got = matched.setdefault(key, {})
                if f > got.get(gi, 0.0):
                    got[gi] = f
    per_clause: dict[int, list[float]] = {}
    for key, got in matched.items():
        shared = sum(query.groups[gi].idf * f for gi, f in got.items())
        sim = min(2 * shared / (total_idf + weights[key]), 1.0)
        per_clause.setdefault(key[0], []).append(sim)
    # A clause with fewer than k example questions (a passage with only the phrasings taught to it) is judged on
    # the ones it has: its missing questions are not misses.
    return {r: sum(sorted(v, reverse=True)[:k]) / _held(weights, r, k) for r, v in per_clause.items()}


def _held(weights: dict, rowid: int, k: int) -> int:
    """How many example questions the clause has, up to k (they are numbered from 0)."""
    n = 1
    while n < k and (rowid, n) in weights:
        n += 1
    return n
