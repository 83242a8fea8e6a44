"""The knowledge base's audit log: who changed what, when, with the before and after.

Every change to a document's life cycle (draft, publish, ingest, retire, details edited) and to what TED was
taught is written here in the same transaction as the change itself, so the log never misses one.
Shown at /admin/knowledge and by `ted kb history DOC_ID`.
"""

from __future__ import annotations

import getpass
import json

import sqlite_utils

from core.db import utcnow

# actions
DRAFT, DISCARD, PUBLISH, INGEST, RETIRE, REMOVE, EDIT = (
    "draft",
    "discard",
    "publish",
    "ingest",
    "retire",
    "remove",
    "edit",
)
TEACH, NOT_COVERED, FORGET, ORPHAN, DISMISS = "teach", "not_covered", "forget", "orphan", "dismiss"
RESTORE = "restore"

# What each action is, in the words of the page that lists them (/admin/knowledge).
LABELS = {
    DRAFT: "uploaded a draft",
    DISCARD: "discarded a draft",
    PUBLISH: "published",
    INGEST: "ingested",
    RETIRE: "retired the document",
    REMOVE: "removed the document",
    EDIT: "edited the details",
    TEACH: "taught a phrasing",
    NOT_COVERED: "marked a question not covered",
    FORGET: "undid a taught entry",
    ORPHAN: "a taught entry's clause went",
    DISMISS: "dismissed a question",
    RESTORE: "restored",
}
_TARGETS = (("taught ", "taught entry "), ("unanswered ", "unanswered question "), ("feedback ", "👎 answer "))


def what(entry: dict) -> str:
    """An audit entry's action and what it touched, as people say it: "taught a phrasing (taught entry 2)"."""
    target = entry.get("target") or ""
    for raw, said in _TARGETS:
        if target.startswith(raw):
            target = said + target[len(raw) :]
            break
    label = LABELS.get(entry.get("action", ""), entry.get("action", ""))
    return f"{label} ({target})" if target else label


def cli_actor() -> str:
    """Who is changing the knowledge base from the command line: their login name."""
    try:
        return f"{getpass.getuser()} (command line)"
    except (KeyError, OSError):  # no login name (a container without a passwd entry)
        return "command line"


def record(
    db: sqlite_utils.Database,
    actor: str,
    action: str,
    doc_id: str = "",
    target: str = "",
    before: dict | None = None,
    after: dict | None = None,
) -> int:
    """One audit entry; call it inside the transaction that makes the change."""
    return (
        db["kb_audit"]
        .insert(
            {
                "at": utcnow(),
                "actor": actor or "ted",
                "action": action,
                "doc_id": doc_id,
                "target": target,
                "before": json.dumps(before, ensure_ascii=False) if before is not None else "",
                "after": json.dumps(after, ensure_ascii=False) if after is not None else "",
            }
        )
        .last_pk
    )


def entries(db: sqlite_utils.Database, doc_id: str | None = None, limit: int = 200) -> list[dict]:
    """Newest first; `before`/`after` decoded."""
    where, args = ("doc_id = ?", [doc_id]) if doc_id else (None, [])
    rows = db["kb_audit"].rows_where(where, args, order_by="id desc", limit=limit)
    return [
        {
            **r,
            "before": json.loads(r["before"]) if r["before"] else None,
            "after": json.loads(r["after"]) if r["after"] else None,
        }
        for r in rows
    ]


def describe(entry: dict) -> str:
    """One line for people: "edit: owner 'Comms' -> 'Casey Morgan'"."""
    before, after = entry.get("before") or {}, entry.get("after") or {}
    changed = [k for k in sorted(set(before) | set(after)) if before.get(k) != after.get(k)]
    if entry["action"] == EDIT and changed:
        return "; ".join(f"{k} {before.get(k) or '—'!r} → {after.get(k) or '—'!r}" for k in changed)
    bits = []
    for label, data in (("before", before), ("after", after)):
        if data:
            bits.append(f"{label}: " + ", ".join(f"{k} {v!r}" for k, v in data.items() if v not in ("", None)))
    return "; ".join(bits)


def edited_details(db: sqlite_utils.Database, doc_id: str) -> set[str]:
    """The details of a document someone changed by hand (`ted kb edit`, /admin), from the audit log."""
    out: set[str] = set()
    for entry in entries(db, doc_id, limit=10_000):
        if entry["action"] == EDIT and isinstance(entry.get("after"), dict):
            out |= set(entry["after"])
    return out
