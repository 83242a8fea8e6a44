"""A document's life cycle: upload a draft, preview it, publish it (replacing the live version), retire it,
edit its details. The same operations behind `/admin/knowledge` and `ted kb publish|retire|edit`.

A draft is only a row in `doc_versions`: nothing TED searches, cites or shows to staff changes until it is
published, and publishing is one transaction (knowledge.store.publish_document).
"""

from __future__ import annotations

import dataclasses
import re
from datetime import date

import sqlite_utils

from core.db import row_id, transaction
from knowledge import audit, versions
from knowledge.model import Document
from knowledge.store import (
    bump_revision,
    forgetting,
    load_document,
    prepare_vectors,
    publish_document,
    take_down,
)

MAX_DETAIL = 200
_ID = re.compile(r"^\w[\w-]*$")  # what knowledge.ingest.slugify makes of any file name ("政策" too)
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class CurationError(ValueError):
    """A polite reason a change to the knowledge base was refused; nothing was changed. `field`: the detail at
    fault, when one is."""

    def __init__(self, message: str, field: str = ""):
        super().__init__(message)
        self.field = field


def carry_over(doc: Document, live: Document | None) -> Document:
    """A new version keeps the owner and review details of the one it replaces when the file says nothing of
    them, and each unchanged clause (same number, same words) keeps its title, summary, keywords and example
    questions; a clause whose words changed starts again (its enrichment may no longer be true)."""
    if live is None:
        return doc
    old = {c.number: c for c in live.clauses}
    clauses = []
    for c in doc.clauses:
        o = old.get(c.number)
        same = o is not None and " ".join(o.text.split()) == " ".join(c.text.split())
        if same and not (c.summary or c.keywords or c.questions):
            # The old title only where someone wrote it (an enriched clause): one that merely came from the old
            # heading gives way to the new heading's.
            enriched = bool(o.summary or o.keywords or o.questions)
            c = dataclasses.replace(
                c,
                title=(o.title or c.title) if enriched else c.title,
                summary=o.summary,
                keywords=o.keywords,
                questions=o.questions,
            )
        clauses.append(c)
    keep = {
        k: getattr(live, k)
        for k in ("owner", "review_cycle", "next_review", "publisher", "related", "topics", "not_covered")
        if not getattr(doc, k)
    }
    # What came from the version before, not from the file: not part of the file's fingerprint (knowledge.store).
    return dataclasses.replace(doc, clauses=tuple(clauses), **keep, meta={**doc.meta, "carried": tuple(keep)})


def create_draft(
    db: sqlite_utils.Database, doc: Document, actor: str, doc_id: str = "", new_only: bool = False
) -> dict:
    """Keep a parsed document as a draft (of *doc_id* when given: a new version of that document). A draft
    already waiting for the same document is discarded. With `new_only` (an upload said to be a new document)
    a document id already in use is refused, not silently given a new version. Returns the draft's row."""
    if doc_id:
        if not _ID.match(doc_id):
            raise CurationError(f"“{doc_id}” is not a document id (letters, digits and hyphens).")
        if not versions.history(db, doc_id) and load_document(db, doc_id) is None:
            raise CurationError(
                f"There is no document “{doc_id}” to make a new version of: check the id (`ted kb list`), or leave "
                "it out to add a new document."
            )
        doc = dataclasses.replace(doc, id=doc_id)
    elif new_only and (load_document(db, doc.id) is not None or _was_live(db, doc.id)):
        raise CurationError(
            f"A document “{doc.id}” is already in the knowledge base (from a file of the same name). To upload a "
            "new version of it, choose it under “This is”; to add a different document, rename the file."
        )
    elif (
        new_only and (waiting := versions.current(db, doc.id, versions.DRAFT)) is not None and _kept(db, waiting, actor)
    ):
        # Someone else's draft, or one whose details were edited, would be thrown away without a word. (A first
        # upload of one's own, untouched, may be corrected by uploading it again.)
        raise CurationError(
            f"A draft of “{doc.id}” is already waiting (version {waiting['seq']}, uploaded by "
            f"{waiting['created_by'] or 'someone'}). To replace it, choose “a new draft of {waiting['title']}” under "
            "“This is”; to add a different document, rename the file."
        )
    with transaction(db):
        doc = carry_over(doc, load_document(db, doc.id))
        waiting = versions.current(db, doc.id, versions.DRAFT)
        if waiting is not None:
            _discard(db, waiting, actor, f"version {waiting['seq']} (a new draft took its place)")
        vid = versions.add_draft(db, doc, actor)
        row = versions.get(db, vid)
        audit.record(db, actor, audit.DRAFT, doc.id, f"version {row['seq']}", after=versions.details(doc))
    return row


def _kept(db: sqlite_utils.Database, draft: dict, actor: str) -> bool:
    """A waiting draft an upload said to be new must not silently replace: someone else's, or one edited since."""
    if draft["created_by"] != actor:
        return True
    target = f"version {draft['seq']}"
    return any(
        e["action"] == audit.EDIT and e["target"] == target for e in audit.entries(db, draft["doc_id"], limit=1000)
    )


