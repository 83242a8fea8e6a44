"""The policies that ship with TED, as structured data in knowledge/policies/.

Each policy is `<id>.json` (sections and verbatim clause text) with an optional
`<id>.enrichment.json` beside it (titles, summaries, keywords, example questions) — kept
apart so the policy text can be checked against its source and never edited by accident — and an optional
`<id>.not_covered.json`: near-topic questions the policy does not answer, written from its scope.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import replace
from importlib import resources
from importlib.abc import Traversable

from knowledge import audit
from knowledge.model import Clause, Document, Section

log = logging.getLogger("ted.knowledge")


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
    save_documents(db, bundled_documents(), embedder=embedder, actor=FIRST_USE)
    _remember_release(db)
    return True


FIRST_USE = "ted (first use)"
RELEASE_UPDATE = "ted (release update)"
_RELEASE_KEY = "bundled_release"  # kb_meta: the sha256 of the bundled files TED last checked its copies against


def release_digest() -> str:
    """The sha256 of every bundled policy file, so a release that changed none of them costs one read."""
    h = hashlib.sha256()
    for entry in sorted(_policy_dir().iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".json"):
            h.update(entry.name.encode() + b"\x00" + entry.read_bytes() + b"\x00")
    return h.hexdigest()


def _remember_release(db, digest: str | None = None) -> None:
    db["kb_meta"].upsert({"key": _RELEASE_KEY, "value": digest or release_digest()}, pk="key")


def is_teds_own(db, doc_id: str) -> bool:
    """Whether the live version of a bundled policy is TED's own copy: loaded on first use or by an earlier
    release, not a version someone ingested, published or restored."""
    from knowledge import versions

    live = versions.current(db, doc_id, versions.LIVE)
    if live is None:
        return False
    if live["created_by"] in (FIRST_USE, RELEASE_UPDATE):
        return True
    # Live since before versions were kept (migration 009 recorded no author): TED's own if it came from here.
    return not live["created_by"] and live["format"] == "json"


def refresh_bundled(db, embedder=None) -> list[str]:
    """A new release's enrichment of a bundled policy (titles, summaries, keywords, example questions, "not
    covered" examples) reaches a knowledge base made by an earlier one. Only TED's own copy is replaced, as a
    new version in its history, audited as RELEASE_UPDATE; its details (title, owner, version, dates), which the
    communications team may have edited, are kept, and so is everything taught. A version someone ingested,
    published or restored, a retired policy, and a bundled policy this knowledge base never held are left as
    they are. The ids of the policies updated."""
    from knowledge import versions
    from knowledge.store import content_hash, legacy_hash, same_details, save_documents

    digest = release_digest()
    row = db.execute("select value from kb_meta where key = ?", [_RELEASE_KEY]).fetchone()
    if row and row[0] == digest:
        return []
    updated, waiting = [], False
    for doc in bundled_documents():
        held = db.execute(
            "select source_hash, title, owner, version, date, review_cycle, next_review from documents where id = ?",
            [doc.id],
        ).fetchone()
        legacy = held is not None and held[0] == legacy_hash(doc) and same_details(db, doc)
        if held is None or held[0] == content_hash(doc) or legacy or not is_teds_own(db, doc.id):
            continue
        if versions.current(db, doc.id, versions.DRAFT) is not None:
            # Someone's draft waits to replace it: a new live version now would make theirs "older than the
            # live version" and impossible to publish. Tried again once nothing waits.
            waiting = True
            continue
        details = dict(zip(("title", "owner", "version", "date", "review_cycle", "next_review"), held[1:], strict=True))
        kept = {k: v for k, v in details.items() if k in audit.edited_details(db, doc.id)}  # the rest: this release's
        save_documents(db, [replace(doc, **kept)], embedder=embedder, actor=RELEASE_UPDATE)
        log.info("the bundled policy %s was updated to this release's enrichment", doc.id)
        updated.append(doc.id)
    if not waiting:
        _remember_release(db, digest)
    return updated
