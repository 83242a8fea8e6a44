"""Conversation state kept in SQLite: asked questions, thread context, seen deliveries, feedback.

Who asked is written through `Pseudonyms` (handlers/ask/privacy.py): the id itself, or its keyed hash when
TED_PSEUDONYMISE_QUESTIONS is on. How long these rows are kept is handlers/ask/privacy.py's purge."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import sqlite_utils

from chat.model import Message
from core.db import row_id, utcnow
from handlers.ask.privacy import Pseudonyms
from knowledge.answer import Answer

log = logging.getLogger("ted.conversation")
DM_CONTEXT_MINUTES = 10  # outside a thread, a follow-up leans on a question this recent


class Conversations:
    def __init__(self, db: sqlite_utils.Database, pseudonyms: Pseudonyms | None = None):
        self.db = db
        self.ids = pseudonyms or Pseudonyms(db)

    def first_delivery(self, platform: str, delivery_id: str) -> bool:
        """True the first time a platform delivers this id (Slack retries, double-clicks)."""
        if not delivery_id:
            return True
        cur = self.db.execute(
            "insert or ignore into deliveries (platform, delivery_id, seen_at) values (?, ?, ?)",
            [platform, delivery_id, utcnow()],
        )
        return cur.rowcount == 1

    def forget_delivery(self, platform: str, delivery_id: str) -> None:
        """Undo first_delivery, so the same id is acted on again (e.g. a form sent back with errors)."""
        self.db.execute("delete from deliveries where platform = ? and delivery_id = ?", [platform, delivery_id])

    def record_asked(self, msg: Message, question: str, answer: Answer) -> int:
        top = answer.citations[0] if answer.citations else None
        return (
            self.db["asked"]
            .insert(
                {
                    "asked_at": utcnow(),
                    "platform": msg.platform,
                    "user_id": self.ids.stored(msg.platform, msg.user_id),
                    "conversation_id": self.ids.stored(msg.platform, msg.conversation_id),
                    "thread_id": msg.thread_id,
                    "question": question[:4000],
                    "intent": answer.intent,
                    "doc_id": top.doc if top else "",
                    "clause": top.clause if top else "",
                    "confidence": round(answer.confidence, 4),
                }
            )
            .last_pk
        )

    def asked(self, asked_id: int | str) -> dict | None:
        n = row_id(asked_id)
        try:
            return self.db["asked"].get(n) if n is not None else None
        except sqlite_utils.db.NotFoundError:  # a stale or forged button (what it carried is never logged)
            log.info("no stored answer for that button")
            return None

    def previous_question(self, msg: Message) -> str | None:
        topic = self.previous_topic(msg)
        return topic[0] if topic else None

    def previous_topic(self, msg: Message) -> tuple[str, str] | None:
        """What a follow-up leans on: (the question as TED read it, or what was reported; the intent it had)."""
        row = self._context(msg.platform, msg.conversation_id, msg.thread_id)
        if not row and msg.thread_id:
            # A reply in a new thread under a question asked at the top of the conversation.
            row = self._context(msg.platform, msg.conversation_id, "")
            if row and self._stale(row[1]):
                return None
            return (row[0], row[2] or "") if row else None
        if not row:
            return None
        if not msg.thread_id:
            if self._stale(row[1]):
                return None
        return row[0], row[2] or ""

    def _context(self, platform: str, conversation_id: str, thread_id: str) -> tuple | None:
        return self.db.execute(
            "select last_question, updated_at, topic_intent from threads where platform = ? and conversation_id = ? "
            "and thread_id = ?",
            [platform, self.ids.stored(platform, conversation_id), thread_id],
        ).fetchone()

    @staticmethod
    def _stale(updated_at: str) -> bool:
        return datetime.now(UTC) - datetime.fromisoformat(updated_at) > timedelta(minutes=DM_CONTEXT_MINUTES)

    def remember(self, msg: Message, question: str, intent: str = "") -> None:
        self.db["threads"].upsert(
            {
                "platform": msg.platform,
                "conversation_id": self.ids.stored(msg.platform, msg.conversation_id),
                "thread_id": msg.thread_id,
                "last_question": question[:2000],
                "updated_at": utcnow(),
                "topic_intent": intent,
            },
            pk=("platform", "conversation_id", "thread_id"),
        )

    def feedback(
        self, asked_id: int | str, platform: str, user_id: str, helpful: bool, conversation_id: str = ""
    ) -> int | None:
        """Stores 👍/👎 on an answer: one row per answer, person and verdict (pressing it again, or Slack
        replaying the press, returns the same row). Only from someone who saw the answer: the person who asked,
        or someone in the conversation it was given in (a channel, a shared answer); a press naming any other
        answer (a forged id: the web chat's are numbers) is None, and copies nobody's question."""
        row = self.asked(asked_id)
        if row is None or row["platform"] != platform:
            return None
        asker = row["user_id"] in self.ids.every_form(platform, user_id)
        there = bool(conversation_id) and row["conversation_id"] in self.ids.every_form(platform, conversation_id)
        if not (asker or there):
            log.info("feedback refused: asked_id=%s was not given to this person", row["id"])
            return None
        user_id = self.ids.stored(platform, user_id)
        same = self.db.execute(
            "select id from feedback where asked_id = ? and channel = ? and user_id = ? "
            "and helpful = ? order by id limit 1",
            [row["id"], platform, user_id, int(helpful)],
        )
        if (found := same.fetchone()) is not None:
            return found[0]
        return (
            self.db["feedback"]
            .insert(
                {
                    "given_at": utcnow(),
                    "channel": platform,
                    "user_id": user_id,
                    "question": row["question"],
                    "doc_id": row["doc_id"],
                    "clause": row["clause"],
                    "helpful": int(helpful),
                    "reason": "",
                    "asked_id": row["id"],
                }
            )
            .last_pk
        )

    def feedback_reason(self, feedback_id: int | str, user_id: str, reason: str) -> bool:
        n = row_id(feedback_id)
        try:
            row = self.db["feedback"].get(n) if n is not None else None
        except sqlite_utils.db.NotFoundError:  # a stale or forged form
            row = None
        if row is None:
            log.info("no stored feedback for that form")
            return False
        if row["user_id"] != self.ids.stored(row["channel"], user_id):
            return False
        self.db["feedback"].update(row["id"], {"reason": reason[:2000]})
        return True


def list_feedback(db: sqlite_utils.Database, limit: int = 100) -> list[dict]:
    return list(db["feedback"].rows_where(order_by="id desc", limit=limit))