def _was_live(db: sqlite_utils.Database, doc_id: str) -> bool:
    """Whether a version of this document was ever live (only drafts, waiting or discarded, don't count: a new
    document's first upload can be corrected by uploading it again)."""
    return any(
        v["status"] in (versions.LIVE, versions.SUPERSEDED, versions.RETIRED) for v in versions.history(db, doc_id)
    )


def restore(db: sqlite_utils.Database, doc_id: str, seq: int, actor: str, force: bool = False) -> dict:
    """An earlier version of a document (as it was, with its enrichment) as the draft waiting for it, a new
    version to check and publish: how a replacement that lost what it shouldn't have is undone. A draft someone
    uploaded and left waiting is not discarded for it unless `force`."""
    row = db.execute(
        "select id, status, content from doc_versions where doc_id = ? and seq = ?", [doc_id, seq]
    ).fetchone()
    if row is None:
        raise CurationError(f"“{doc_id}” has no version {seq}: `ted kb history {doc_id}` lists them.")
    if row[1] == versions.LIVE:
        raise CurationError(f"Version {seq} of “{doc_id}” is the live one already: nothing to restore.")
    if row[1] == versions.DRAFT:
        raise CurationError(f"Version {seq} of “{doc_id}” is the draft waiting already: publish it to make it live.")
    if not row[2]:
        raise CurationError(f"Version {seq} of “{doc_id}” was not kept whole, so it cannot be restored.")
    waiting = versions.current(db, doc_id, versions.DRAFT)
    if waiting is not None and not force:
        raise CurationError(
            f"A draft is waiting for “{doc_id}” (version {waiting['seq']}, by {waiting['created_by'] or '—'}): "
            "restoring would discard it. Publish or check it first, or restore with --force to discard it."
        )
    made = create_draft(db, versions.from_json(row[2]), actor, doc_id=doc_id)
    audit.record(db, actor, audit.RESTORE, doc_id, f"version {seq} as version {made['seq']}")
    return made


def draft_for(db: sqlite_utils.Database, ref: str | int) -> dict:
    """A waiting draft by its version id (an int), or the one waiting for a document id (a str: a document may
    be called "11", so what the reference looks like never decides which it is)."""
    n = row_id(ref) if isinstance(ref, int) else None
    row = versions.get(db, n) if n is not None else versions.current(db, str(ref), versions.DRAFT)
    if row is not None and row["status"] != versions.DRAFT:
        # A page opened before someone else (or another tab) published, replaced or discarded it.
        discarded = row["status"] == versions.DISCARDED
        what = "replaced or discarded" if discarded else "published"
        who = row.get("ended_by") if discarded else row.get("published_by")
        by = f" by {who}" if who else ""
        raise CurationError(
            f"Version {row['seq']} of “{row['doc_id']}” is no longer a draft: it was {what}{by} since this page "
            "was loaded. Reload the page to see the latest."
        )
    if row is None:
        raise CurationError(f"There is no draft waiting for “{ref}”. Upload one first.")
    return row


def preview(row: dict, db: sqlite_utils.Database | None = None) -> dict:
    """What a draft holds, for people to check before publishing: its details, every clause it found, and (given
    the database) what publishing it would change that is easy to miss (`warnings`)."""
    doc = versions.from_json(row["content"])
    return {
        "draft": {k: row[k] for k in row if k != "content"},
        "clauses": [
            {"number": c.number, "kind": c.kind, "heading": c.heading, "title": c.title, "text": c.text}
            for c in doc.clauses
        ],
        "warnings": replacing(doc, load_document(db, doc.id)) if db is not None else [],
    }


def replacing(new: Document, live: Document | None) -> list[str]:
    """What publishing `new` over the live version would lose or change without a word: another title, far fewer
    clauses (the wrong file chosen as a new version), clauses' example questions (their wording changed)."""
    if live is None:
        return []
    out = []
    if " ".join(new.title.split()).lower() != " ".join(live.title.split()).lower():
        out.append(f"The title changes from “{live.title}” to “{new.title}”: check this is a new version of it.")
    if len(new.clauses) < 0.5 * len(live.clauses):
        out.append(
            f"It has {len(new.clauses)} clauses or passages where the live version has {len(live.clauses)}: "
            "publishing it removes the rest from every answer."
        )
    if live.version and not new.version:
        out.append(
            f"It has no version label (the live one is “{live.version}”): staff answers would name no version; "
            "set one with Edit details."
        )
    had = sum(bool(c.questions) for c in live.clauses)
    kept = sum(bool(c.questions) for c in new.clauses)
    if kept < had:
        out.append(
            f"{had - kept} of the {had} clauses that have example questions written for them would lose them "
            "(their wording changed, or they are gone), so TED would answer them less well."
        )
    return out


