"""How sure TED is that its best clause answers the question: a logistic model over a few features of the ranking.

Fitted by bench/tune.py on training questions only (the development set and the first holdout for the council
policy; the first handbook set plus its training out-of-scope questions for documents nobody enriched), one
model per kind of document, because a clause with example questions written for it scores differently from a
bare passage. The parameters live in knowledge/data/ranking.json under "calibration".

What the communications team taught (knowledge.teach) is weighed first (`taught_decides`): a question whose
nearest example in the whole knowledge base is a taught phrasing, close and clearly closer than anything else, is
that clause's; one whose nearest is a taught "not covered" example falls back. Otherwise the taught examples
count only as the signals they feed (example questions, Naive Bayes, vectors, nc_gap), like the bundled ones.

With the semantic signal off (TED_SEMANTIC=0, or no model installed) a model of its own per kind of document
("lexical_enriched", "lexical_plain", fitted the same way on the lexical features alone) judges, so TED still
answers, only less well.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Protocol

FEATURES = ("score", "margin", "sem", "sem_margin", "nc_gap", "coverage")
LEXICAL_FEATURES = ("score", "margin", "coverage")  # without the semantic signal


class Ranked(Protocol):
    score: float
    sem: float
    not_covered: float
    coverage: float
    enriched: bool
    on_topic: bool


def before_tokens(h) -> float:
    """A hit's score before the token re-ordering (knowledge.tokensim): what every threshold was fitted on."""
    base = getattr(h, "base", None)
    return h.score if base is None else base


def judged(hits: Sequence[Ranked]) -> list[Ranked]:
    """The hits as ranked before the token re-ordering (knowledge.tokensim), which is what the confidence models
    were fitted on and what knowledge/answer.py judges them by: the re-ordering changes which passage is shown
    first, never whether TED answers. Without it (every enriched clause, and TED_SEMANTIC=0) this is the hits' own
    order."""
    return sorted(hits, key=before_tokens, reverse=True)  # stable: ties keep the ranking's order


def features(hits: Sequence[Ranked]) -> dict[str, float]:
    """Of hits[0], the clause judged, against the rest (their scores before the token re-ordering)."""
    best = hits[0]
    second = hits[1] if len(hits) > 1 else None
    # With no "not covered" examples for the document, nc_gap sits at its floor: nothing argues against it.
    nc_gap = max(best.not_covered - best.sem, -0.5) if best.not_covered > -1.0 else -0.5
    score = before_tokens(best)
    return {
        "score": score,
        "margin": score - (before_tokens(second) if second else 0.0),
        "sem": best.sem,
        "sem_margin": best.sem - max((h.sem for h in hits[1:]), default=0.0),
        "nc_gap": nc_gap,
        "coverage": best.coverage,
    }


class Nearest(Protocol):
    similarity: float
    lead: float


# A taught example the ranking agrees with (its clause ranks first; a "not covered" one's document holds the best
# clause) may settle the answer from a little further away, when nothing else comes near it. Chosen on the training
# analogue (bench/teach_eval.py --train, both rewording files): light rewordings of a taught question sit at 0.77
# and up with a lead of 0.10 or more; the nearest untaught question the ranking also puts on the taught clause was
# at 0.67 (lead 0.11). Read from the ranking parameters when they name them, so bench/tune.py may fit them.
TAUGHT_AGREEING_SIMILARITY = 0.74
TAUGHT_AGREEING_LEAD = 0.1
# Or from as far, without the ranking's agreement, when it leads every clause by this much: on the training
# analogue (bench/teach_eval.py --train, three rewording files, 1,034 questions) a lead of 0.2 or more came only
# with rewordings of the taught question ("does the policy stop applying when I clock off at 5", then "is the
# policy only during work hours or does it stop when i finish at 5": 0.78, lead 0.27, the ranking elsewhere).
TAUGHT_CLEAR_LEAD = 0.2


