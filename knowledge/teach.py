"""Teaching TED from real questions: "this clause answers it", "the document doesn't cover it", and undo.

A taught phrasing is kept in `taught` by document and clause *number*, not by clause row: the index adds it
to that clause's example questions (knowledge.search, lexical signals) and knowledge.vectors gives it a vector
like an example question (field `t<ID>`, semantic signal), so close rephrasings are answered too. A new
version of the document that still has the clause number keeps it; one that hasn't drops it, listed as
orphaned (knowledge.store.orphan_taught). A "not covered" question is a row of `not_covered` (source
'taught'), which TED's confidence weighs against the document's clauses when it is close. A question nearest to
a taught example of either kind, and clearly so, is settled by it (knowledge.calibration.taught_decides,
knowledge.answer), unless it says more than the example in another clause's words (`says_more`).

Every change is one transaction with its audit entry and a new knowledge-base revision, so every index
reloads before its next question: teaching takes effect at once.
"""

from __future__ import annotations

import re

import sqlite_utils

from core.db import row_id, transaction, utcnow
from knowledge import audit
from knowledge.lifecycle import CurationError
from knowledge.query import Query
from knowledge.store import bump_revision
from knowledge.text import content_words, stem

PHRASING, NOT_COVERED = "phrasing", "not_covered"
ACTIVE, ORPHANED, FORGOTTEN = "active", "orphaned", "forgotten"
MAX_QUESTION = 500


def _already(db: sqlite_utils.Database, q: str, kind: str) -> dict | None:
    """The active taught entry of the other kind with the same words: a question can't be both answered by a
    clause and not covered (the two would pull TED opposite ways). Undo one before teaching the other."""
    other = NOT_COVERED if kind == PHRASING else PHRASING
    for row in db.query(
        "select id, doc_id, clause, question from taught where kind = ? and status = ?", [other, ACTIVE]
    ):
        if same_words(row["question"]) == same_words(q):
            return row
    return None


def _refuse_contradiction(db: sqlite_utils.Database, q: str, kind: str) -> None:
    if (row := _already(db, q, kind)) is None:
        return
    was = f"answered by {row['clause']} ({row['doc_id']})" if kind == NOT_COVERED else f"not covered by {row['doc_id']}"
    raise CurationError(
        f"“{row['question']}” is already taught as {was} (taught entry {row['id']}): undo that first "
        f"(`ted kb forget {row['id']}`, or Undo in /admin/knowledge), then teach it again."
    )


def _question(text: str) -> str:
    q = " ".join((text or "").split())
    if not q:
        raise CurationError("Which question? It is empty.")
    if len(q) > MAX_QUESTION:
        raise CurationError(f"That question is too long to teach (at most {MAX_QUESTION} characters).")
    return q


def find_clause(db: sqlite_utils.Database, number: str, doc_id: str = "") -> tuple[str, str]:
    """(doc id, clause number) of a live clause; CurationError naming the documents when it is ambiguous."""
    number = (number or "").strip()
    where, args = ("number = ?", [number]) if not doc_id else ("number = ? and doc_id = ?", [number, doc_id])
    docs = [r[0] for r in db.execute(f"select doc_id from clauses where {where} order by doc_id", args)]
    if not docs:
        raise CurationError(f"There is no live clause {number}" + (f" in “{doc_id}”." if doc_id else "."))
    if len(docs) > 1:
        raise CurationError(f"Clause {number} is in several documents ({', '.join(docs)}); say which one.")
    return docs[0], number


def live_document(db: sqlite_utils.Database, doc_id: str = "") -> str:
    """A live document by id, or the only one when none is named."""
    ids = [r[0] for r in db.execute("select id from documents order by id")]
    if doc_id:
        if doc_id not in ids:
            raise CurationError(f"“{doc_id}” is not a live document.")
        return doc_id
    if len(ids) != 1:
        raise CurationError("Which document? Name one of: " + (", ".join(ids) or "none is live"))
    return ids[0]


