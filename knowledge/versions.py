"""Document versions: the rows of `doc_versions` and a document as JSON (a draft, or a version it replaced).

A document's life cycle: *draft* (uploaded, previewed, never searched or cited) -> *live* (its clauses are the
`clauses` table, the only ones TED searches and cites) -> *superseded* (a newer version went live) or
*retired* (withdrawn). A draft nobody wants is *discarded*. Only knowledge.store and knowledge.lifecycle write
these rows, always inside the transaction that changes the live tables.
"""

from __future__ import annotations

import dataclasses
import json

import sqlite_utils

from core.db import utcnow
from knowledge.model import Clause, Document, Section

DRAFT, LIVE, SUPERSEDED, RETIRED, DISCARDED = "draft", "live", "superseded", "retired", "discarded"
DETAILS = ("title", "owner", "version", "date", "next_review")  # what people may edit on a document
_ROW_META = (*DETAILS, "review_cycle", "source", "format")


def to_json(doc: Document) -> str:
    data = dataclasses.asdict(doc)
    meta = data.pop("meta", None) or {}
    if meta.get("carried"):  # details kept from the version before, not said by the file (its fingerprint skips them)
        data["carried"] = list(meta["carried"])
    return json.dumps(data, ensure_ascii=False)


def from_json(text: str) -> Document:
    data = json.loads(text)
    clauses = tuple(
        Clause(**{**c, "keywords": tuple(c["keywords"]), "questions": tuple(c["questions"])})
        for c in data.pop("clauses")
    )
    sections = tuple(Section(**s) for s in data.pop("sections"))
    listed = {k: tuple(data.pop(k, ())) for k in ("related", "topics", "not_covered")}
    carried = tuple(data.pop("carried", ()))
    return Document(clauses=clauses, sections=sections, **listed, **data, meta={"carried": carried} if carried else {})


def details(doc: Document | None) -> dict | None:
    """What the audit log keeps of a version: its details and size."""
    if doc is None:
        return None
    return {**{k: getattr(doc, k) for k in (*DETAILS, "review_cycle")}, "clauses": len(doc.clauses)}


def _row(doc: Document) -> dict:
    return {**{k: getattr(doc, k) for k in _ROW_META}, "clause_count": len(doc.clauses)}


def next_seq(db: sqlite_utils.Database, doc_id: str) -> int:
    return db.execute("select coalesce(max(seq), 0) + 1 from doc_versions where doc_id = ?", [doc_id]).fetchone()[0]


def get(db: sqlite_utils.Database, version_id: int) -> dict | None:
    rows = list(db["doc_versions"].rows_where("id = ?", [version_id]))
    return rows[0] if rows else None


def current(db: sqlite_utils.Database, doc_id: str, status: str) -> dict | None:
    rows = list(
        db["doc_versions"].rows_where("doc_id = ? and status = ?", [doc_id, status], order_by="id desc", limit=1)
    )
    return rows[0] if rows else None


def add_draft(db: sqlite_utils.Database, doc: Document, actor: str) -> int:
    return (
        db["doc_versions"]
        .insert(
            {
                "doc_id": doc.id,
                "seq": next_seq(db, doc.id),
                "status": DRAFT,
                **_row(doc),
                "content": to_json(doc),
                "created_at": utcnow(),
                "created_by": actor,
            }
        )
        .last_pk
    )


def end(db: sqlite_utils.Database, version_id: int, status: str, actor: str, doc: Document | None = None) -> None:
    """A version stops being live or a draft (superseded, retired, discarded); a live one's clauses are kept."""
    change = {"status": status, "ended_at": utcnow(), "ended_by": actor}
    if doc is not None:
        change["content"] = to_json(doc)
    db["doc_versions"].update(version_id, change)


def went_live(
    db: sqlite_utils.Database, doc: Document, old: Document | None, actor: str, draft_id: int | None = None
) -> int:
    """Record that *doc* is now the live version (the live tables were just written): the one it replaces is
    superseded, keeping its clauses, and the draft it came from (if any) becomes the live row."""
    live = current(db, doc.id, LIVE)
    if live is not None:
        end(db, live["id"], SUPERSEDED, actor, old if live["content"] is None and old is not None else None)
    elif old is not None:  # live since before versions were kept
        vid = (
            db["doc_versions"]
            .insert(
                {
                    "doc_id": doc.id,
                    "seq": next_seq(db, doc.id),
                    **_row(old),
                    "content": to_json(old),
                    "created_at": "",
                    "created_by": "",
                }
            )
            .last_pk
        )
        end(db, vid, SUPERSEDED, actor)
    now = utcnow()
    if draft_id is not None:
        db["doc_versions"].update(
            draft_id, {"status": LIVE, **_row(doc), "content": to_json(doc), "published_at": now, "published_by": actor}
        )
        return draft_id
    # A plain ingest: the live tables hold the clauses, so the row keeps none until it is replaced.
    return (
        db["doc_versions"]
        .insert(
            {
                "doc_id": doc.id,
                "seq": next_seq(db, doc.id),
                "status": LIVE,
                **_row(doc),
                "content": None,
                "created_at": now,
                "created_by": actor,
                "published_at": now,
                "published_by": actor,
            }
        )
        .last_pk
    )


def history(db: sqlite_utils.Database, doc_id: str) -> list[dict]:
    """Every version of a document, newest first, without its clauses."""
    cols = [c.name for c in db["doc_versions"].columns if c.name != "content"]
    return list(db.query(f"select {', '.join(cols)} from doc_versions where doc_id = ? order by seq desc", [doc_id]))


def overview(db: sqlite_utils.Database) -> list[dict]:
    """One row per document ever held: its live (or last) version and any draft waiting."""
    out: dict[str, dict] = {}
    for r in db.query(
        "select id, doc_id, seq, status, title, owner, version, date, review_cycle, next_review, "
        "clause_count, created_at, created_by, published_at, published_by, ended_at, ended_by "
        "from doc_versions where status != 'discarded' order by doc_id, seq"
    ):
        entry = out.setdefault(r["doc_id"], {"doc_id": r["doc_id"], "current": None, "draft": None})
        if r["status"] == DRAFT:
            entry["draft"] = r
        else:
            entry["current"] = r
    live = {doc_id for (doc_id,) in db.execute("select id from documents")}  # the live tables are the truth
    for doc_id in live:
        out.setdefault(doc_id, {"doc_id": doc_id, "current": None, "draft": None})
    rows = []
    for entry in sorted(out.values(), key=lambda e: e["doc_id"]):
        cur = entry["current"]
        entry["status"] = LIVE if entry["doc_id"] in live else cur["status"] if cur else DRAFT
        rows.append(entry)
    return rows
