"""Writing documents into the knowledge base, and reading them back.

Replacing a document is one transaction: its old clauses go and its new ones arrive
together, so a failed ingest leaves the knowledge base exactly as it was.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable

import sqlite_utils

from core.db import transaction, utcnow
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


def content_hash(doc: Document) -> str:
    h = hashlib.sha256()
    for c in doc.clauses:
        h.update(f"{c.number}\x00{c.text}\x00{c.title}\x00{c.summary}\x00".encode())
        h.update("\x00".join(c.keywords + c.questions).encode())
    h.update("\x00".join(doc.topics).encode())
    h.update("\x00".join(doc.not_covered).encode())
    return h.hexdigest()[:16]


def bump_revision(db: sqlite_utils.Database) -> None:
    row = db.execute("select value from kb_meta where key = 'revision'").fetchone()
    rev = int(row[0]) + 1 if row else 1
    db["kb_meta"].upsert({"key": "revision", "value": str(rev)}, pk="key")
    db["kb_meta"].upsert({"key": "last_ingest", "value": utcnow()}, pk="key")


def revision(db: sqlite_utils.Database) -> int:
    row = db.execute("select value from kb_meta where key = 'revision'").fetchone()
    return int(row[0]) if row else 0


def save_documents(db: sqlite_utils.Database, docs: Iterable[Document],
                   replace_all: bool = False, embedder=None) -> list[tuple[str, str]]:
    """Store (or replace) documents in one transaction.

    Returns [(doc_id, "added"|"replaced"|"unchanged"|"removed")]. With `replace_all`, documents
    not among *docs* are removed in the same transaction.
    With an `embedder` (knowledge.vectors), the new clauses' vectors are written in the same transaction.
    """
    results = []
    with transaction(db):
        for doc in docs:
            results.append((doc.id, _save_one(db, doc)))
        if replace_all:
            keep = {d for d, _ in results}
            for (old,) in db.execute("select id from documents").fetchall():
                if old not in keep:
                    for table in ("clause_vectors", "clauses", "not_covered"):
                        db.execute(f"delete from {table} where doc_id = ?", [old])
                    db.execute("delete from documents where id = ?", [old])
                    results.append((old, "removed"))
        if any(r != "unchanged" for _, r in results):
            if embedder is not None:
                from knowledge.vectors import ensure_vectors  # numpy and the model only when vectors are wanted

                ensure_vectors(db, embedder)
            bump_revision(db)
    return results


def _save_one(db: sqlite_utils.Database, doc: Document) -> str:
    digest = content_hash(doc)
    existing = db.execute("select source_hash from documents where id = ?", [doc.id]).fetchone()
    if existing and existing[0] == digest:
        return "unchanged"
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
    return "replaced" if existing else "added"


def remove_document(db: sqlite_utils.Database, doc_id: str) -> bool:
    with transaction(db):
        if not db.execute("select 1 from documents where id = ?", [doc_id]).fetchone():
            return False
        for table in ("clause_vectors", "clauses", "not_covered"):
            db.execute(f"delete from {table} where doc_id = ?", [doc_id])
        db.execute("delete from documents where id = ?", [doc_id])
        bump_revision(db)
    return True


def document_count(db: sqlite_utils.Database) -> int:
    return db.execute("select count(*) from documents").fetchone()[0]


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
            number=r["number"], text=r["text"], section=r["section"], heading=r["heading"],
            title=r["title"], summary=r["summary"],
            keywords=tuple(k for k in r["keywords"].split("; ") if k),
            questions=tuple(q for q in r["questions"].split("\n") if q), kind=r["kind"],
        )
        for r in db["clauses"].rows_where("doc_id = ?", [doc_id], order_by="position")
    )
    return Document(
        id=d["id"], title=d["title"], clauses=clauses,
        sections=tuple(Section(**s) for s in json.loads(d["sections"] or "[]")),
        publisher=d["publisher"], source=d["source"], format=d["format"], owner=d["owner"],
        version=d["version"], date=d["date"], review_cycle=d["review_cycle"],
        next_review=d["next_review"], related=tuple(json.loads(d["related"] or "[]")),
        topics=tuple(json.loads(d.get("topics") or "[]")),
        not_covered=tuple(r[0] for r in db.execute(
            "select question from not_covered where doc_id = ? and source = 'document' order by id", [doc_id])),
    )
