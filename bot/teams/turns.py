"""TED's turn logic for Teams: capture where people can be reached, turn activities into Message/Action,
ask the router (in TED's handler pool, bot/pool.py, off the event loop), deliver the replies (bot.teams.delivery).
It holds a router; it is not the router.

Teams retries a delivery it thinks failed, and a person can press a card's button twice before it is
updated: messages are de-duplicated on their activity id (when they have one), card submits on their
single-use nonce (both in SQLite, via Conversations.first_delivery), so a report is filed once. The nonce is
claimed before the action runs (so a double click acts once) and given back when the action was not carried out
(a press by someone who may not act, or one that changed nothing), so a refused press leaves the card usable. A
submit whose token TED did not sign (bot.teams.tokens) is refused before its nonce is even looked at.

The staff directory may hold a person's Entra object id or their Teams id (29:…); every activity carries
both, so the person is known by whichever one the directory has.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging

from bot.pool import HandlerPool
from bot.teams.activity import CONVERSATION_UPDATE, INSTALLATION_UPDATE, MESSAGE, PERSONAL, TeamsActivity
from bot.teams.binding import Binding, TurnIO
from bot.teams.delivery import TurnDelivery, card_activity
from bot.teams.inbound import Submit, message_from_activity, submit_from_activity
from bot.teams.refs import TeamsRefs
from bot.teams.retry import IN_TURN
from bot.teams.tokens import CardSigner
from chat import actions
from chat.model import Reply
from handlers import messages
from handlers.reports.retry import RetryPolicy

log = logging.getLogger("ted.teams")
ROSTER_PAGES = 50  # 50 pages of up to 500: far beyond any council team
CARD_EXPIRED = "This card has expired — please use the latest one."
CARD_USED = "This card has already been used."


class TeamsBot:
    def __init__(
        self,
        ted,
        binding: Binding,
        refs: TeamsRefs,
        signer: CardSigner,
        retry: RetryPolicy = IN_TURN,
        pool: HandlerPool | None = None,
    ):
        self.ted = ted
        self.pool = pool or HandlerPool(ted, workers=0)  # where the router's handlers run (bot/pool.py)
        self.binding = binding
        self.refs = refs
        self.signer = signer
        self.retry = retry

    def delivery(self, io: TurnIO, files_note: str = "") -> TurnDelivery:
        return TurnDelivery(io, self.binding, self.refs, files_note, self.signer, self.retry)

    def user_id(self, activity: TeamsActivity) -> str:
        """The id the staff directory holds for the sender (Entra object id or 29: id); for someone not in it,
        the Entra object id when Teams gives one."""
        who = activity.sender
        ids = [str(i) for i in (who.get("aadObjectId"), who.get("id")) if i]
        for candidate in ids:
            if self.ted.directory.by_platform_id("teams", candidate) is not None:
                return candidate
        return ids[0] if ids else ""

    def files_note(self) -> str:
        managers = self.ted.directory.with_role("communications_manager")
        contact = managers[0].email if managers else self.ted.settings.fallback_contact
        return messages.TEAMS_SCREENSHOTS.format(contact=contact)

    async def on_turn(self, io: TurnIO) -> None:
        """One inbound activity. A failure is logged by type (its text may quote what someone wrote; DEBUG has
        the traceback) and the person gets an apology, whichever SDK carried the turn."""
        try:
            await self.dispatch(io)
        except Exception as exc:
            log.error("teams turn failed activity=%s error=%s", io.activity.id, type(exc).__name__)
            log.debug("teams turn failure", exc_info=exc)
            try:
                await io.reply(card_activity(Reply(messages.TEAMS_ERROR)))
            except Exception as again:
                log.warning("teams could not send the apology error=%s", type(again).__name__)

    async def dispatch(self, io: TurnIO) -> None:
        a = io.activity
        self.refs.capture(a)
        if a.type == MESSAGE:
            await self.on_message_activity(io)
        elif a.type == CONVERSATION_UPDATE:
            await self.on_conversation_update(io)
        elif a.type == INSTALLATION_UPDATE:
            self.on_installation_update(a)

    async def on_message_activity(self, io: TurnIO) -> None:
        a = io.activity
        # Scoped by conversation: channel message ids are timestamps, unique only within a channel. Without an
        # id there is nothing to tell a repeat by, and "<conversation>/None" would swallow every later one.
        # The conversation as a hash: the ledger of deliveries must not say who wrote to TED when.
        chat = hashlib.sha256(a.conversation_id.encode()).hexdigest()[:24]
        if a.id and not self.ted.conversations.first_delivery("teams", f"{chat}/{a.id}"):
            log.info("teams duplicate delivery activity=%s", a.id)
            return
        delivery = self.delivery(io, self.files_note())
        user_id = self.user_id(a)
        submit = submit_from_activity(a, user_id)
        if submit is not None:
            await self.on_submit(delivery, submit, a.id)
            return
        msg = message_from_activity(a, user_id)
        if msg is None:
            return
        log.info("teams message activity=%s surface=%s conversation=%s", a.id, msg.surface, msg.conversation_id)
        await delivery.deliver(await self.pool.message(msg))

    async def on_submit(self, delivery: TurnDelivery, submit: Submit, activity_id: str) -> None:
        act = submit.action
        signed = bool(submit.nonce) and self.signer.verify(
            submit.sig, submit.nonce, act.action_id, act.value, submit.origin, submit.is_form
        )
        if not signed:
            # A card TED never signed, or one from before cards were signed (an older release): not "used". A report
            # form comes back as it was filled in, to send again, so nothing a reporter typed is lost.
            log.warning("teams submit refused (no valid token) action=%s activity=%s", act.action_id, activity_id)
            if act.action_id == actions.REPORT_SUBMIT and act.form:
                again = dataclasses.replace(act, action_id=actions.REPORT_FORM_AGAIN)
                await delivery.deliver(await self.pool.action(again))  # a new card: the old one's origin is unchecked
                return
            await delivery.send_here(Reply(CARD_EXPIRED))
            return
        if not self.ted.conversations.first_delivery("teams-submit", submit.nonce):
            log.info("teams submit refused (token used) action=%s activity=%s", act.action_id, activity_id)
            await delivery.send_here(Reply(CARD_USED))
            return
        log.info("teams action=%s conversation=%s card=%s", act.action_id, act.conversation_id, act.message_id)
        replies = await self.pool.action(act)
        if any(r.refused or r.changed is False for r in replies) or all(r.form and r.changed is None for r in replies):
            # Nothing was carried out (not this person's to do, nothing to change, or the press only opened a form,
            # which may be closed and opened again): the token is given back, so the card stays usable for the
            # people who may act on it; the reply says why.
            self.ted.conversations.forget_delivery("teams-submit", submit.nonce)
            log.info("teams action=%s not carried out; card token kept usable activity=%s", act.action_id, activity_id)
        await delivery.deliver(replies, submit)

    # -- installs ----------------------------------------------------------------------------------
    async def on_conversation_update(self, io: TurnIO) -> None:
        a = io.activity
        if any(m.get("id") == a.bot_id for m in a.members_removed):
            self.refs.forget_team(a.team_id)
            self.refs.forget(a.conversation_id)
            log.info("teams removed from conversation=%s", a.conversation_id)
            return
        if not any(m.get("id") == a.bot_id for m in a.members_added):
            return
        log.info("teams installed kind=%s conversation=%s tenant=%s", a.conversation_type, a.conversation_id, a.tenant)
        if a.conversation_type == PERSONAL:
            await self.delivery(io).send_here(Reply(self.ted.asker.greeting()))
        elif a.team_id:
            await self.capture_roster(io)

    def on_installation_update(self, a: TeamsActivity) -> None:
        if a.action.startswith("remove"):
            self.refs.forget_team(a.team_id)
            self.refs.forget(a.conversation_id)
            log.info("teams uninstalled conversation=%s", a.conversation_id)

    async def capture_roster(self, io: TurnIO) -> None:
        """Everyone in a team TED was added to becomes reachable (a 1:1 chat can be opened with them)."""
        a = io.activity
        token, count = None, 0
        try:
            for _ in range(ROSTER_PAGES):
                members, token = await io.members(a.team_id or a.conversation_id, token)
                for m in members:
                    self.refs.remember_person(
                        a.tenant, str(m.get("id") or ""), str(m.get("aadObjectId") or ""), a.service_url, a.bot_id
                    )
                    count += 1
                if not token:
                    break
        except Exception as exc:  # TED still works in the team; people are captured when they write to it
            log.warning("teams roster not read conversation=%s error=%s", a.conversation_id, type(exc).__name__)
        log.info("teams roster conversation=%s members=%s", a.conversation_id, count)