def _finish(db: sqlite_utils.Database, embedder) -> None:
    if embedder is not None:
        from knowledge.vectors import ensure_vectors  # numpy and the model only when vectors are wanted

        ensure_vectors(db, embedder)
    bump_revision(db, ingest=False)


def check_phrasing(db: sqlite_utils.Database, number: str, question: str, doc_id: str = "") -> None:
    """CurationError if `teach` would refuse this (an empty or over-long question, no such live clause)."""
    _question(question)
    find_clause(db, number, doc_id)


def check_not_covered(db: sqlite_utils.Database, question: str, doc_id: str = "") -> None:
    """CurationError if `not_covered` would refuse this."""
    _question(question)
    live_document(db, doc_id)


def teach(
    db: sqlite_utils.Database,
    number: str,
    question: str,
    actor: str,
    doc_id: str = "",
    source: str = "cli",
    source_id: int | None = None,
    embedder=None,
) -> int:
    """Teach that *question* is answered by clause *number*. Returns the taught entry's id (an existing one
    when the same phrasing was already taught to that clause)."""
    q = _question(question)
    doc, number = find_clause(db, number, doc_id)
    with transaction(db):
        _refuse_contradiction(db, q, PHRASING)
        same = [
            tid
            for tid, text in db.execute(
                "select id, question from taught where kind = ? and status = ? and doc_id = ? and clause = ?",
                [PHRASING, ACTIVE, doc, number],
            )
            if same_words(text) == same_words(q)  # "Can I…?" and "can i…" are one phrasing
        ]
        if same:
            return same[0]
        tid = (
            db["taught"]
            .insert(
                {
                    "kind": PHRASING,
                    "doc_id": doc,
                    "clause": number,
                    "question": q,
                    "status": ACTIVE,
                    "source": source,
                    "source_id": source_id,
                    "added_by": actor,
                    "added_at": utcnow(),
                }
            )
            .last_pk
        )
        audit.record(db, actor, audit.TEACH, doc, f"taught {tid}", after={"clause": number, "question": q})
        _finish(db, embedder)
    return tid


def not_covered(
    db: sqlite_utils.Database,
    question: str,
    actor: str,
    doc_id: str = "",
    source: str = "cli",
    source_id: int | None = None,
    embedder=None,
) -> int:
    """Teach that the document does not cover *question* (TED should fall back on it and its rephrasings)."""
    q = _question(question)
    doc = live_document(db, doc_id)
    with transaction(db):
        _refuse_contradiction(db, q, NOT_COVERED)
        nid = (
            db["not_covered"]
            .insert({"doc_id": doc, "question": q, "source": "taught", "added_by": actor, "added_at": utcnow()})
            .last_pk
        )
        tid = (
            db["taught"]
            .insert(
                {
                    "kind": NOT_COVERED,
                    "doc_id": doc,
                    "clause": "",
                    "question": q,
                    "status": ACTIVE,
                    "source": source,
                    "source_id": source_id,
                    "not_covered_id": nid,
                    "added_by": actor,
                    "added_at": utcnow(),
                }
            )
            .last_pk
        )
        audit.record(db, actor, audit.NOT_COVERED, doc, f"taught {tid}", after={"question": q})
        _finish(db, embedder)
    return tid


def forget(db: sqlite_utils.Database, taught_id: int, actor: str) -> dict:
    """Undo a taught entry: the phrasing leaves the clause (and its vector goes), or the "not covered" example
    is deleted; the question it came from goes back on the list to deal with."""
    n = row_id(taught_id)
    with transaction(db):
        rows = list(db["taught"].rows_where("id = ? and status != ?", [n, FORGOTTEN])) if n is not None else []
        if not rows:
            if n is not None and db.execute("select 1 from taught where id = ?", [n]).fetchone():
                raise CurationError(f"What was taught as {taught_id} has already been undone: nothing to do.")
            raise CurationError(f"Nothing taught has the id {taught_id}.")
        row = rows[0]
        if row["kind"] == PHRASING:
            db.execute("delete from clause_vectors where field = ?", [f"t{row['id']}"])
        elif row["not_covered_id"]:
            db.execute("delete from not_covered where id = ?", [row["not_covered_id"]])
        db["taught"].update(row["id"], {"status": FORGOTTEN, "ended_by": actor, "ended_at": utcnow()})
        db.execute("delete from kb_triage where taught_id = ?", [row["id"]])
        audit.record(
            db,
            actor,
            audit.FORGET,
            row["doc_id"],
            f"taught {row['id']}",
            before={"kind": row["kind"], "clause": row["clause"], "question": row["question"]},
        )
        bump_revision(db, ingest=False)
    return row


