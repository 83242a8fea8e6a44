"""Smalltalk and report intent by nearest example: new phrasings are caught without a new regex each time.

The examples are data (handlers/ask/intents.json). A message is smalltalk when it is close to a smalltalk
example and closer to it than to anything in the knowledge base. A report is decided by a small logistic model
over how close the message is to the report examples and to the nearest clause, and over how it is put
(intent.report_cues): a report tells what is happening ("a resident keeps messaging me abuse"), a question
*about* reporting asks in general ("who do I tell if I see a bad post?") and lands on its clause. The regex
patterns in intent.py stay as guards: what they recognise needs no model, and with the semantic signal off they
are all there is.

The thresholds and the report model are fitted by bench/tune_intents.py on training questions only and stored in
intents.json.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from importlib import resources

import numpy as np

from handlers.ask.intent import is_smalltalk, report_cues, reportable, wants_to_report
from knowledge.calibration import logistic
from knowledge.vectors import Embedder

REPORT_FEATURES = ("report", "report3", "margin", "happening", "in_general", "pass_on", "abuse")


def load_examples() -> dict:
    return json.loads(resources.files("handlers.ask").joinpath("intents.json").read_text("utf-8"))


def top_mean(sims: np.ndarray, k: int = 3) -> float:
    """The mean of the k closest examples: one near phrasing can be luck, three are a likeness."""
    k = min(k, len(sims))
    return float(np.sort(sims)[-k:].mean()) if k else 0.0


@dataclass(frozen=True)
class IntentScores:
    smalltalk: float  # cosine with the nearest smalltalk example
    report: float  # cosine with the nearest report example
    knowledge: float  # cosine with the nearest clause (passage or example question)
    report3: float = 0.0  # mean cosine with the three nearest report examples
    cues: dict[str, float] = field(default_factory=dict)  # how the message is put (intent.report_cues)
    enriched: bool = True  # the nearest clause has example questions written for it (see report_probability)


def report_features(s: IntentScores) -> dict[str, float]:
    return {"report": s.report, "report3": s.report3, "margin": s.report - s.knowledge, **s.cues}


class IntentExamples:
    def __init__(self, embedder: Embedder | None, data: dict | None = None):
        self.embedder = embedder
        self.data = data or load_examples()
        self.thresholds = self.data.get("thresholds", {})
        self.report_model = self.data.get("report_model")
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

    def scores(self, text: str, knowledge: float, enriched: bool = True) -> IntentScores | None:
        if not self.on:
            return None
        qv = self.embedder.embed_query(text)
        report = self._report @ qv
        return IntentScores(
            float((self._small @ qv).max()),
            float(report.max()),
            knowledge,
            top_mean(report),
            report_cues(text),
            enriched,
        )

    def is_smalltalk(self, text: str, s: IntentScores | None) -> bool:
        if is_smalltalk(text):
            return True
        t = self.thresholds
        return bool(
            s and s.smalltalk >= t.get("smalltalk", 1.1) and s.smalltalk - s.knowledge >= t.get("smalltalk_margin", 0.0)
        )

    def near_report(self, s: IntentScores | None) -> bool:
        """Close to a report example, though not taken for one: answer it, and offer "Report this" too."""
        return bool(s and s.report >= self.thresholds.get("report", 1.1))

    def report_probability(self, s: IntentScores | None) -> float:
        """The report model's probability. It was fitted against the bundled, enriched policy, where a question
        sits close to its clause's example questions; beside a document nobody enriched every question sits further
        from its clause, the margin feature means something else, and the model is not used (the same split as
        knowledge.calibration's confidence models)."""
        m = self.report_model
        if not s or not m or not s.enriched:
            return 0.0
        f = report_features(s)
        return logistic(m["bias"] + sum(w * f.get(k, 0.0) for k, w in m["weights"].items()))

    def wants_to_report(self, text: str, s: IntentScores | None) -> bool:
        if wants_to_report(text):
            return True
        if s and self.report_model and s.enriched:  # what the report form takes: something online, or abuse
            return reportable(text) and self.report_probability(s) >= self.report_model["threshold"]
        t = self.thresholds
        return bool(s and s.report >= t.get("report", 1.1) and s.report - s.knowledge >= t.get("report_margin", 0.0))
