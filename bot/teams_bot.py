"""TED's turn logic for Teams: capture where people can be reached, turn activities into Message/Action,
ask the router, deliver the replies (bot.teams_delivery). It holds a router; it is not the router.

Teams retries a delivery it thinks failed, and a person can press a card's button twice before it is
updated: messages are de-duplicated on their activity id, card submits on their single-use nonce
(both in SQLite, via Conversations.first_delivery), so a report is filed once.
"""

from __future__ import annotations

import logging

from botbuilder.core import TurnContext
from botbuilder.core.teams import TeamsInfo
from botbuilder.schema import ActivityTypes

from bot.model import Reply
from bot.teams_delivery import TurnDelivery
from bot.teams_inbound import PERSONAL, conversation_type, message_from_activity, submit_from_activity, tenant_of
from bot.teams_refs import TeamsRefs
from handlers import messages

log = logging.getLogger("ted.teams")
ROSTER_PAGES = 50  # 50 pages of up to 500: far beyond any council team


class TeamsBot:
    def __init__(self, ted, refs: TeamsRefs):
        self.ted = ted
        self.refs = refs

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
        # Scoped by conversation: channel message ids are timestamps, unique only within a channel.
        if not self.ted.conversations.first_delivery("teams", f"{a.conversation.id}/{a.id}"):
            log.info("teams duplicate delivery activity=%s", a.id)
            return
        delivery = TurnDelivery(context, self.refs, self.files_note())
        submit = submit_from_activity(a)
        if submit is not None:
            if not submit.nonce or not self.ted.conversations.first_delivery("teams-submit", submit.nonce):
                log.info("teams submit refused (used or missing token) action=%s activity=%s",
                         submit.action.action_id, a.id)
                return
            log.info("teams action=%s conversation=%s card=%s", submit.action.action_id,
                     submit.action.conversation_id, submit.action.message_id)
            await delivery.deliver(self.ted.router.action(submit.action), submit)
            return
        msg = message_from_activity(a)
        if msg is None:
            return
        log.info("teams message activity=%s surface=%s conversation=%s", a.id, msg.surface, msg.conversation_id)
        await delivery.deliver(self.ted.router.message(msg))

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
            await TurnDelivery(context, self.refs).send_here(Reply(messages.GREETING))
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