def same_words(text: str) -> str:
    """A question as its words alone: case, spacing and punctuation aside ("Can I…?" is "can i…")."""
    return " ".join(re.findall(r"\w+", text.lower()))


def _taught_rows(db: sqlite_utils.Database, question: str) -> tuple[list, list]:
    """(live taught phrasings, taught "not covered" questions) worded as this question, newest first."""
    q = same_words(question)
    phrasings = [
        r[0]
        for r in db.execute(
            "select c.rowid, t.question from taught t join clauses c on c.doc_id = t.doc_id and c.number = t.clause "
            "where t.kind = ? and t.status = ? order by t.id desc",
            [PHRASING, ACTIVE],
        ).fetchall()
        if same_words(r[1]) == q
    ]
    covered = [
        r[0]
        for r in db.execute(
            "select n.doc_id, n.question from not_covered n join documents d on d.id = n.doc_id "
            "where n.source = 'taught' order by n.rowid desc"
        ).fetchall()
        if same_words(r[1]) == q
    ]
    return phrasings, covered


def is_taught(db: sqlite_utils.Database, question: str) -> bool:
    """Whether this very question (case, spacing and punctuation aside) is a phrasing taught to a live clause."""
    return bool(_taught_rows(db, question)[0])


def taught_exactly(db: sqlite_utils.Database, question: str) -> tuple[str, int | str] | None:
    """What was taught about this very question (case, spacing and punctuation aside): ("phrasing", the live
    clause's rowid) or ("not_covered", its document id); None when nothing was. With the semantic signal off this
    is how teaching still takes effect at once (the rewordings then count only through the word signals)."""
    phrasings, covered = _taught_rows(db, question)
    if phrasings:
        return PHRASING, int(phrasings[0])
    return ("not_covered", covered[0]) if covered else None


# Words that change how a question is put, not what it asks: "who is the director *right now*", "should I report
# it *anyway*". A rewording that adds one still asks what was taught.
FILLER = frozenset(
    "now right currently presently anyway still actually really just even also too ever quick please pls "
    "exactly basically honestly".split()
)


def says_more(query: Query, example: str, wording: dict[str, float], other: dict[str, float], typo: float) -> bool:
    """Whether the question says something its taught example doesn't, in words of a clause's own wording
    (`wording`: stem -> best field weight, 1.0 for its text and title) that `other` lacks: "how much is a
    *staff* permit" beside the "not covered" example "how much is a visitor permit", when the permits clause
    reads "Staff permits cost…". Then the example does not speak for the question; the ranking does."""
    said = {stem(w) for w in content_words(example)}
    for g in query.groups:
        if any(a in said for a in g.alts) or g.word in FILLER:
            continue
        own = [a for a, f in g.alts.items() if f >= typo]  # the word typed (or its typo), not a synonym of it
        if any(wording.get(a, 0.0) >= 1.0 for a in own) and not any(other.get(a, 0.0) >= 1.0 for a in own):
            return True
    return False


def taught(db: sqlite_utils.Database, include_forgotten: bool = False) -> list[dict]:
    """What was taught, newest first (active and orphaned; forgotten ones too when asked)."""
    where = None if include_forgotten else "status != 'forgotten'"
    return list(db["taught"].rows_where(where, order_by="id desc"))
