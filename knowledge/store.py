"""Writing documents into the knowledge base, and reading them back.

Replacing a document is one transaction: its old clauses go and its new ones arrive
together, so a failed ingest leaves the knowledge base exactly as it was. The tables written here
(`documents`, `clauses`) hold live documents only; the version it replaces is kept in the history
(knowledge.versions) and every change is in the audit log (knowledge.audit), in the same transaction.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
from collections.abc import Iterable

import sqlite_utils
from rapidfuzz import fuzz

from core.db import transaction, utcnow
from knowledge import audit, versions
from knowledge.model import Clause, Document, Section

_CLAUSE_REF = re.compile(r"(?<![\d.])(\d{1,2}\.\d{1,3})(?![\d])")


def find_refs(text: str, own: str, known: set[str]) -> list[str]:
    """Clause numbers this text refers to ("Not withstanding the provisions of 5.13")."""
    out: list[str] = []
    for m in _CLAUSE_REF.finditer(text):
        n = m.group(1)
        if n != own and n in known and n not in out:
            out.append(n)
    return out


# What a file says of itself besides its clauses: a changed title, owner or version is a change to save.
_HASHED_DETAILS = ("title", "owner", "version", "date", "review_cycle", "next_review", "publisher", "related")


def content_hash(doc: Document) -> str:
    """A fingerprint of what a file says: its clauses, topics, "not covered" examples and details. Re-ingesting a
    file with the same fingerprint changes nothing (and keeps details someone edited in /admin since)."""
    h = hashlib.sha256()
    _clause_content(h, doc)
    h.update(b"\x01details")
    carried = doc.meta.get("carried", ())  # kept from the version before: the file says nothing of them
    for k in _HASHED_DETAILS:
        value = "" if k in carried else getattr(doc, k)
        h.update(f"\x00{k}={chr(31).join(value) if isinstance(value, tuple) else value}".encode())
    return h.hexdigest()[:16]


def _unchanged_since_legacy(db: sqlite_utils.Database, held: dict, doc: Document) -> bool:
    return held.get(doc.id) == legacy_hash(doc) and same_details(db, doc)


def same_details(db: sqlite_utils.Database, doc: Document) -> bool:
    """The stored document's details are the file's: those the file states (not kept from the version before,
    nor edited by hand since, which the file can't know of)."""
    row = db["documents"].get(doc.id)
    skip = set(doc.meta.get("carried", ())) | audit.edited_details(db, doc.id)
    for k in _HASHED_DETAILS:
        if k in skip:
            continue
        stored = row.get(k) or ""
        if k == "related":
            stored = tuple(json.loads(stored or "[]"))
        if stored != (getattr(doc, k) or ("" if k != "related" else ())):
            return False
    return True


def legacy_hash(doc: Document) -> str:
    """The fingerprint releases before 2026-12 kept (clauses, topics and "not covered" only): a document ingested
    then and unchanged since is still unchanged, not saved again as a new version."""
    h = hashlib.sha256()
    _clause_content(h, doc)
    return h.hexdigest()[:16]


def _clause_content(h, doc: Document) -> None:
    for c in doc.clauses:
        h.update(f"{c.number}\x00{c.text}\x00{c.title}\x00{c.summary}\x00".encode())
        h.update("\x00".join(c.keywords + c.questions).encode())
    h.update("\x00".join(doc.topics).encode())
    h.update("\x00".join(doc.not_covered).encode())


def bump_revision(db: sqlite_utils.Database, ingest: bool = True, progress=None) -> None:
    """The knowledge base changed: every index reloads before its next question (`ingest`: documents did). Inside
    the change's transaction, the stored index segments of the documents it touched are rebuilt with it
    (knowledge.postings); a very large one outside an ingest is left to the index's background build."""
    from knowledge import postings  # numpy: only when the knowledge base changes

    postings.update_segments(db, progress, limit=None if ingest else postings.SYNC_LIMIT)
    row = db.execute("select value from kb_meta where key = 'revision'").fetchone()
    rev = int(row[0]) + 1 if row else 1
    db["kb_meta"].upsert({"key": "revision", "value": str(rev)}, pk="key")
    if ingest:
        db["kb_meta"].upsert({"key": "last_ingest", "value": utcnow()}, pk="key")


def revision(db: sqlite_utils.Database) -> int:
    row = db.execute("select value from kb_meta where key = 'revision'").fetchone()
    return int(row[0]) if row else 0


def save_documents(
    db: sqlite_utils.Database,
    docs: Iterable[Document],
    replace_all: bool = False,
    embedder=None,
    actor: str = "ted ingest",
    progress=None,
) -> list[tuple[str, str]]:
    """Store (or replace) documents in one transaction, live at once (`ted ingest`).

    Returns [(doc_id, "added"|"replaced"|"unchanged"|"removed")]. With `replace_all`, documents
    not among *docs* are removed in the same transaction.
    With an `embedder` (knowledge.vectors), the new clauses' vectors are written in the same transaction.
    `progress(description, total)` makes a bar (tqdm's shape: `.update(n)`, `.close()`) for the slow steps.
    """
    docs = list(docs)
    results = []
    ahead = prepare_vectors(db, embedder, docs, progress)
    with forgetting(embedder, ahead), transaction(db):
        for doc in docs:
            results.append((doc.id, _save_one(db, doc, actor)))
        if replace_all:
            keep = {d for d, _ in results}
            for (old,) in db.execute("select id from documents").fetchall():
                if old not in keep:
                    take_down(db, old, actor, versions.RETIRED, audit.REMOVE)
                    results.append((old, "removed"))
        if any(r != "unchanged" for _, r in results):
            _finish(db, embedder, progress)
    return results


def publish_document(db: sqlite_utils.Database, doc: Document, draft_id: int, actor: str, embedder=None) -> str:
    """Make a draft the live version of its document, in one transaction: the old version's clauses leave the
    live tables for the history, the draft's arrive, with their vectors. "added" or "replaced"."""
    ahead = prepare_vectors(db, embedder, [doc])
    with forgetting(embedder, ahead), transaction(db):
        result = _save_one(db, doc, actor, draft_id)
        _finish(db, embedder)
    return result


def prepare_vectors(db: sqlite_utils.Database, embedder, docs: list[Document], progress=None) -> list[str]:
    """Encode the changed documents' texts before the write transaction opens (knowledge.vectors), so the
    database is held only to write them: the encoding of a long document takes seconds, and staff asking
    meanwhile are recorded. Nothing is encoded for a document that is unchanged."""
    if embedder is None or db.conn.in_transaction:
        return []
    from knowledge.vectors import prepare_documents

    held = dict(db.execute("select id, source_hash from documents").fetchall())
    changed = [d for d in docs if held.get(d.id) != content_hash(d) and not _unchanged_since_legacy(db, held, d)]
    return prepare_documents(embedder, changed, progress)


@contextlib.contextmanager
def forgetting(embedder, keys: list[str]):
    """What this change encoded ahead and didn't use (it was refused, or rolled back) is not kept in memory."""
    try:
        yield
    finally:
        if keys and embedder is not None:
            embedder.forget_prepared(keys)


def _finish(db: sqlite_utils.Database, embedder, progress=None) -> None:
    if embedder is not None:
        from knowledge.vectors import ensure_vectors  # numpy and the model only when vectors are wanted

        ensure_vectors(db, embedder, progress)
    bump_revision(db, progress=progress)


def take_down(db: sqlite_utils.Database, doc_id: str, actor: str, status: str, action: str) -> None:
    """Remove a live document from the live tables (retired, or removed by `ingest --replace`); its clauses
    stay in the history and what was taught about it is kept, marked orphaned. Inside a transaction."""
    old = load_document(db, doc_id)
    live = versions.current(db, doc_id, versions.LIVE)
    if live is None and old is not None:  # live since before versions were kept
        live = versions.get(db, versions.went_live(db, old, None, actor))
    if live is not None:
        versions.end(db, live["id"], status, actor, old)
    for table in ("clause_vectors", "clauses"):
        db.execute(f"delete from {table} where doc_id = ?", [doc_id])
    db.execute("delete from not_covered where doc_id = ? and source = 'document'", [doc_id])
    db.execute("delete from documents where id = ?", [doc_id])
    orphan_taught(db, doc_id, actor)
    audit.record(db, actor, action, doc_id, f"version {live['seq']}" if live else "", before=versions.details(old))


SAME_RULE = 80  # rapidfuzz ratio of a clause's old and new words above which it still says the same thing


def orphan_taught(db: sqlite_utils.Database, doc_id: str, actor: str, old: Document | None = None) -> list[int]:
    """Taught phrasings whose clause number the live document no longer has are dropped (listed as orphaned),
    and so are those whose clause now says something else under the same number (`old`: the version before;
    "1.2 Visitors park in the visitor bays" become "1.2 Electric vehicles may charge by the library"). A clause
    reworded lightly (a typo, a name) keeps what was taught. Inside a transaction."""
    live = {n: t for n, t in db.execute("select number, text from clauses where doc_id = ?", [doc_id]).fetchall()}
    before = {c.number: c.text for c in old.clauses} if old else {}

    def said_the_same(number: str) -> bool:
        if number not in before:
            return True
        a, b = (" ".join(t.lower().split()) for t in (before[number], live[number]))
        return a == b or fuzz.ratio(a, b) >= SAME_RULE

    rows = db.execute(
        "select id, clause from taught where kind = 'phrasing' and status = 'active' and doc_id = ?", [doc_id]
    ).fetchall()
    gone = [(tid, clause) for tid, clause in rows if clause not in live or not said_the_same(clause)]
    if not live:  # the document is gone (retired, replaced): what was marked "not covered" by it goes with it
        for tid, nc_id in db.execute(
            "select id, not_covered_id from taught where kind = 'not_covered' and status = 'active' and doc_id = ?",
            [doc_id],
        ).fetchall():
            db.execute("delete from not_covered where id = ?", [nc_id])
            gone.append((tid, ""))
    for tid, clause in gone:
        db.execute(
            "update taught set status = 'orphaned', ended_at = ?, ended_by = ? where id = ?", [utcnow(), actor, tid]
        )
        why = (
            "its document was withdrawn"
            if not live
            else "its clause is no longer in the document"
            if clause not in live
            else "its clause's wording changed"
        )
        audit.record(db, actor, audit.ORPHAN, doc_id, f"taught {tid}", before={"clause": clause, "why": why})
    return [tid for tid, _ in gone]


def _save_one(db: sqlite_utils.Database, doc: Document, actor: str, draft_id: int | None = None) -> str:
    digest = content_hash(doc)
    existing = db.execute("select source_hash from documents where id = ?", [doc.id]).fetchone()
    if existing and draft_id is None and existing[0] == digest:
        return "unchanged"
    if existing and draft_id is None and existing[0] == legacy_hash(doc) and same_details(db, doc):
        # Kept by an earlier release, whose fingerprint left the details out: the same file if its details are
        # what is stored (those kept from the version before, or edited by hand since, aside). From now on it is
        # fingerprinted the new way.
        db["documents"].update(doc.id, {"source_hash": digest})
        return "unchanged"
    old = load_document(db, doc.id) if existing else None
    db.execute("delete from clause_vectors where doc_id = ?", [doc.id])
    db.execute("delete from clauses where doc_id = ?", [doc.id])
    # The document's own "not covered" examples are replaced with it; those its owners taught stay.
    db.execute("delete from not_covered where doc_id = ? and source = 'document'", [doc.id])
    db["documents"].upsert(
        {
            "id": doc.id,
            "title": doc.title,
            "publisher": doc.publisher,
            "source": doc.source,
            "source_hash": digest,
            "format": doc.format,
            "owner": doc.owner,
            "version": doc.version,
            "date": doc.date,
            "review_cycle": doc.review_cycle,
            "next_review": doc.next_review,
            "related": json.dumps(list(doc.related)),
            "sections": json.dumps([{"number": s.number, "title": s.title} for s in doc.sections]),
            "topics": json.dumps(list(doc.topics)),
            "ingested_at": utcnow(),
        },
        pk="id",
    )
    known = {c.number for c in doc.clauses}
    db["clauses"].insert_all(
        (
            {
                "doc_id": doc.id,
                "number": c.number,
                "kind": c.kind,
                "section": c.section,
                "heading": c.heading,
                "title": c.title,
                "text": c.text,
                "summary": c.summary,
                "keywords": "; ".join(c.keywords),
                "questions": "\n".join(c.questions),
                "refs": json.dumps(find_refs(c.text, c.number, known)),
                "position": i,
            }
            for i, c in enumerate(doc.clauses)
        ),
        batch_size=500,
    )
    if doc.not_covered:
        db["not_covered"].insert_all(
            {"doc_id": doc.id, "question": q, "source": "document", "added_by": "", "added_at": utcnow()}
            for q in doc.not_covered
        )
    vid = versions.went_live(db, doc, old, actor, draft_id)
    orphan_taught(db, doc.id, actor, old)
    audit.record(
        db,
        actor,
        audit.PUBLISH if draft_id is not None else audit.INGEST,
        doc.id,
        f"version {versions.get(db, vid)['seq']}",
        before=versions.details(old),
        after=versions.details(doc),
    )
    return "replaced" if existing else "added"


def remove_document(db: sqlite_utils.Database, doc_id: str, actor: str = "ted") -> bool:
    with transaction(db):
        if not db.execute("select 1 from documents where id = ?", [doc_id]).fetchone():
            return False
        take_down(db, doc_id, actor, versions.RETIRED, audit.REMOVE)
        bump_revision(db)
    return True


def document_count(db: sqlite_utils.Database) -> int:
    return db.execute("select count(*) from documents").fetchone()[0]


def ever_held(db: sqlite_utils.Database) -> bool:
    """Whether any document was ever live or drafted here (a retired one included): first use is only once."""
    return bool(document_count(db) or db.execute("select 1 from doc_versions limit 1").fetchone())


def list_documents(db: sqlite_utils.Database) -> list[dict]:
    rows = db.execute(
        "select d.*, (select count(*) from clauses c where c.doc_id = d.id) as clause_count "
        "from documents d order by d.id"
    )
    cols = [c[0] for c in rows.description]
    return [dict(zip(cols, r, strict=True)) for r in rows.fetchall()]


def load_document(db: sqlite_utils.Database, doc_id: str) -> Document | None:
    row = db.execute("select * from documents where id = ?", [doc_id]).fetchone()
    if not row:
        return None
    cols = [c[0] for c in db.execute("select * from documents limit 0").description]
    d = dict(zip(cols, row, strict=True))
    clauses = tuple(
        Clause(
            number=r["number"],
            text=r["text"],
            section=r["section"],
            heading=r["heading"],
            title=r["title"],
            summary=r["summary"],
            keywords=tuple(k for k in r["keywords"].split("; ") if k),
            questions=tuple(q for q in r["questions"].split("\n") if q),
            kind=r["kind"],
        )
        for r in db["clauses"].rows_where("doc_id = ?", [doc_id], order_by="position")
    )
    return Document(
        id=d["id"],
        title=d["title"],
        clauses=clauses,
        sections=tuple(Section(**s) for s in json.loads(d["sections"] or "[]")),
        publisher=d["publisher"],
        source=d["source"],
        format=d["format"],
        owner=d["owner"],
        version=d["version"],
        date=d["date"],
        review_cycle=d["review_cycle"],
        next_review=d["next_review"],
        related=tuple(json.loads(d["related"] or "[]")),
        topics=tuple(json.loads(d.get("topics") or "[]")),
        not_covered=tuple(
            r[0]
            for r in db.execute(
                "select question from not_covered where doc_id = ? and source = 'document' order by id", [doc_id]
            )
        ),
    )
