"""The ask handler's core: intent first, then the knowledge base, and the unanswered log."""

from __future__ import annotations

import dataclasses
import logging
import re
import sqlite3

import sqlite_utils

from core.db import note_refused_write, utcnow
from core.integrity import is_busy
from handlers import messages
from handlers.ask.examples import IntentExamples
from handlers.ask.followup import (
    KINDS,
    added_terms,
    asks_more,
    bare,
    combine,
    fits_owner,
    fits_platforms,
    fragment,
    is_elliptical,
    new_topic,
    owner,
    platform_swaps,
    points_back,
    said_back,
    stands_alone,
    varies,
)
from handlers.ask.intent import (
    about_a_colleague,
    describes_abuse,
    in_danger,
    is_smalltalk,
    may_self_harm,
    wants_to_report,
)
from knowledge.answer import FALLBACK, POLICY, REPORT, SMALLTALK, Answer, Answerer, completes
from knowledge.text import fold, terms

log = logging.getLogger("ted.ask")

_THANKS = re.compile(r"\b(thanks|thank|thx|ta|cheers|appreciated|brilliant|great|perfect|lovely)\b")
_BYE = re.compile(r"\b(bye|goodbye|see you|see ya|cya|laters|night|that'?s (all|it|everything))\b")
_GREETING = re.compile(r"^(hi|hello|hey|hiya|howdy|morning|good (morning|afternoon|evening)|greetings|yo)\b")

# A follow-up asking for the next step of the rule just answered ("and at weekends?" after how quickly to answer):
# the rule's neighbour or cross-reference among the combined reading's best few, closer in meaning to what the
# follow-up itself asks than the clause ranked first by at least this much.
NEXT_STEP_RANKS = 3
NEXT_STEP_MARGIN = 0.15


def smalltalk_reply(text: str, holding: str = "") -> str:
    t = fold(text)
    if _BYE.search(t):
        return messages.GOODBYE
    if _THANKS.search(t):
        return messages.THANKS
    words = messages.GREETING if _GREETING.search(t) else messages.CAPABILITIES
    return f"{words}\n\n{holding}" if holding else words


_BY_NUMBER = re.compile(
    r"^(?:(?:what does|what do|what's in|whats in|what is in|show me|show|read me|read|explain|tell me about|quote|"
    r"open|give me|can i see|can you show me)\s+)?(?:the\s+)?(?:clause|section|paragraph|para|rule|part)?\s*"
    r"(?P<number>\d{1,2}(?:\.\d{1,3})+)(?:\s+(?:say|says|mean|means|cover|covers|of the policy))?\s*[?.!]*$"
)


