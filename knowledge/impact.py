"""What a teaching changes besides its own question: TED's answers to what staff asked recently, before and after.

A taught phrasing can pull a neighbouring question to its clause, and a "not covered" example weighs against
every clause of its document, so a borderline answer nearby may turn into the fallback. The communications team
is shown which recent answers changed (and can undo the teaching at once) instead of finding out from a 👎.
"""

from __future__ import annotations

from collections.abc import Iterable

from knowledge.answer import POLICY, Answerer

RECENT = 50  # distinct questions, newest first: enough to notice, quick enough to run on a click


def _said(answerer: Answerer, question: str) -> str:
    answer, _, _ = answerer.answer(question)
    if answer.intent == POLICY and answer.citations:
        c = answer.citations[0]
        return f"{c.clause} ({c.doc})"
    return "no answer"


class Impact:
    """`Impact(answerer, questions being taught)` before a change; `.changes()` after it."""

    def __init__(self, answerer: Answerer, taught: Iterable[str] = (), limit: int = RECENT):
        self.answerer = answerer
        skip = {" ".join(t.split()).lower() for t in taught}
        rows = answerer.db.execute(
            "select question from asked where intent = 'policy' and coalesce(question, '') != '' "
            "group by lower(trim(question)) order by max(id) desc limit ?",
            [limit + 1],
        ).fetchall()
        self.questions = [q for (q,) in rows if " ".join(q.split()).lower() not in skip][:limit]
        self.before = {q: _said(answerer, q) for q in self.questions}

    def changes(self) -> list[dict]:
        out = []
        for q in self.questions:
            now = _said(self.answerer, q)
            if now != self.before[q]:
                out.append({"question": q, "before": self.before[q], "after": now})
        return out


def describe(changes: list[dict]) -> str:
    """One sentence for people ("" when nothing else changed)."""
    if not changes:
        return ""
    items = "; ".join(f"“{c['question']}” was {c['before']}, now {c['after']}" for c in changes[:5])
    more = f" and {len(changes) - 5} more" if len(changes) > 5 else ""
    return f"This also changed TED's answer to {len(changes)} recent question(s): {items}{more}."
