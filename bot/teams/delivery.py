"""Where each Reply goes in Teams, for one turn (a message or a card's Action.Submit).

- A Reply marked ``replace_original`` updates the card the button was on (or the card a form was opened
  from) in place: https://learn.microsoft.com/microsoftteams/platform/bots/how-to/update-and-delete-bot-messages
- A form answering that same form's submit (validation errors) replaces the submitted card, answers kept.
- After a form is submitted, the first answer replaces the form card, so it cannot be submitted again.
- Forms and only-you-can-see replies are private: Teams has no ephemeral messages, so outside a personal
  chat they go to the person's 1:1 chat with TED (opened if needed) and the thread gets a short notice.
- Anything else is posted in the conversation, in the reply chain it came from.

Each of these is retried in the turn on a 429/5xx or no answer (bot.teams.retry.IN_TURN: a few tries,
honouring Retry-After, within Teams' ~15 s window), and every card's submits are signed by TED (bot.teams.tokens).
"""

from __future__ import annotations

import logging
import secrets

from bot.teams.activity import PERSONAL
from bot.teams.binding import Binding, TurnIO
from bot.teams.chats import open_personal_chat
from bot.teams.inbound import Submit
from bot.teams.refs import TeamsRefs
from bot.teams.render import CONTENT_TYPE, cut, form_card, reply_card
from bot.teams.retry import IN_TURN, retried
from bot.teams.tokens import CardSigner
from chat.model import Reply
from handlers import messages
from handlers.reports.retry import RetryPolicy

log = logging.getLogger("ted.teams.delivery")
SUMMARY_CHARS = 150


def card_activity(reply: Reply, origin: str = "", files_note: str = "", signer: CardSigner | None = None) -> dict:
    """A Reply as a message activity (JSON) holding one Adaptive Card, with fresh single-use submit tokens, signed
    by `signer` (without one, TED will refuse the card's buttons: only for cards without any)."""
    nonce = secrets.token_urlsafe(12)
    content = (
        form_card(reply.form, reply.text, nonce, origin, files_note)
        if reply.form is not None
        else reply_card(reply, nonce)
    )
    if signer is not None:
        signer.sign_card(content)
    first = next((line for line in reply.plain_text.splitlines() if line.strip()), "")
    summary = cut(first, SUMMARY_CHARS)
    return {
        "type": "message",
        **({"summary": summary} if summary else {}),
        "attachments": [{"contentType": CONTENT_TYPE, "content": content}],
    }


def origin_of(conversation_id: str, activity_id: str) -> str:
    return f"{conversation_id}|{activity_id}" if activity_id else ""


def parse_origin(origin: str) -> tuple[str, str]:
    conversation_id, _, activity_id = origin.rpartition("|")
    return conversation_id, activity_id


class TurnDelivery:
    def __init__(
        self,
        io: TurnIO,
        binding: Binding,
        refs: TeamsRefs,
        files_note: str = "",
        signer: CardSigner | None = None,
        retry: RetryPolicy = IN_TURN,
    ):
        self.io = io
        self.binding = binding  # to open a 1:1 chat
        self.refs = refs
        self.files_note = files_note
        self.signer = signer
        self.retry = retry
        self.activity = io.activity
        self.here = io.activity.conversation_id
        self.personal = io.activity.conversation_type == PERSONAL
        self.noticed = False

    async def deliver(self, replies: list[Reply], submit: Submit | None = None) -> None:
        card = origin_of(self.here, submit.action.message_id) if submit else ""
        form_answered = False
        for reply in replies:
            if reply.replace_original:
                if not await self.update((submit.origin or card) if submit else "", reply):
                    await self.send_here(reply)
                continue
            if reply.form is not None:
                if submit and submit.is_form and submit.action.action_id == reply.form.form_id and card:
                    form_answered = await self.update(card, reply, submit.origin)
                    if form_answered:
                        continue
                await self.private(reply, origin=card)
                continue
            if submit and submit.is_form and card and not form_answered:
                form_answered = await self.update(card, reply)
                if form_answered:
                    continue
            if reply.ephemeral:
                await self.private(reply)
            else:
                await self.send_here(reply)

    # -- the three ways out ------------------------------------------------------------------------
    def card(self, reply: Reply, origin: str = "") -> dict:
        return card_activity(reply, origin, self.files_note, self.signer)

    async def send_here(self, reply: Reply, origin: str = "") -> str:
        activity = self.card(reply, origin)
        return await retried(self.retry, lambda: self.io.reply(activity), "reply")

    async def update(self, target: str, reply: Reply, origin: str = "") -> bool:
        conversation_id, activity_id = parse_origin(target)
        if not activity_id:
            return False
        activity = self.card(reply, origin)
        try:
            await retried(self.retry, lambda: self.io.update(conversation_id, activity_id, activity), "card update")
        except Exception as exc:  # the card was deleted, or is too old to edit: the answer is sent instead
            log.warning(
                "teams card update failed conversation=%s activity=%s error=%s",
                conversation_id,
                activity_id,
                type(exc).__name__,
            )
            return False
        log.info("teams card updated conversation=%s activity=%s", conversation_id, activity_id)
        return True

    async def private(self, reply: Reply, origin: str = "") -> None:
        if self.personal:
            await self.send_here(reply, origin)
            return
        conversation_id = await self.personal_chat()
        if not conversation_id:
            # What was meant for this person alone never goes to the channel: they are told where to find TED.
            log.info("teams private reply not sent: no personal chat could be opened conversation=%s", self.here)
            await self.send_here(Reply(messages.TEAMS_PRIVATE_FAILED))
            return
        activity = {
            **self.card(reply, origin),
            "conversation": {"id": conversation_id},
            "from": self.activity.recipient,
            "recipient": self.activity.sender,
        }
        await retried(self.retry, lambda: self.io.send(conversation_id, activity), "private message")
        if not self.noticed:
            self.noticed = True
            await self.send_here(Reply(messages.TEAMS_SENT_PRIVATELY))

    async def personal_chat(self) -> str:
        """The person's 1:1 chat with TED: the one on record, else a new one (bot.teams.chats)."""
        who = self.activity.sender
        user_id, aad = str(who.get("id") or ""), str(who.get("aadObjectId") or "")
        ref = self.refs.personal(aad or user_id)
        if ref is not None:
            return ref.conversation_id
        person = {
            "tenant_id": self.activity.tenant,
            "user_id": user_id,
            "aad_object_id": aad,
            "service_url": self.activity.service_url,
            "bot_id": self.activity.bot_id,
        }
        try:
            ref = await retried(
                self.retry, lambda: open_personal_chat(self.binding, self.refs, person), "opening a 1:1 chat"
            )
        except Exception as exc:  # Teams refused (e.g. the app is blocked for them): answer in the thread
            log.warning("teams could not open a 1:1 chat error=%s", type(exc).__name__)
            return ""
        return ref.conversation_id