# A document named around a clause number: "of the Expenses Policy", "in the parking policy", "Expenses Policy".
_NAMING = re.compile(
    r"\b(?:of|in|from)?\s*(?:the\s+)?(?:[a-z&'-]+\s+){0,4}(?:polic(?:y|ies)|handbook|guidance|procedures?)\b(?:'s)?"
)


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

    def ask(
        self,
        question: str | None,
        channel: str = "cli",
        follow_up_of: str | None = None,
        follow_up_of_report: bool = False,
    ) -> Answer:
        """`follow_up_of`: the conversation's topic, if any; `follow_up_of_report`: that topic is something reported,
        whose words stay out of the unanswered list (only the people a report is routed to may read it)."""
        # Lone surrogates (bytes that were never UTF-8, broken emoji from some clients) are no text to read.
        text = (question or "").encode("utf-8", "replace").decode("utf-8").strip()
        if not text or not any(c.isalnum() for c in text):  # nothing, or only punctuation, emoji, invisible marks
            return Answer(SMALLTALK, messages.EMPTY_QUESTION)
        if may_self_harm(text):  # before anything else, and never logged for the communications team
            return Answer(SMALLTALK, messages.SELF_HARM)
        if in_danger(text):  # a threat of harm: 999 first and the report form, whatever a clause might say
            return Answer(REPORT, messages.DANGER, offer_report=True)
        if (by_number := self.by_number(text)) is not None:  # "what does 5.13 say?": that clause, as it stands
            return by_number
        if (owned := self.answerer.owner_of(text)) is not None:  # "who owns the Expenses Policy?": its details say
            # No clause says it, so it is an honest "not covered" with whom to ask, logged like any other.
            return dataclasses.replace(owned, unanswered_id=self.record_unanswered(text, channel, owned))
        if is_smalltalk(text):  # the patterns need no model and no search
            return Answer(SMALLTALK, smalltalk_reply(text, self.holding()))
        if not follow_up_of and (about := fragment(text)) and not (describes_abuse(text) or wants_to_report(text)):
            # "what about instagram?" with nothing before it: no question to complete, so ask for the whole one
            # rather than answer whatever clause the one word lands on.
            example = (
                f"can I post photos of my team on {about}?"
                if about in KINDS["platform"]
                else f"what does the policy say about {about}?"
            )
            return Answer(SMALLTALK, messages.WHOLE_QUESTION.format(about=said_back(about), example=example))
        reading = self.reading(text, follow_up_of)
        answer, _, hits = self.answer(text, reading, follow_up_of)
        if reading != text and (stands_alone(text) or self.strays(text, follow_up_of or "", hits)):
            alone = self.answerer.answer(text)
            if not self.leans(text, follow_up_of or "", answer, hits, alone[0]):
                reading = text
                answer, _, hits = alone
        elif reading != text and (alone := self.elsewhere(text, follow_up_of or "", hits)) is not None:
            # "what about mileage?" after a parking question: the rule before never speaks of it, and a clause
            # that does answers it alone.
            reading = text
            answer, _, hits = alone
        elif reading == text and follow_up_of and answer.intent == FALLBACK and self.may_lean(text):
            # A short question of its own that finds no answer alone ("who runs the training?" after the rule on
            # training) is read with the one before, on the same terms as one opening with "and".
            together = combine(follow_up_of, text)
            joint = self.answer(text, together, follow_up_of)
            if self.leans(text, follow_up_of, joint[0], joint[2], answer):
                reading, (answer, _, hits) = together, joint
        elliptical = reading != text
        enriched = hits[0].enriched if hits else True
        # A fragment ("who from?", "and from the council's account?") is judged as the question it completes:
        # only the patterns, which need no context, may call it smalltalk or a report.
        scores = None if elliptical else self.intents.scores(text, max((h.sem for h in hits), default=0.0), enriched)
        # What the communications team taught settles the answer: a question they taught to a clause, or marked
        # "not covered" (and close rewordings of it), is neither smalltalk nor a report by its likeness to examples
        # ("I'm worried it's a false alarm, should I still report it?", taught to the incident handbook's clause).
        # Only the /report command itself still opens the form.
        settled = answer.taught and not text.lower().startswith("/report")
        # A question about a policy TED doesn't hold ("what is the sick leave policy?") is answered as that, not
        # taken for a question about TED: on a small knowledge base it can sit closer to the smalltalk examples.
        if not settled and self.intents.is_smalltalk(text, scores) and not self.answerer.unheld(text, loose=True):
            return Answer(SMALLTALK, smalltalk_reply(text, self.holding()))
        colleague = about_a_colleague(text)
        if settled and wants_to_report(text):  # the taught answer stands; asking to report still gets the form
            answer = dataclasses.replace(answer, offer_report=True)
        if not settled and (self.intents.wants_to_report(text, scores) or (colleague and answer.intent != POLICY)):
            # A colleague's possible breach is a report category: when no clause answers it, the form is the
            # answer; when one does, the clause comes with "Report this" (below).
            cites = answer.citations if answer.intent == POLICY else ()
            return Answer(REPORT, messages.REPORT_OFFER, answer.confidence, cites, offer_report=True)
        if elliptical:
            answer = dataclasses.replace(answer, read_as=reading)
        abuse = describes_abuse(reading) or colleague or self.intents.near_report(scores)
        if answer.intent == FALLBACK:
            # A fragment is logged as TED read it: "and if it's my own account?" alone could be neither answered
            # nor taught to a clause by the communications team. Never with a report's words, though.
            logged = self.record_unanswered(text if follow_up_of_report else reading, channel, answer)
            answer = dataclasses.replace(answer, unanswered_id=logged)
        if abuse:
            words = "\n\n".join(t for t in (answer.text, messages.REPORT_ALSO) if t)
            answer = dataclasses.replace(answer, text=words, offer_report=True)
        return answer

    def by_number(self, text: str) -> Answer | None:
        """A question that only names a clause by its number ("what does 5.13 say?", "clause 6.6", "explain 5.15"):
        that clause, summary first, as a "Did you mean" press gives it. None when it names none, or a number no
        live clause has, or one several documents have (then ranking, which knows the words, decides)."""
        t, named = fold(text), self.answerer.named(text)
        if named:  # "what does 2.1 of the Expenses Policy say?", "expenses policy clause 2.1": that document's
            t = " ".join(_NAMING.sub(" ", t).split())
        m = _BY_NUMBER.match(t)
        if not m:
            return None
        views = [v for v in self.answerer.index.with_number(m.group("number")) if not named or v.doc_id == named]
        if len(views) != 1:
            return None
        v = views[0]
        cite = self.answerer.clause(v.doc_id, v.number)
        if cite is None:
            return None
        # The clause's own question stands as the topic, so "and on instagram?" next asks about that rule.
        topic = self.answerer.topic_question(v.doc_id, v.number)
        return Answer(POLICY, "", 1.0, (cite,), summary=v.summary, read_as=topic if topic != text else "")

    def answer(self, text: str, reading: str, previous: str | None) -> tuple[Answer, object, list]:
        if reading == text:
            return self.answerer.answer(text)
        # A follow-up naming whose account it is ("and if it's my own account?") is not answered by a clause
        # about the other side's accounts only, however well that clause matched the question before.
        side = owner(text)
        # Nor by a clause about the platform it moved away from only (LinkedIn's exception, for "and on facebook?").
        swaps = platform_swaps(previous or "", text)
        keep = (
            (lambda h: (not side or fits_owner(h.text, side)) and fits_platforms(h.text, swaps))
            if side or swaps
            else None
        )
        answer, query, hits = self.answerer.answer(reading, keep)
        if answer.intent == FALLBACK and hits and not self.answerer.unheld(reading):
            # Unsure of the combined reading, but it lands where the question before it did (one of its best
            # clauses, answered with confidence then): the follow-up asks about the same rule. Where the question
            # before was answered by a rule for the other side's accounts only (political content from council
            # accounts, then "and from my own account?"), the follow-up is not about that rule, and whatever else
            # mentions its side ("share the council's posts on your own accounts") is no answer either.
            before, _, before_hits = self.answerer.answer(previous or "")
            same_rule = before.intent == POLICY and (keep is None or keep(before_hits[0]))
            if same_rule and hits[0].rowid in {h.rowid for h in before_hits[:3]}:
                answer = self.answerer.compose(hits, before.confidence)
            elif same_rule and self.asks_next_step(previous or "", text, before_hits[0], hits[0]):
                # Or on the next clause of the rule answered before, where what the follow-up itself asks is
                # plainly closer to it ("…say which department I work in?", then "and do I need a disclaimer?").
                answer = self.answerer.compose(hits, before.confidence)
        # What the communications team taught settles the answer; the next-step reading never overrules it.
        if answer.intent == POLICY and not answer.taught and (asked := asks_more(previous or "", text)):
            ordered = self.next_step(asked, hits)
            if ordered is not hits:
                hits, answer = ordered, self.answerer.compose(ordered, answer.confidence)
        return answer, query, hits

    def leans(self, text: str, previous: str, answer: Answer, hits: list, alone: Answer) -> bool:
        """Whether a whole question that opens like a follow-up ("and who runs the training?", "and who approves my
        holiday?") is read with the one before. Only where, alone, it finds no answer, and read with the question
        before, it lands on a clause whose wording has every word it adds: the training is that rule's training;
        a holiday is a new topic, answered (or not) on its own and never by the rule before."""
        if answer.intent != POLICY or not hits or alone.intent == POLICY:
            return False
        said = set(terms(previous))
        wording = self.answerer.index.wording(hits[0].rowid)
        return all(t in wording for t in terms(text) if t not in said)

    def elsewhere(self, text: str, previous: str, hits: list):
        """The answer to a follow-up asked alone, where what it adds ("mileage") is in none of the wording of the
        clause its combined reading lands on, and the clause it finds alone has all of it; None otherwise. Another
        account, page or group of people ("a community group page?") varies the question before instead."""
        added = set(added_terms(previous, text))
        if not added or not hits or varies(text) or points_back(text):  # "what does the policy say about that?"
            return None
        index = self.answerer.index
        if added & set(index.wording(hits[0].rowid)):
            return None
        alone = self.answerer.answer(text)
        if alone[0].intent == POLICY and alone[2] and added <= set(index.wording(alone[2][0].rowid)):
            return alone
        return None

    def may_lean(self, text: str) -> bool:
        """A message that could be about the question before: no document TED doesn't hold, and not mostly words
        the knowledge base has never seen."""
        return not (new_topic(text, self.answerer.index.knows) or self.answerer.unheld(text))

    def strays(self, text: str, previous: str, hits: list) -> bool:
        """A follow-up that brings a subject of its own ("same for my parking permit?", "and sick pay?"): two or more
        words that carry meaning beyond the question before, and not one of them in the wording of the clause the
        combined reading lands on. It is asked as it stands (and `leans` may still read it with the question
        before). One new word may be the thing put in another's place ("what about my own laptop?"); two that the
        rule never uses are a new topic the question before would only colour."""
        added = added_terms(previous, text)
        if len(set(added)) < 2 or not hits or varies(text):
            return False
        wording = self.answerer.index.wording(hits[0].rowid)
        return not any(t in wording for t in added)

    def next_step(self, asked: str, hits: list) -> list:
        """The combined reading of "and at weekends?" is mostly the question before it, so it ranks first the clause
        that answered that question. Where the same rule's next clause (its neighbour or a cross-reference,
        knowledge.answer.completes), among the best few, is plainly closer in meaning to what the follow-up itself
        asks, the follow-up asks for that next step: it goes first, and the rule before it stays beside it as a
        card. Meaning only: the follow-up's few words alone rank by chance."""
        if len(hits) < 2:
            return hits
        closer = self.closer_to(asked, hits[0])
        for h in hits[1:NEXT_STEP_RANKS]:
            if closer(h):
                return [h, *(x for x in hits if x.rowid != h.rowid)]
        return hits

    def asks_next_step(self, previous: str, text: str, before, best) -> bool:
        """The follow-up's best clause is the next clause of the rule that answered the question before it."""
        asked = asks_more(previous, text)
        return bool(asked) and best.rowid != before.rowid and self.closer_to(asked, before)(best)

    def closer_to(self, asked: str, rule):
        """A test of a clause: it completes `rule` (knowledge.answer.completes) and is plainly closer in meaning to
        what the follow-up asks (`asked`) than `rule` is. Meaning only: the follow-up's few words rank by chance."""
        index = self.answerer.index
        sims, _, _ = index.semantic(index.analyse(asked))
        if not sims:
            return lambda h: False
        return lambda h: completes(rule, h) and sims.get(h.rowid) - sims.get(rule.rowid) >= NEXT_STEP_MARGIN

    def reading(self, text: str, follow_up_of: str | None) -> str:
        """The message as TED reads it: alone, or, when it can't stand alone, with the question before it.
        A message with words the knowledge base has never seen starts a new topic ("and my parking permit?"), and so
        does one naming a document TED doesn't hold ("and the expenses policy?")."""
        if (
            follow_up_of
            and is_elliptical(text, follow_up_of)
            and not new_topic(text, self.answerer.index.knows)
            and not self.answerer.unheld(text)
            # One word that a clause answers on its own ("passwords" after a question about the logo) is a new
            # topic; one that doesn't ("weekends?") asks about the question before.
            and not (bare(text, follow_up_of) and self.answerer.answer(text)[0].intent == POLICY)
        ):
            return combine(follow_up_of, text)
        return text

    def topic(self, text: str, answer: Answer, previous: str | None) -> str | None:
        """What the next follow-up leans on after this message, or None to keep the topic as it was.
        A policy answer is the topic, as TED read it ("what about instagram?" -> the whole question); so is what
        someone reports ("…is slagging off the council on tiktok", then "what does the policy say about that?").
        An out-of-scope question or smalltalk sets no topic: "same for a youtube channel?" after "where do I
        park?" still means the account question before it."""
        if answer.intent == POLICY:
            return answer.read_as or text
        if answer.intent == REPORT and not (previous and is_elliptical(text, previous)):
            return text
        return None

    def record_unanswered(self, text: str, channel: str, answer: Answer) -> int:
        best_doc, best_clause = answer.nearest
        record = {
            "asked_at": utcnow(),
            "channel": channel,
            "question": text[:2000],
            "best_doc": best_doc,
            "best_clause": best_clause,
            "confidence": round(answer.confidence, 4),
        }
        for attempt in (1, 2):
            try:
                row = self.db["unanswered"].insert(record)
                break
            except sqlite3.Error as exc:  # a full disk: the honest "not covered" still goes out
                if attempt == 1 and is_busy(exc):  # another writer held on past the busy timeout: once more
                    continue
                note_refused_write(self.db, exc)
                log.error("unanswered question not recorded channel=%s error=%s", channel, type(exc).__name__)
                return 0
        log.info("unanswered question recorded id=%s channel=%s", row.last_pk, channel)
        return row.last_pk


def link_unanswered(db: sqlite_utils.Database, unanswered_id: int, asked_id: int) -> None:
    """Tie an unanswered question to the asked row it came from, so a "Did you mean" press on its fallback counts
    only when its own asker makes it (note_choice)."""
    if unanswered_id and asked_id:
        db.execute("update unanswered set asked_id = ? where id = ?", [asked_id, unanswered_id])


def note_choice(db: sqlite_utils.Database, asked_id: int, doc_id: str, clause: str) -> bool:
    """The asker of an unanswered question chose this clause from the fallback's closest ones: kept on the
    unanswered row for the communications team (handlers.curation.queue), never for a question already dealt with."""
    cur = db.execute(
        "update unanswered set chosen_doc = ?, chosen_clause = ? where asked_id = ? and not exists (select 1 from "
        "kb_triage t where t.kind = 'unanswered' and t.item_id = unanswered.id)",
        [doc_id, clause, asked_id],
    )
    return cur.rowcount > 0


def unanswered(db: sqlite_utils.Database, limit: int = 100) -> list[dict]:
    return list(db["unanswered"].rows_where(order_by="id desc", limit=limit))
