"""Smalltalk and report intent by nearest example: new phrasings are caught without a new regex each time.

The examples are data (handlers/ask/intents.json). A message is smalltalk when it is close to a smalltalk
example and closer to it than to anything in the knowledge base; a report when it is close to a report example
and clearly closer to it than to any clause (a question *about* reporting, "who do I tell if I see a bad post?",
is a policy question and lands on its clause). The regex patterns in intent.py stay as guards: what they
recognise needs no model, and with the semantic signal off they are all there is.

The thresholds are fitted by bench/tune_intents.py on training questions only and stored in intents.json.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources

from handlers.ask.intent import is_smalltalk, wants_to_report
from knowledge.vectors import Embedder


def load_examples() -> dict:
    return json.loads(resources.files("handlers.ask").joinpath("intents.json").read_text("utf-8"))


@dataclass(frozen=True)
class IntentScores:
    smalltalk: float  # cosine with the nearest smalltalk example
    report: float  # cosine with the nearest report example
    knowledge: float  # cosine with the nearest clause (passage or example question)


class IntentExamples:
    def __init__(self, embedder: Embedder | None, data: dict | None = None):
        self.embedder = embedder
        self.data = data or load_examples()
        self.thresholds = self.data.get("thresholds", {})
        self._small = self._report = None
        if embedder is not None:
            shipped = resources.files("handlers.ask").joinpath("intents.vectors.npz")
            if shipped.is_file():  # bench/build_vectors.py writes it, so a start encodes none of the examples
                embedder.seed(shipped)
            self._small = embedder.embed(self.data["smalltalk"])
            self._report = embedder.embed(self.data["report"])

    @property
    def on(self) -> bool:
        return self._small is not None

    def scores(self, text: str, knowledge: float) -> IntentScores | None:
        if not self.on:
            return None
        qv = self.embedder.embed_query(text)
        return IntentScores(float((self._small @ qv).max()), float((self._report @ qv).max()), knowledge)

    def is_smalltalk(self, text: str, s: IntentScores | None) -> bool:
        if is_smalltalk(text):
            return True
        t = self.thresholds
        return bool(
            s and s.smalltalk >= t.get("smalltalk", 1.1) and s.smalltalk - s.knowledge >= t.get("smalltalk_margin", 0.0)
        )

    def near_report(self, s: IntentScores | None) -> bool:
        """Close to a report example, though closer to a clause: answer it, and offer "Report this" too."""
        return bool(s and s.report >= self.thresholds.get("report", 1.1))

    def wants_to_report(self, text: str, s: IntentScores | None) -> bool:
        if wants_to_report(text):
            return True
        t = self.thresholds
        return bool(s and s.report >= t.get("report", 1.1) and s.report - s.knowledge >= t.get("report_margin", 0.0))
