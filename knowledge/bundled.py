"""The policies that ship with TED, as structured data in knowledge/policies/.

Each policy is `<id>.json` (sections and verbatim clause text) with an optional
`<id>.enrichment.json` beside it (titles, summaries, keywords, example questions) — kept
apart so the policy text can be checked against its source and never edited by accident — and an optional
`<id>.not_covered.json`: near-topic questions the policy does not answer, written from its scope.
"""

from __future__ import annotations

import json
from importlib import resources
from importlib.abc import Traversable

from knowledge.model import Clause, Document, Section


def _policy_dir() -> Traversable:
    return resources.files("knowledge").joinpath("policies")


def bundled_documents() -> list[Document]:
    docs = []
    for entry in sorted(_policy_dir().iterdir(), key=lambda e: e.name):
        name = entry.name
        if name.endswith(".json") and not name.endswith((".enrichment.json", ".not_covered.json")):
            stem = name[: -len(".json")]
            extra = _companion(stem, "enrichment")
            docs.append(
                document_from_json(
                    json.loads(entry.read_text("utf-8")), extra, _companion(stem, "not_covered").get("questions", ())
                )
            )
    return docs


def _companion(stem: str, kind: str) -> dict:
    path = _policy_dir().joinpath(f"{stem}.{kind}.json")
    return json.loads(path.read_text("utf-8")) if path.is_file() else {}


def document_from_json(data: dict, enrichment: dict | None = None, not_covered=()) -> Document:
    extra = (enrichment or {}).get("clauses", {})
    sections, clauses = [], []
    for s in data["sections"]:
        sections.append(Section(number=s["number"], title=s["title"]))
        for c in s["clauses"]:
            e = extra.get(c["number"], {})
            clauses.append(
                Clause(
                    number=c["number"],
                    text=c["text"],
                    section=s["number"],
                    heading=s["title"],
                    title=e.get("title", ""),
                    summary=e.get("summary", ""),
                    keywords=tuple(e.get("keywords", ())),
                    questions=tuple(e.get("questions", ())),
                    kind="clause",
                )
            )
    return Document(
        id=data["id"],
        title=data["title"],
        clauses=tuple(clauses),
        sections=tuple(sections),
        publisher=data.get("publisher", ""),
        source=data.get("source", ""),
        format="json",
        owner=data.get("owner", ""),
        version=data.get("version", ""),
        date=data.get("date", ""),
        review_cycle=data.get("review_cycle", ""),
        next_review=data.get("next_review", ""),
        related=tuple(data.get("related", ())),
        topics=tuple((enrichment or {}).get("topics", ())),
        not_covered=tuple(not_covered),
    )


def load_bundled_if_empty(db, embedder=None) -> bool:
    """First use: a knowledge base that never held a document gets the bundled policies (one whose documents
    were all retired stays as it is). True if it loaded them."""
    from knowledge.store import ever_held, save_documents

    if ever_held(db):
        return False
    save_documents(db, bundled_documents(), embedder=embedder, actor="ted (first use)")
    return True
