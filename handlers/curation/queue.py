"""Teaching from real traffic: the questions TED couldn't answer and the answers staff marked 👎, each with TED's
best three clauses as one-click choices, and what the communications team did with each.

An item is dealt with once: *this clause answers it* (a taught phrasing, knowledge.teach), *not covered* (a
negative example for the document) or *dismiss*. The same unanswered question asked several times is one item.
Undoing what was taught (knowledge.teach.forget) puts its question back on the list.
"""

from __future__ import annotations

import re

import sqlite_utils

from core.db import transaction, utcnow
from knowledge import audit, teach
from knowledge.lifecycle import CurationError
from knowledge.search import KnowledgeIndex

UNANSWERED, FEEDBACK = "unanswered", "feedback"
KINDS = (UNANSWERED, FEEDBACK)
TAUGHT, NOT_COVERED, DISMISSED = "taught", "not_covered", "dismissed"
SNIPPET = 300
_NUMBER = re.compile(r"^\s*(\d{1,3}(?:\.\d{1,3})+)\s*$")


def _clause(hit, cited: tuple[str, str] = ("", "")) -> dict:
    return {
        "doc_id": hit.doc_id,
        "clause": hit.number,
        "title": hit.title or hit.heading,
        "text": hit.text[:SNIPPET] + ("…" if len(hit.text) > SNIPPET else ""),
        "score": round(getattr(hit, "score", 0.0), 4),
        "cited": (hit.doc_id, hit.number) == cited,
        "chosen": False,
    }


def _with_choice(index: KnowledgeIndex, suggestions: list[dict], chosen: str | None) -> list[dict]:
    """TED's suggestions with the clause the asker chose from the fallback's closest ones marked, and first (added
    when it is not among them; left out when it is no longer live)."""
    doc, _, clause = (chosen or "").partition("|")
    if not clause:
        return suggestions
    rest = [c for c in suggestions if (c["doc_id"], c["clause"]) != (doc, clause)]
    view = index.view(doc, clause)
    return [{**_clause(view), "chosen": True}, *rest][: max(len(suggestions), 1)] if view else suggestions


def suggest(index: KnowledgeIndex, question: str, k: int = 3, cited: tuple[str, str] = ("", "")) -> list[dict]:
    """TED's best *k* live clauses for a question (whatever its confidence)."""
    _, hits = index.search(question, limit=k)
    return [_clause(h, cited) for h in hits]


def search_clauses(index: KnowledgeIndex, text: str, limit: int = 8) -> list[dict]:
    """Clauses for the "find another clause" box: by number ("5.13") or by words."""
    m = _NUMBER.match(text or "")
    if m:
        found = index.with_number(m.group(1))
        return [
            {
                "doc_id": e.doc_id,
                "clause": e.number,
                "title": e.title or e.heading,
                "text": e.text[:SNIPPET],
                "score": 1.0,
                "cited": False,
            }
            for e in found
        ]
    return suggest(index, text, limit) if (text or "").strip() else []


def items(db: sqlite_utils.Database, index: KnowledgeIndex, limit: int = 30) -> dict:
    """{"unanswered": [...], "feedback": [...]}: what is still to deal with, newest first, with suggestions."""
    unanswered = list(
        db.query(
            # One max() and bare columns: SQLite takes them from the newest row of each group.
            "select max(u.id) as id, u.asked_at, count(*) as times, u.question, u.channel, u.best_doc, u.best_clause, "
            # the newest choice an asker made from the fallback's closest clauses, of any time it was asked
            "(select c.chosen_doc || '|' || c.chosen_clause from unanswered c where lower(trim(c.question)) = "
            "lower(trim(u.question)) and coalesce(c.chosen_clause, '') != '' order by c.id desc limit 1) as chosen "
            "from unanswered u where not exists (select 1 from kb_triage t where t.kind = 'unanswered' and "
            "t.item_id = u.id) and not exists (select 1 from taught x where x.kind = 'not_covered' and x.status = "
            "'active' and lower(x.question) = lower(trim(u.question))) "  # TED fell back as it was taught to
            "group by lower(trim(u.question)) order by max(u.id) desc limit ?",
            [limit],
        )
    )
    for u in unanswered:
        u["kind"] = UNANSWERED
        u["suggestions"] = _with_choice(index, suggest(index, u["question"]), u.pop("chosen"))
    down = list(
        db.query(
            "select f.id, f.given_at, f.channel, f.question, f.doc_id, f.clause, f.reason from feedback f "
            "where f.helpful = 0 and coalesce(f.question, '') != '' and not exists (select 1 from kb_triage t "
            "where t.kind = 'feedback' and t.item_id = f.id) order by f.id desc limit ?",
            [limit],
        )
    )
    for f in down:
        f["kind"] = FEEDBACK
        f["suggestions"] = suggest(index, f["question"], cited=(f["doc_id"] or "", f["clause"] or ""))
    return {UNANSWERED: unanswered, FEEDBACK: down}


