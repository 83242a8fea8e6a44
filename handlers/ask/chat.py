"""The chat handlers: ask (with "Did you mean", feedback, "Report this", share), help, feedback.

They take the platform-neutral Message/Action and return Replies; adapters do the rest.
"""

from __future__ import annotations

import logging
import sqlite3
from urllib.parse import quote

from chat import actions
from chat.model import COMMAND, MENTION, Action, Button, Form, FormField, Message, Reply
from chat.router import Router
from handlers import messages
from handlers.ask.conversation import Conversations
from handlers.ask.service import AskService, link_unanswered, note_choice
from knowledge.answer import FALLBACK, POLICY, REPORT, Answer

log = logging.getLogger("ted.chat")

MAX_PREFILL = 1900  # Slack button values hold at most 2,000 characters


class ChatHandlers:
    def __init__(self, asker: AskService, conversations: Conversations, base_url: str = ""):
        self.asker = asker
        self.conversations = conversations
        self.base_url = base_url.rstrip("/")

    def register(self, router: Router) -> None:
        router.on_message(self.on_message)
        router.on_command("/ted", self.on_message)
        router.on_action(actions.FEEDBACK_UP, self.on_feedback)
        router.on_action(actions.FEEDBACK_DOWN, self.on_feedback)
        router.on_action(actions.FEEDBACK_REASON, self.on_feedback_reason)
        router.on_action(actions.DID_YOU_MEAN, self.on_did_you_mean)
        router.on_action(actions.SHARE, self.on_share)

    # -- asking -------------------------------------------------------------------------------
    def on_message(self, msg: Message) -> list[Reply]:
        text = msg.text.strip()
        if msg.command == "/ted" and text.lower() in {"", "help"}:
            return [Reply(self.asker.capabilities(), intent="smalltalk", ephemeral=True)]
        previous, previous_intent = self.conversations.previous_topic(msg) or (None, "")
        answer = self.asker.ask(
            text, channel=msg.platform, follow_up_of=previous, follow_up_of_report=previous_intent == REPORT
        )
        try:
            asked_id = self.conversations.record_asked(msg, text, answer)
            link_unanswered(self.asker.db, answer.unanswered_id, asked_id)
            if topic := self.asker.topic(text, answer, previous):
                # A follow-up read with what was reported carries the report's words on: it stays a report's topic.
                reported = answer.intent == REPORT or (previous_intent == REPORT and bool(answer.read_as))
                self.conversations.remember(msg, topic, REPORT if reported else answer.intent)
        except sqlite3.Error as exc:
            # A full disk or a read-only database: the person still gets the answer (reading works), only
            # the question log and conversation memory miss it; 👍/👎 on it will say the answer is gone.
            log.error("question not logged platform=%s error=%s", msg.platform, type(exc).__name__)
            asked_id = 0
        log.info("answered asked_id=%s platform=%s intent=%s", asked_id, msg.platform, answer.intent)
        return [self.reply_for(answer, asked_id, text, surface=msg.surface)]

    def reply_for(self, answer: Answer, asked_id: int, question: str, surface: str = "") -> Reply:
        buttons: list[Button] = []
        if answer.intent in (POLICY, FALLBACK):
            buttons += [
                Button(actions.FEEDBACK_UP, "👍 Helpful", str(asked_id)),
                Button(actions.FEEDBACK_DOWN, "👎 Not helpful", str(asked_id)),
            ]
        if answer.offer_report or answer.intent == REPORT:
            buttons.append(Button(actions.REPORT_OPEN, "Report this", question[:MAX_PREFILL], "danger"))
        if surface == COMMAND and answer.intent == POLICY:
            buttons.append(Button(actions.SHARE, "Share in channel", str(asked_id)))
        # A fallback's closest clauses also carry the question asked, so the asker's choice reaches the
        # communications team (on_did_you_mean); a policy answer's alternatives carry the clause alone.
        asked = f"|{asked_id}" if answer.intent == FALLBACK and asked_id else ""
        choices = tuple(
            Button(actions.DID_YOU_MEAN, c.label, f"{c.doc}|{c.clause}{asked}") for c in answer.did_you_mean
        )
        top = answer.citations[0] if answer.citations else None
        return Reply(
            text=answer.text,
            intent=answer.intent,
            citations=answer.citations,
            summary=answer.summary,
            see_also=answer.see_also,
            also=answer.also,
            choices=choices,
            buttons=tuple(buttons),
            ephemeral=surface == COMMAND,
            in_thread=surface == MENTION,
            link=self.policy_link(top.doc, top.clause) if top else "",
            asked_id=asked_id,
            confidence=answer.confidence,
        )

    def policy_link(self, doc: str, clause: str) -> str:
        return f"{self.base_url}/policy/{quote(doc)}#{quote(clause)}" if self.base_url else ""

    # -- actions ------------------------------------------------------------------------------
    def on_feedback(self, act: Action) -> list[Reply]:
        helpful = act.action_id == actions.FEEDBACK_UP
        fid = self.conversations.feedback(act.value, act.platform, act.user_id, helpful, act.conversation_id)
        if fid is None:
            return [Reply(messages.FEEDBACK_UNKNOWN, ephemeral=True)]
        log.info("feedback id=%s asked_id=%s helpful=%s", fid, act.value, helpful)
        if helpful:
            return [Reply(messages.FEEDBACK_THANKS, ephemeral=True)]
        form = Form(
            actions.FEEDBACK_REASON,
            "What was wrong?",
            (FormField("reason", "What was missing or wrong? (optional)", "multiline", max_length=2000),),
            submit_label="Send",
            private_metadata=str(fid),
        )
        return [Reply(messages.FEEDBACK_SORRY, ephemeral=True, form=form)]

    def on_feedback_reason(self, act: Action) -> list[Reply]:
        reason = str(act.form.get("reason", "")).strip()
        fid = act.value or act.form.get("private_metadata", "")
        if reason and not self.conversations.feedback_reason(fid, act.user_id, reason):
            return [Reply(messages.FEEDBACK_UNKNOWN, ephemeral=True)]
        return [Reply(messages.FEEDBACK_THANKS, ephemeral=True)]

    def on_did_you_mean(self, act: Action) -> list[Reply]:
        doc, _, rest = act.value.partition("|")
        clause, _, asked = rest.partition("|")
        cite = self.asker.answerer.clause(doc, clause)
        if cite is None:
            return [Reply(messages.CLAUSE_GONE, ephemeral=True)]
        if asked:
            self.note_choice(act, asked, doc, clause)
        # The clause chosen is the conversation's topic now: "what about instagram?" next asks about it.
        if act.conversation_id and (topic := self.topic_of(doc, clause)):
            where = Message(act.platform, act.user_id, "", conversation_id=act.conversation_id, thread_id=act.thread_id)
            try:
                self.conversations.remember(where, topic, POLICY)
            except sqlite3.Error as exc:
                log.error("chip topic not kept platform=%s error=%s", act.platform, type(exc).__name__)
        view = self.asker.answerer.index.view(doc, clause)
        # The clause chosen is answered as any clause is: its plain-English summary first, then the clause.
        return [
            Reply(
                "",
                intent=POLICY,
                citations=(cite,),
                summary=view.summary if view else "",
                link=self.policy_link(doc, clause),
            )
        ]

    def note_choice(self, act: Action, asked: str, doc: str, clause: str) -> None:
        """A clause chosen from a fallback's closest ones, by the person who asked (anyone else's press, in a
        channel thread, or a forged id, only shows the clause)."""
        row = self.conversations.asked(asked)
        mine = row is not None and row["platform"] == act.platform
        if not mine or row["user_id"] not in self.conversations.ids.every_form(act.platform, act.user_id):
            return
        try:
            if note_choice(self.asker.db, row["id"], doc, clause):
                log.info("fallback choice noted asked_id=%s", row["id"])
        except sqlite3.Error as exc:
            log.error("fallback choice not noted error=%s", type(exc).__name__)

    def topic_of(self, doc: str, number: str) -> str:
        return self.asker.answerer.topic_question(doc, number)

    def on_share(self, act: Action) -> list[Reply]:
        row = self.conversations.asked(act.value)
        # The asker, however their id was stored (its keyed hash while questions are pseudonymised).
        if row is None or row["user_id"] not in self.conversations.ids.every_form(act.platform, act.user_id):
            return [Reply(messages.SHARE_REFUSED, ephemeral=True)]
        answer = self.asker.ask(row["question"], channel=act.platform)
        reply = self.reply_for(answer, row["id"], row["question"])
        return [
            Reply(
                reply.text,
                intent=reply.intent,
                citations=reply.citations,
                summary=reply.summary,
                see_also=reply.see_also,
                also=reply.also,
                link=reply.link,
                buttons=tuple(b for b in reply.buttons if b.action_id != actions.SHARE),
                shared_by=act.user_id,
                question=row["question"],
                asked_id=row["id"],
            )
        ]
