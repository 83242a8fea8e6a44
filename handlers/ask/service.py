"""The ask handler's core: intent first, then the knowledge base, and the unanswered log."""

from __future__ import annotations

import dataclasses
import logging
import re

import sqlite_utils

from core.db import utcnow
from handlers import messages
from handlers.ask.examples import IntentExamples
from handlers.ask.intent import describes_abuse, is_smalltalk, looks_like_follow_up
from knowledge.answer import FALLBACK, POLICY, REPORT, SMALLTALK, Answer, Answerer
from knowledge.text import fold, terms

log = logging.getLogger("ted.ask")

_THANKS = re.compile(r"\b(thanks|thank|thx|ta|cheers|appreciated|brilliant|great|perfect|lovely)\b")
_BYE = re.compile(r"\b(bye|goodbye|see you|see ya|cya|laters|night|that'?s (all|it|everything))\b")
_GREETING = re.compile(r"^(hi|hello|hey|hiya|howdy|morning|good (morning|afternoon|evening)|greetings|yo)\b")


def smalltalk_reply(text: str) -> str:
    t = fold(text)
    if _BYE.search(t):
        return messages.GOODBYE
    if _THANKS.search(t):
        return messages.THANKS
    if _GREETING.search(t):
        return messages.GREETING
    return messages.CAPABILITIES


class AskService:
    def __init__(self, db: sqlite_utils.Database, answerer: Answerer, intents: IntentExamples | None = None):
        self.db = db
        self.answerer = answerer
        self.intents = intents or IntentExamples(answerer.index.embedder)

    def ask(self, question: str | None, channel: str = "cli", follow_up_of: str | None = None) -> Answer:
        text = (question or "").strip()
        if not text:
            return Answer(SMALLTALK, messages.EMPTY_QUESTION)
        if is_smalltalk(text):  # the patterns need no model and no search
            return Answer(SMALLTALK, smalltalk_reply(text))
        answer, _, hits = self.answerer.answer(text)
        scores = self.intents.scores(text, max((h.sem for h in hits), default=0.0))
        if self.intents.is_smalltalk(text, scores):
            return Answer(SMALLTALK, smalltalk_reply(text))
        if self.intents.wants_to_report(text, scores):
            cites = answer.citations if answer.intent == POLICY else ()
            return Answer(REPORT, messages.REPORT_OFFER, answer.confidence, cites, offer_report=True)
        if follow_up_of and (answer.intent == FALLBACK or looks_like_follow_up(text)):
            # "and what about LinkedIn?" means little alone; read it with the question before it.
            combined, _, hits = self.answerer.answer(f"{follow_up_of} {text}")
            if combined.intent == POLICY:
                answer = self.answerer.compose(_prefer_new_words(hits[:3], text) + hits[3:], combined.confidence)
        abuse = describes_abuse(text)
        if answer.intent == FALLBACK:
            self.record_unanswered(text, channel, answer)
        if abuse:
            words = "\n\n".join(t for t in (answer.text, messages.REPORT_ALSO) if t)
            answer = dataclasses.replace(answer, text=words, offer_report=True)
        return answer

    def record_unanswered(self, text: str, channel: str, answer: Answer) -> int:
        best_doc, best_clause = answer.nearest
        row = self.db["unanswered"].insert(
            {"asked_at": utcnow(), "channel": channel, "question": text[:2000], "best_doc": best_doc,
             "best_clause": best_clause, "confidence": round(answer.confidence, 4)}
        )
        log.info("unanswered question recorded id=%s channel=%s", row.last_pk, channel)
        return row.last_pk


def _prefer_new_words(hits: list, follow_up: str) -> list:
    """In a follow-up the new words matter most: "and what about LinkedIn?" should land on the
    candidate that talks about LinkedIn, not the clause that answered the first question."""
    new = set(terms(follow_up))
    for i, h in enumerate(hits):
        if new & set(terms(f"{h.title} {h.text}")):
            return [h, *hits[:i], *hits[i + 1:]]
    return hits


def unanswered(db: sqlite_utils.Database, limit: int = 100) -> list[dict]:
    return list(db["unanswered"].rows_where(order_by="id desc", limit=limit))