def taught_decides(nearest: Nearest | None, params: dict, agrees: bool = False) -> bool:
    """The taught example nearest the question is near enough, and clearly nearer than any clause's passage or
    example question, to settle the answer. Thresholds chosen on the training analogue (bench/teach_eval.py
    --train): light rewordings of a taught question sit at 0.77-1.0 with a lead of 0.1 or more; unrelated
    questions near a taught one (0.79 at most) trail another clause. `agrees`: the ranking puts the question on
    the taught example's clause (or, for a "not covered" one, its document) too; two signals saying the same
    thing settle it from a little further away (TAUGHT_AGREEING_*), and so does a clear lead over every clause
    (TAUGHT_CLEAR_LEAD). Below them, the taught example still counts
    as the example question it also is."""
    if nearest is None:
        return False
    if nearest.similarity >= params.get("taught_similarity", 1.0) and nearest.lead >= params.get("taught_lead", 1.0):
        return True
    if nearest.similarity < params.get("taught_agreeing_similarity", TAUGHT_AGREEING_SIMILARITY):
        return False
    if nearest.lead >= params.get("taught_clear_lead", TAUGHT_CLEAR_LEAD):
        return True
    return agrees and nearest.lead >= params.get("taught_agreeing_lead", TAUGHT_AGREEING_LEAD)


def model_name(hits: Sequence[Ranked], semantic: bool) -> str:
    kind = "enriched" if hits[0].enriched else "plain"
    return kind if semantic else f"lexical_{kind}"


def logistic(x: float) -> float:
    if x < -60:
        return 0.0
    return 1.0 / (1.0 + math.exp(-x))


def confidence(hits: Sequence[Ranked], params: dict, semantic: bool) -> float:
    """Probability that hits[0] is the right clause."""
    if not hits:
        return 0.0
    name = model_name(hits, semantic)
    model = params.get("calibration", {}).get(name)
    if model is None:  # the first version's curve: only for parameters fitted before the models were
        mid = params["confidence_midpoint"] + (0.0 if hits[0].on_topic else params["off_topic_penalty"])
        return logistic(params["confidence_slope"] * (hits[0].score - mid))
    f = features(hits)
    z = model["bias"] + sum(model["weights"][k] * f[k] for k in model["weights"])
    return logistic(z)


def threshold(params: dict, hits: Sequence[Ranked], semantic: bool, override: float = -1.0) -> float:
    """The confidence below which TED says "not covered" (TED_MIN_CONFIDENCE, from 0 to 1, overrides every
    model's; below 0 is unset)."""
    if override >= 0:
        return override
    name = model_name(hits, semantic) if hits else ""
    model = params.get("calibration", {}).get(name)
    return model["threshold"] if model else params["min_confidence"]


def fit(
    rows: Sequence[tuple[dict[str, float], int]], names: Sequence[str] = FEATURES, l2: float = 0.05, steps: int = 400
) -> dict:
    """Logistic regression by Newton's method with a small ridge penalty (features standardised inside)."""
    import numpy as np

    x = np.array([[r[0][n] for n in names] for r in rows], dtype=float)
    y = np.array([r[1] for r in rows], dtype=float)
    mu, sd = x.mean(axis=0), x.std(axis=0) + 1e-9
    z = np.hstack([np.ones((len(x), 1)), (x - mu) / sd])
    w = np.zeros(z.shape[1])
    reg = np.eye(z.shape[1]) * l2
    reg[0, 0] = 0.0
    for _ in range(steps):
        p = 1 / (1 + np.exp(-z @ w))
        grad = z.T @ (p - y) + reg @ w
        hess = (z.T * (p * (1 - p))) @ z + reg
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    weights = {n: float(w[i + 1] / sd[i]) for i, n in enumerate(names)}
    bias = float(w[0] - sum(w[i + 1] * mu[i] / sd[i] for i in range(len(names))))
    return {"bias": round(bias, 4), "weights": {k: round(v, 4) for k, v in weights.items()}}
