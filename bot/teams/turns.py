"""TED's turn logic for Teams: capture where people can be reached, turn activities into Message/Action,
ask the router, deliver the replies (bot.teams.delivery). It holds a router; it is not the router.

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

import logging

from botbuilder.core import TurnContext
from botbuilder.core.teams import TeamsInfo
from botbuilder.schema import ActivityTypes

from bot.teams.delivery import TurnDelivery
from bot.teams.inbound import (
    PERSONAL,
    Submit,
    conversation_type,
    message_from_activity,
    submit_from_activity,
    tenant_of,
)
from bot.teams.refs import TeamsRefs
from bot.teams.retry import IN_TURN
from bot.teams.tokens import CardSigner
from chat.model import Reply
from handlers import messages
from handlers.reports.retry import RetryPolicy

log = logging.getLogger("ted.teams")
ROSTER_PAGES = 50  # 50 pages of up to 500: far beyond any council team
CARD_EXPIRED = "This card has expired — please use the latest one."
CARD_USED = "This card has already been used."


class TeamsBot:
    def __init__(self, ted, refs: TeamsRefs, signer: CardSigner, retry: RetryPolicy = IN_TURN, app_id: str = ""):
        self.ted = ted
        self.refs = refs
        self.signer = signer
        self.retry = retry
        self.app_id = app_id

    def delivery(self, context: TurnContext, files_note: str = "") -> TurnDelivery:
        return TurnDelivery(context, self.refs, files_note, self.signer, self.retry, self.app_id)

    def user_id(self, activity) -> str:
        """The id the staff directory holds for the sender (Entra object id or 29: id); for someone not in it,
        the Entra object id when Teams gives one."""
        who = activity.from_property
        ids = [i for i in ((who.aad_object_id, who.id) if who else ()) if i]
        for candidate in ids:
            if self.ted.directory.by_platform_id("teams", candidate) is not None:
                return candidate
        return ids[0] if ids else ""

    def files_note(self) -> str:
        managers = self.ted.directory.with_role("communications_manager")
        contact = managers[0].email if managers else self.ted.settings.fallback_contact
        return messages.TEAMS_SCREENSHOTS.format(contact=contact)

    async def on_turn(self, context: TurnContext) -> None:
        a = context.activity
        self.refs.capture(a)
        if a.type == ActivityTypes.message:
            await self.on_message_activity(context)
        elif a.type == ActivityTypes.conversation_update:
            await self.on_conversation_update(context)
        elif a.type == ActivityTypes.installation_update:
            self.on_installation_update(context)

    async def on_message_activity(self, context: TurnContext) -> None:
        a = context.activity
        # Scoped by conversation: channel message ids are timestamps, unique only within a channel. Without an
        # id there is nothing to tell a repeat by, and "<conversation>/None" would swallow every later one.
        if a.id and not self.ted.conversations.first_delivery("teams", f"{a.conversation.id}/{a.id}"):
            log.info("teams duplicate delivery activity=%s", a.id)
            return
        delivery = self.delivery(context, self.files_note())
        user_id = self.user_id(a)
        submit = submit_from_activity(a, user_id)
        if submit is not None:
            await self.on_submit(delivery, submit, a.id)
            return
        msg = message_from_activity(a, user_id)
        if msg is None:
            return
        log.info("teams message activity=%s surface=%s conversation=%s", a.id, msg.surface, msg.conversation_id)
        await delivery.deliver(self.ted.router.message(msg))

    async def on_submit(self, delivery: TurnDelivery, submit: Submit, activity_id: str) -> None:
        act = submit.action
        if not submit.nonce:
            log.info("teams submit refused (no token) action=%s activity=%s", act.action_id, activity_id)
            await delivery.send_here(Reply(CARD_USED))
            return
        if not self.signer.verify(submit.sig, submit.nonce, act.action_id, act.value, submit.origin, submit.is_form):
            log.warning("teams submit refused (token not signed by TED) action=%s activity=%s", act.action_id,
                        activity_id)
            await delivery.send_here(Reply(CARD_EXPIRED))
            return
        if not self.ted.conversations.first_delivery("teams-submit", submit.nonce):
            log.info("teams submit refused (token used) action=%s activity=%s", act.action_id, activity_id)
            await delivery.send_here(Reply(CARD_USED))
            return
        log.info("teams action=%s conversation=%s card=%s", act.action_id, act.conversation_id, act.message_id)
        replies = self.ted.router.action(act)
        if any(r.refused or r.changed is False for r in replies):
            # Nothing was carried out (not this person's to do, or nothing to change): the token is given back, so
            # the card stays usable for the people who may act on it; the reply says why.
            self.ted.conversations.forget_delivery("teams-submit", submit.nonce)
            log.info("teams action=%s not carried out; card token kept usable activity=%s", act.action_id,
                     activity_id)
        await delivery.deliver(replies, submit)

    # -- installs ----------------------------------------------------------------------------------
    async def on_conversation_update(self, context: TurnContext) -> None:
        a = context.activity
        bot_id = a.recipient.id if a.recipient else ""
        team = (a.channel_data or {}).get("team") if isinstance(a.channel_data, dict) else None
        if any(m.id == bot_id for m in a.members_removed or []):
            self.refs.forget_team(str((team or {}).get("id") or ""))
            self.refs.forget(a.conversation.id)
            log.info("teams removed from conversation=%s", a.conversation.id)
            return
        if not any(m.id == bot_id for m in a.members_added or []):
            return
        log.info("teams installed kind=%s conversation=%s tenant=%s", conversation_type(a), a.conversation.id,
                 tenant_of(a))
        if conversation_type(a) == PERSONAL:
            await self.delivery(context).send_here(Reply(messages.GREETING))
        elif team:
            await self.capture_roster(context)

    def on_installation_update(self, context: TurnContext) -> None:
        a = context.activity
        if str(a.action or "").startswith("remove"):
            team = (a.channel_data or {}).get("team") if isinstance(a.channel_data, dict) else None
            self.refs.forget_team(str((team or {}).get("id") or ""))
            self.refs.forget(a.conversation.id)
            log.info("teams uninstalled conversation=%s", a.conversation.id)

    async def capture_roster(self, context: TurnContext) -> None:
        """Everyone in a team TED was added to becomes reachable (a 1:1 chat can be opened with them)."""
        a = context.activity
        token, count = None, 0
        try:
            for _ in range(ROSTER_PAGES):
                page = await TeamsInfo.get_paged_members(context, token)
                for m in page.members or []:
                    self.refs.remember_person(tenant_of(a), m.id, m.aad_object_id or "", a.service_url or "",
                                              a.recipient.id)
                    count += 1
                token = page.continuation_token
                if not token:
                    break
        except Exception as exc:  # TED still works in the team; people are captured when they write to it
            log.warning("teams roster not read conversation=%s error=%s", a.conversation.id, type(exc).__name__)
        log.info("teams roster conversation=%s members=%s", a.conversation.id, count)