def publish(db: sqlite_utils.Database, ref: str | int, actor: str, embedder=None) -> dict:
    """Publish a draft: it becomes the live version (the old one goes to the history, never cited again). The
    draft is read and checked inside the transaction that publishes it, so two presses publish it once."""
    first = draft_for(db, ref)  # its texts encoded before the write transaction (knowledge.store)
    ahead = prepare_vectors(db, embedder, [versions.from_json(first["content"])])
    with forgetting(embedder, ahead), transaction(db):
        row = draft_for(db, ref)
        live = versions.current(db, row["doc_id"], versions.LIVE)
        if live is not None and live["seq"] > row["seq"]:
            # A version went live after this draft was made (an ingest, another draft): publishing this one would
            # bring older wording back over it.
            raise CurationError(
                f"This draft (version {row['seq']}) is older than the live version {live['seq']} of "
                f"“{row['doc_id']}”, so publishing it would bring back older wording: discard it, or upload the "
                "document again."
            )
        retired = versions.current(db, row["doc_id"], versions.RETIRED)
        if live is None and retired is not None and retired["seq"] > row["seq"]:
            raise CurationError(
                f"“{row['doc_id']}” was retired after this draft (version {row['seq']}) was made, so publishing it "
                "would bring a withdrawn policy back: upload the document again if it is to return."
            )
        result = publish_document(db, versions.from_json(row["content"]), row["id"], actor, embedder)
        return {**versions.get(db, row["id"]), "result": result, "content": None}


def discard(db: sqlite_utils.Database, ref: str | int, actor: str) -> dict:
    with transaction(db):
        row = draft_for(db, ref)
        _discard(db, row, actor, f"version {row['seq']}")
    return versions.get(db, row["id"])


def _discard(db: sqlite_utils.Database, row: dict, actor: str, what: str) -> None:
    """A waiting draft ends unpublished; the audit keeps what it was (its details and size), as for any change."""
    versions.end(db, row["id"], versions.DISCARDED, actor)
    audit.record(
        db, actor, audit.DISCARD, row["doc_id"], what, before=versions.details(versions.from_json(row["content"]))
    )


def retire(db: sqlite_utils.Database, doc_id: str, actor: str) -> None:
    """Withdraw a live document: never searched or cited again; its versions stay in the history."""
    with transaction(db):
        if not db.execute("select 1 from documents where id = ?", [doc_id]).fetchone():
            raise CurationError(f"“{doc_id}” is not a live document, so it can't be retired.")
        take_down(db, doc_id, actor, versions.RETIRED, audit.RETIRE)
        waiting = versions.current(db, doc_id, versions.DRAFT)
        if waiting is not None:  # made for the live document: one press must not bring a retired policy back
            _discard(db, waiting, actor, f"version {waiting['seq']} (the document was retired)")
        bump_revision(db)


def _clean_details(changes: dict) -> dict:
    out = {}
    for key, value in changes.items():
        if key not in versions.DETAILS or value is None:
            continue
        text = " ".join(str(value).split())
        if len(text) > MAX_DETAIL:
            raise CurationError(f"The {key.replace('_', ' ')} is too long (at most {MAX_DETAIL} characters).", key)
        if key in ("date", "next_review") and text:
            try:  # YYYY-MM-DD only: dates are compared as text, and 20270301 or 2027-W13-1 would never come up
                if not _DAY.match(text):
                    raise ValueError(text)
                date.fromisoformat(text)
            except ValueError:
                what = "review date" if key == "next_review" else "date"
                raise CurationError(f"The {what} must be a date like 2027-03-31, not “{text}”.", key) from None
        if key == "title" and not text:
            raise CurationError("A document needs a title.", "title")
        out[key] = text
    return out


def edit_details(db: sqlite_utils.Database, ref: str | int, changes: dict, actor: str) -> dict:
    """Change a document's title, owner, version, date or review date: the live document's (by document id, a
    str) or a draft's (by its version id, an int). Audited with the before and after. Returns the new details."""
    clean = _clean_details(changes)
    with transaction(db):
        if isinstance(ref, int):
            row = draft_for(db, ref)
            doc = versions.from_json(row["content"])
            before = {k: getattr(doc, k) for k in clean}
            doc = dataclasses.replace(doc, **clean)
            db["doc_versions"].update(row["id"], {**clean, "content": versions.to_json(doc)})
            doc_id, target = row["doc_id"], f"version {row['seq']}"
        else:
            doc_id, target = str(ref), "live"
            rows = list(db["documents"].rows_where("id = ?", [doc_id]))
            if not rows:
                raise CurationError(f"“{doc_id}” is not a live document.")
            cur = rows[0]
            before = {k: cur[k] for k in clean}
            db["documents"].update(doc_id, clean)
            row = versions.current(db, doc_id, versions.LIVE)
            if row is not None:
                change = dict(clean)
                if row["content"]:  # published from a draft: its kept copy says the same, so a restore does too
                    change["content"] = versions.to_json(
                        dataclasses.replace(versions.from_json(row["content"]), **clean)
                    )
                db["doc_versions"].update(row["id"], change)
            bump_revision(db, ingest=False)  # titles and owners are shown with every answer: the index re-reads them
        if clean != before:
            audit.record(db, actor, audit.EDIT, doc_id, target, before=before, after=clean)
    return clean
