"""The ask handler's core: intent first, then the knowledge base, and the unanswered log."""

from __future__ import annotations

import dataclasses
import logging
import re
import sqlite3

import sqlite_utils

from core.db import utcnow
from handlers import messages
from handlers.ask.examples import IntentExamples
from handlers.ask.followup import combine, is_elliptical, new_words
from handlers.ask.intent import about_a_colleague, describes_abuse, is_smalltalk
from knowledge.answer import FALLBACK, POLICY, REPORT, SMALLTALK, Answer, Answerer
from knowledge.text import fold

log = logging.getLogger("ted.ask")

_THANKS = re.compile(r"\b(thanks|thank|thx|ta|cheers|appreciated|brilliant|great|perfect|lovely)\b")
_BYE = re.compile(r"\b(bye|goodbye|see you|see ya|cya|laters|night|that'?s (all|it|everything))\b")
_GREETING = re.compile(r"^(hi|hello|hey|hiya|howdy|morning|good (morning|afternoon|evening)|greetings|yo)\b")


def smalltalk_reply(text: str, holding: str = "") -> str:
    t = fold(text)
    if _BYE.search(t):
        return messages.GOODBYE
    if _THANKS.search(t):
        return messages.THANKS
    words = messages.GREETING if _GREETING.search(t) else messages.CAPABILITIES
    return f"{words}\n\n{holding}" if holding else words


class AskService:
    def __init__(self, db: sqlite_utils.Database, answerer: Answerer, intents: IntentExamples | None = None):
        self.db = db
        self.answerer = answerer
        self.intents = intents or IntentExamples(answerer.index.embedder)

    def holding(self) -> str:
        """One sentence naming the documents TED holds, for the greeting and help."""
        titles = self.answerer.document_titles()
        return messages.HOLDING.format(documents="; ".join(titles)) if titles else messages.HOLDING_NONE

    def greeting(self) -> str:
        return f"{messages.GREETING}\n\n{self.holding()}"

    def capabilities(self) -> str:
        return f"{messages.CAPABILITIES}\n\n{self.holding()}"

    def ask(self, question: str | None, channel: str = "cli", follow_up_of: str | None = None) -> Answer:
        text = (question or "").strip()
        if not text:
            return Answer(SMALLTALK, messages.EMPTY_QUESTION)
        if is_smalltalk(text):  # the patterns need no model and no search
            return Answer(SMALLTALK, smalltalk_reply(text, self.holding()))
        answer, _, hits = self.answerer.answer(text)
        enriched = hits[0].enriched if hits else True
        scores = self.intents.scores(text, max((h.sem for h in hits), default=0.0), enriched)
        if self.intents.is_smalltalk(text, scores):
            return Answer(SMALLTALK, smalltalk_reply(text, self.holding()))
        if self.intents.wants_to_report(text, scores):
            cites = answer.citations if answer.intent == POLICY else ()
            return Answer(REPORT, messages.REPORT_OFFER, answer.confidence, cites, offer_report=True)
        if follow_up_of and is_elliptical(text, follow_up_of) and not new_words(text, self.answerer.index.knows):
            # "what about instagram?" means little alone: read it with the question before it, as a new question.
            # If even the combined reading isn't covered, the honest answer is "not covered", not whatever
            # the fragment alone happens to match.
            reading = combine(follow_up_of, text)
            combined, _, _ = self.answerer.answer(reading)
            answer = dataclasses.replace(combined, read_as=reading)
        abuse = describes_abuse(text) or about_a_colleague(text) or self.intents.near_report(scores)
        if answer.intent == FALLBACK:
            self.record_unanswered(text, channel, answer)
        if abuse:
            words = "\n\n".join(t for t in (answer.text, messages.REPORT_ALSO) if t)
            answer = dataclasses.replace(answer, text=words, offer_report=True)
        return answer

    def record_unanswered(self, text: str, channel: str, answer: Answer) -> int:
        best_doc, best_clause = answer.nearest
        try:
            row = self.db["unanswered"].insert(
                {
                    "asked_at": utcnow(),
                    "channel": channel,
                    "question": text[:2000],
                    "best_doc": best_doc,
                    "best_clause": best_clause,
                    "confidence": round(answer.confidence, 4),
                }
            )
        except sqlite3.Error as exc:  # a full disk: the honest "not covered" still goes out
            log.error("unanswered question not recorded channel=%s error=%s", channel, type(exc).__name__)
            return 0
        log.info("unanswered question recorded id=%s channel=%s", row.last_pk, channel)
        return row.last_pk


def unanswered(db: sqlite_utils.Database, limit: int = 100) -> list[dict]:
    return list(db["unanswered"].rows_where(order_by="id desc", limit=limit))
