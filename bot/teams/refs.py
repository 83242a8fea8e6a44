"""Teams conversation references in SQLite (migration 007_teams): where TED may message people and
channels proactively.

Teams gives a bot a reference only when it is installed or messaged, so every activity that names a
person or a conversation is captured here: personal chats (for DMs), channels (for the comms channel
and updates in place), and the people themselves (tenant, service URL, ids: enough to open a 1:1 chat
with someone who has never written to TED but is in a team TED is installed in).
"""

from __future__ import annotations

import json

import sqlite_utils
from botbuilder.core import TurnContext
from botbuilder.schema import Activity, ActivityTypes, ChannelAccount, ConversationAccount, ConversationReference

from bot.teams.inbound import PERSONAL, conversation_type, split_conversation, tenant_of
from core.db import utcnow

CHANNEL_ID = "msteams"


class TeamsRefs:
    def __init__(self, db: sqlite_utils.Database, tenant_id: str = ""):
        self.db = db
        self.tenant_id = tenant_id  # when set, only people in this tenant are reachable

    # -- capture ------------------------------------------------------------------------------
    def capture(self, activity: Activity) -> None:
        if activity.type not in (ActivityTypes.message, ActivityTypes.conversation_update,
                                 ActivityTypes.installation_update) or activity.conversation is None:
            return
        tenant = tenant_of(activity)
        bot = activity.recipient or ChannelAccount()
        kind = conversation_type(activity)
        ref = TurnContext.get_conversation_reference(activity)
        ref.activity_id = None  # proactive messages start new posts, never replies to what was captured
        base, _ = split_conversation(activity.conversation.id)
        ref.conversation = ConversationAccount(id=base, conversation_type=kind, tenant_id=tenant or None,
                                               is_group=kind != PERSONAL)
        user = activity.from_property if self._is_person(activity.from_property, bot) else None
        if kind == PERSONAL and user is None:
            return
        team = (activity.channel_data or {}).get("team") if isinstance(activity.channel_data, dict) else None
        self.db["teams_conversations"].upsert({
            "conversation_id": base, "kind": kind, "tenant_id": tenant,
            "team_id": str((team or {}).get("id") or ""),
            "user_id": user.id if user and kind == PERSONAL else "",
            "aad_object_id": (user.aad_object_id or "") if user and kind == PERSONAL else "",
            "reference": json.dumps(ref.serialize()), "updated_at": utcnow()}, pk="conversation_id")
        people = [user] if user else []
        people += [m for m in activity.members_added or [] if self._is_person(m, bot)]
        for person in people:
            self.remember_person(tenant, person.id, person.aad_object_id or "", activity.service_url or "", bot.id)

    def remember_person(self, tenant: str, user_id: str, aad_object_id: str, service_url: str, bot_id: str) -> None:
        if not user_id or not service_url:
            return
        self.db["teams_users"].upsert({"tenant_id": tenant, "user_id": user_id, "aad_object_id": aad_object_id,
                                       "service_url": service_url, "bot_id": bot_id or "", "updated_at": utcnow()},
                                      pk=("tenant_id", "user_id"))

    @staticmethod
    def _is_person(account: ChannelAccount | None, bot: ChannelAccount) -> bool:
        return bool(account and account.id and account.id != bot.id and (account.role or "user") != "bot"
                    and not account.id.startswith("28:"))

    def save_personal(self, conversation_id: str, person: dict) -> ConversationReference:
        """Store the 1:1 chat TED just opened with a person (a row of teams_users)."""
        ref = ConversationReference(
            channel_id=CHANNEL_ID, service_url=person["service_url"], bot=ChannelAccount(id=person["bot_id"]),
            user=ChannelAccount(id=person["user_id"], aad_object_id=person["aad_object_id"] or None),
            conversation=ConversationAccount(id=conversation_id, conversation_type=PERSONAL,
                                             tenant_id=person["tenant_id"] or None, is_group=False))
        self.db["teams_conversations"].upsert({
            "conversation_id": conversation_id, "kind": PERSONAL, "tenant_id": person["tenant_id"], "team_id": "",
            "user_id": person["user_id"], "aad_object_id": person["aad_object_id"],
            "reference": json.dumps(ref.serialize()), "updated_at": utcnow()}, pk="conversation_id")
        return ref

    def forget(self, conversation_id: str) -> None:
        self.db.execute("delete from teams_conversations where conversation_id = ?", [conversation_id])

    def forget_person(self, user: str) -> None:
        """Teams refused to open a chat with this person: TED has no way in (and any older 1:1 chat on record
        is as stale) until they write to it again or it reads a team's roster with them in it."""
        if user:
            self.db.execute("delete from teams_users where user_id = ? or aad_object_id = ?", [user, user])
            self.db.execute("delete from teams_conversations where kind = ? and (user_id = ? or aad_object_id = ?)",
                            [PERSONAL, user, user])

    def forget_team(self, team_id: str) -> None:
        if team_id:
            self.db.execute("delete from teams_conversations where team_id = ?", [team_id])

    # -- lookup -------------------------------------------------------------------------------
    def _tenant_clause(self) -> tuple[str, list]:
        return (" and tenant_id = ?", [self.tenant_id]) if self.tenant_id else ("", [])

    def personal(self, user: str) -> ConversationReference | None:
        """The newest 1:1 chat with this person (Teams id or Entra object id)."""
        if not user:
            return None
        extra, args = self._tenant_clause()
        row = self.db.execute(
            "select reference from teams_conversations where kind = ? and (user_id = ? or aad_object_id = ?)"
            + extra + " order by updated_at desc limit 1", [PERSONAL, user, user, *args]).fetchone()
        return ConversationReference.deserialize(json.loads(row[0])) if row else None

    def person(self, user: str) -> dict | None:
        if not user:
            return None
        extra, args = self._tenant_clause()
        rows = list(self.db.query("select * from teams_users where (user_id = ? or aad_object_id = ?)" + extra
                                  + " order by updated_at desc limit 1", [user, user, *args]))
        return rows[0] if rows else None

    def reference(self, conversation_id: str) -> ConversationReference | None:
        base, _ = split_conversation(conversation_id)
        row = self.db.execute("select reference from teams_conversations where conversation_id = ?",
                              [base]).fetchone()
        return ConversationReference.deserialize(json.loads(row[0])) if row else None

    def can_reach(self, user: str) -> bool:
        return self.personal(user) is not None or self.person(user) is not None