def item(db: sqlite_utils.Database, kind: str, item_id: int) -> dict:
    table = {UNANSWERED: "unanswered", FEEDBACK: "feedback"}.get(kind)
    rows = list(db[table].rows_where("id = ?", [item_id])) if table else []
    if not rows:
        raise CurationError("That question is no longer on the list. Please reload the page.")
    if db.execute("select 1 from kb_triage where kind = ? and item_id = ?", [kind, item_id]).fetchone():
        raise CurationError("Someone has already dealt with that question. Please reload the page.")
    return rows[0]


def _settle(db: sqlite_utils.Database, kind: str, row: dict, outcome: str, actor: str, taught_id=None) -> None:
    """Mark the item dealt with, and the same question wherever else it waits: every time it was asked, and, when
    something was taught, on the other list too (a question both unanswered and given 👎 is settled once, not
    twice and perhaps both ways). Undoing the taught entry puts them all back (knowledge.teach.forget)."""
    settled = {(kind, row["id"])}
    # A dismissal stays on its own list (and its unanswered repeats): it has no undo, and a 👎 may carry a reason
    # nobody has read yet. What was taught is settled everywhere, and undone everywhere by forgetting it.
    if taught_id:
        lists = ((UNANSWERED, "unanswered"), (FEEDBACK, "feedback"))
    else:
        lists = ((UNANSWERED, "unanswered"),) if kind == UNANSWERED else ()
    for other, table in lists:
        settled |= {
            (other, r[0])
            for r in db.execute(
                f"select id from {table} x where lower(trim(question)) = lower(trim(?)) and not exists "  # nosec: constants
                "(select 1 from kb_triage t where t.kind = ? and t.item_id = x.id)",
                [row["question"], other],
            )
        }
    for k, i in sorted(settled):
        db["kb_triage"].insert(
            {"kind": k, "item_id": i, "outcome": outcome, "taught_id": taught_id, "actor": actor, "at": utcnow()},
            replace=True,
        )


def answer_with(
    db: sqlite_utils.Database, kind: str, item_id: int, doc_id: str, clause: str, actor: str, embedder=None
) -> int:
    """*This clause answers it*: the item's question becomes a taught phrasing of that clause, at once."""
    with transaction(db):
        row = item(db, kind, item_id)
        tid = teach.teach(db, clause, row["question"], actor, doc_id, source=kind, source_id=item_id, embedder=embedder)
        _settle(db, kind, row, TAUGHT, actor, tid)
    return tid


def not_covered(db: sqlite_utils.Database, kind: str, item_id: int, actor: str, doc_id: str = "", embedder=None) -> int:
    """*Not covered*: a negative example for the document (by default the one TED came closest with)."""
    with transaction(db):
        row = item(db, kind, item_id)
        doc = doc_id or row.get("best_doc") or row.get("doc_id") or ""
        tid = teach.not_covered(db, row["question"], actor, doc, source=kind, source_id=item_id, embedder=embedder)
        _settle(db, kind, row, NOT_COVERED, actor, tid)
    return tid


def dismiss(db: sqlite_utils.Database, kind: str, item_id: int, actor: str) -> None:
    with transaction(db):
        row = item(db, kind, item_id)
        _settle(db, kind, row, DISMISSED, actor)
        audit.record(
            db,
            actor,
            audit.DISMISS,
            row.get("best_doc") or row.get("doc_id") or "",
            f"{kind} {item_id}",
            before={"question": row["question"]},
        )
