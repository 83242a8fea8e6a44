"""A question as search reads it: its meaningful words (groups), what may stand for each (stems, synonyms, typo
corrections), and the ranking parameters and synonym table that shape the reading."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

from knowledge.text import split_names_joined, stem, stopwords, words


@lru_cache(maxsize=1)
def ranking_params() -> dict:
    raw = resources.files("knowledge.data").joinpath("ranking.json").read_text("utf-8")
    return json.loads(raw)


@lru_cache(maxsize=1)
def synonym_table() -> tuple[dict[str, list[str]], dict[tuple[str, ...], list[str]]]:
    """(single-word variant -> canonical stems, multi-word variant -> canonical stems)."""
    raw = json.loads(resources.files("knowledge.data").joinpath("synonyms.json").read_text("utf-8"))
    single: dict[str, list[str]] = {}
    phrases: dict[tuple[str, ...], list[str]] = {}
    for canonical, variants in raw.items():
        if canonical.startswith("_"):
            continue
        stems = [stem(w) for w in words(canonical) if w not in stopwords()]
        for v in variants:
            vw = tuple(words(v))
            if not vw:
                continue
            target = single if len(vw) == 1 else phrases
            key = vw[0] if len(vw) == 1 else vw
            target.setdefault(key, [])
            target[key].extend(s for s in stems if s not in target[key])
    return single, phrases


@dataclass
class Group:
    """One meaningful word of the question and what may stand for it."""

    word: str
    alts: dict[str, float]  # stem -> how much a match on it counts (1.0 = the word itself)
    idf: float = 0.0


@dataclass
class Query:
    text: str
    groups: list[Group]
    corrections: dict[str, str] = field(default_factory=dict)

    @property
    def corrected_text(self) -> str:
        """The question with its typos corrected: the encoder reads "disiplinary" as noise."""
        text = split_names_joined(self.text)
        for wrong, right in self.corrections.items():
            text = re.sub(rf"\b{re.escape(wrong)}\b", right, text, flags=re.IGNORECASE)
        return text

    @property
    def fts_words(self) -> list[str]:
        out: list[str] = []
        for g in self.groups:
            for a in [*g.word.split(), *g.alts]:
                if a not in out:
                    out.append(a)
        return out
