"""Word-by-word closeness of a question to a passage nobody wrote example questions for.

A sentence vector (knowledge/vectors.py) averages a whole passage into one point, so a question that matches one
sentence of a long passage, or uses a word close in meaning to one of its words ("bad-mouth" for "derogatory"),
can sit far from it. Here each content word piece of the question is matched with the closest word piece of the
passage, both read in context by the same MiniLM forward pass that makes the sentence vectors (their final hidden
states), and the matches are averaged, the rarer pieces of the knowledge base counting more (BERTScore's recall,
with IDF weights): how much of what the question says the passage says too.

Only clauses with no example questions of their own carry these states (the `tokens` and `pieces` fields of
clause_vectors, written at ingest with the passage vector): example questions already bridge the wording for the
enriched ones. search.py uses it to re-order its best candidates (`rerank`); bench/tune.py fits its weight on
training questions.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from knowledge.minilm import TokenStates

RERANK = 10  # the best candidates (by the other signals) re-ordered by it; tune.py emulates the same cut
_WORDLIKE = re.compile(r"\w")
# Function words, left out on both sides. Shorter than knowledge/data/stopwords.txt on purpose: in context, "must",
# "only", "never" or "before" say what a rule is, and on the training questions (bench/tune.py's) the longer list
# lost a point or two of top-1 on both documents nobody enriched.
FUNCTION_WORDS = frozenset(
    "a an the of to in on for and or is are was be can i my me we you it do does if at with this that what how "
    "should when who which by from as any about our your there their they have has not no".split()
)


@lru_cache(maxsize=4)
def content_pieces(vocab: tuple[str, ...]) -> np.ndarray:
    """bool per tokenizer id: a piece that carries meaning (not punctuation, not a stopword, not [CLS] and co.)."""
    return np.array(
        [
            bool(_WORDLIKE.search(p)) and p not in FUNCTION_WORDS and not (p.startswith("[") and p.endswith("]"))
            for p in vocab
        ],
        dtype=bool,
    )


def vocabulary(tokenizer) -> tuple[str, ...]:
    size = tokenizer.get_vocab_size()
    return tuple(tokenizer.id_to_token(i) or "" for i in range(size))


def content_only(t: TokenStates, content: np.ndarray) -> TokenStates:
    keep = content[t.ids] if len(t.ids) else np.zeros(0, dtype=bool)
    return TokenStates(t.ids[keep], t.states[keep])


def states_blob(t: TokenStates) -> bytes:
    return np.ascontiguousarray(t.states, dtype=np.float16).tobytes()


def pieces_blob(t: TokenStates) -> bytes:
    return np.ascontiguousarray(t.ids, dtype=np.int32).tobytes()


def states_of(blob: bytes, dim: int) -> np.ndarray:
    return np.frombuffer(blob, dtype=np.float16).reshape(-1, dim).astype(np.float32)


@dataclass
class PieceStats:
    """In how many passages (of those with token states) each word piece occurs: the IDF of a question's pieces."""

    passages: int = 0
    df: dict[int, int] = field(default_factory=dict)

    @classmethod
    def of(cls, blobs) -> PieceStats:
        df: dict[int, int] = {}
        n = 0
        for blob in blobs:
            n += 1
            for i in set(np.frombuffer(blob, dtype=np.int32).tolist()):
                df[i] = df.get(i, 0) + 1
        return cls(n, df)

    def weights(self, ids: np.ndarray) -> np.ndarray:
        n = self.passages
        return np.array([math.log((n + 1) / (self.df.get(int(i), 0) + 1)) + 1 for i in ids.tolist()])


def closeness(question: TokenStates, weights: np.ndarray, passages: list[np.ndarray]) -> np.ndarray:
    """For each passage's states, the weighted mean over the question's pieces of each one's best cosine there."""
    out = np.zeros(len(passages))
    if not len(question.ids) or not weights.sum():
        return out
    for j, p in enumerate(passages):
        if len(p):
            out[j] = float((question.states @ p.T).max(axis=1) @ weights / weights.sum())
    return out


def rerank(score: np.ndarray, tok: np.ndarray, has: np.ndarray, weight: float, k: int = RERANK) -> np.ndarray:
    """The scores with the token signal added among the k best: each candidate that has token states loses
    `weight` × how far it trails the closest of them word by word. Relative, so a passage nobody enriched never
    climbs over an enriched clause on it alone, and the best of them keeps its score (and so its confidence)."""
    out = np.array(score, dtype=np.float64, copy=True)
    if not weight or not len(out):
        return out
    top = np.argsort(-out, kind="stable")[:k]
    top = top[has[top]]
    if len(top) < 2:
        return out
    out[top] += weight * (tok[top] - tok[top].max())
    return out


def order(base: np.ndarray, score: np.ndarray, limit: int) -> np.ndarray:
    """The candidates to return, best first: the re-ordering picks only the first (the best by `score`); the rest
    keep the order of `base`, so the clauses that follow it, and whether the one the other signals put first is
    still among the first three, do not change with it."""
    by_base = np.argsort(-base, kind="stable")
    if not len(by_base):
        return by_base
    first = int(np.argmax(score))  # the first of the best: argmax keeps the stable order's tie-break
    rest = by_base[by_base != first]
    return np.concatenate(([first], rest))[:limit].astype(by_base.dtype)
