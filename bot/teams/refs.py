"""Teams conversation references in SQLite (migration 007_teams): where TED may message people and
channels proactively.

Teams gives a bot a reference only when it is installed or messaged, so every activity that names a
person or a conversation is captured here: personal chats (for DMs), channels (for the comms channel
and updates in place), and the people themselves (tenant, service URL, ids: enough to open a 1:1 chat
with someone who has never written to TED but is in a team TED is installed in).

A reference is kept as the Bot Framework's ConversationReference JSON (bot.teams.activity), which both SDKs read,
so switching TEAMS_SDK keeps every reference TED has.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import sqlite_utils

from bot.teams.activity import (
    CHANNEL_ID,
    CONVERSATION_UPDATE,
    INSTALLATION_UPDATE,
    MESSAGE,
    PERSONAL,
    TeamsActivity,
    conversation_tenant,
    text,
)
from bot.teams.inbound import split_conversation
from core.db import utcnow


@dataclass(frozen=True)
class Ref:
    """A stored conversation reference: the ConversationReference JSON, conversation tenant as ``tenantId``."""

    json: dict

    @property
    def conversation_id(self) -> str:
        return text(self.json.get("conversation", {}).get("id"))

    @classmethod
    def load(cls, stored: str) -> Ref:
        data = json.loads(stored)
        conversation = dict(data.get("conversation") or {})
        tenant = conversation_tenant(conversation)
        conversation.pop("tenantID", None)
        if tenant:
            conversation["tenantId"] = tenant
        return cls({**data, "conversation": conversation})


def _is_person(account: dict | None, bot_id: str) -> bool:
    who = account or {}
    user_id = text(who.get("id"))
    return bool(
        user_id and user_id != bot_id and (who.get("role") or "user") != "bot" and not user_id.startswith("28:")
    )


class TeamsRefs:
    def __init__(self, db: sqlite_utils.Database, tenant_id: str = ""):
        self.db = db
        self.tenant_id = tenant_id  # when set, only people in this tenant are reachable

    # -- capture ------------------------------------------------------------------------------
    def capture(self, activity: TeamsActivity) -> None:
        if activity.type not in (MESSAGE, CONVERSATION_UPDATE, INSTALLATION_UPDATE) or not activity.conversation:
            return
        tenant = activity.tenant
        bot_id = activity.bot_id
        kind = activity.conversation_type
        base, _ = split_conversation(activity.conversation_id)
        conversation = {
            "id": base,
            "conversationType": kind,
            "isGroup": kind != PERSONAL,
            **({"tenantId": tenant} if tenant else {}),
        }
        ref = activity.reference(conversation)
        user = activity.sender if _is_person(activity.sender, bot_id) else None
        if kind == PERSONAL and user is None:
            return
        personal = user if user and kind == PERSONAL else {}
        self.db["teams_conversations"].upsert(
            {
                "conversation_id": base,
                "kind": kind,
                "tenant_id": tenant,
                "team_id": activity.team_id,
                "user_id": text(personal.get("id")),
                "aad_object_id": text(personal.get("aadObjectId")),
                "reference": json.dumps(ref),
                "updated_at": utcnow(),
            },
            pk="conversation_id",
        )
        people = [user] if user else []
        people += [m for m in activity.members_added if _is_person(m, bot_id)]
        for person in people:
            self.remember_person(
                tenant, text(person.get("id")), text(person.get("aadObjectId")), activity.service_url, bot_id
            )

    def remember_person(self, tenant: str, user_id: str, aad_object_id: str, service_url: str, bot_id: str) -> None:
        if not user_id or not service_url:
            return
        self.db["teams_users"].upsert(
            {
                "tenant_id": tenant,
                "user_id": user_id,
                "aad_object_id": aad_object_id,
                "service_url": service_url,
                "bot_id": bot_id or "",
                "updated_at": utcnow(),
            },
            pk=("tenant_id", "user_id"),
        )

    def save_personal(self, conversation_id: str, person: dict) -> Ref:
        """Store the 1:1 chat TED just opened with a person (a row of teams_users)."""
        aad = person["aad_object_id"]
        user = {"id": person["user_id"], **({"aadObjectId": aad} if aad else {})}
        conversation = {
            "id": conversation_id,
            "conversationType": PERSONAL,
            "isGroup": False,
            **({"tenantId": person["tenant_id"]} if person["tenant_id"] else {}),
        }
        ref = {
            "channelId": CHANNEL_ID,
            "serviceUrl": person["service_url"],
            "bot": {"id": person["bot_id"]},
            "user": user,
            "conversation": conversation,
        }
        self.db["teams_conversations"].upsert(
            {
                "conversation_id": conversation_id,
                "kind": PERSONAL,
                "tenant_id": person["tenant_id"],
                "team_id": "",
                "user_id": person["user_id"],
                "aad_object_id": person["aad_object_id"],
                "reference": json.dumps(ref),
                "updated_at": utcnow(),
            },
            pk="conversation_id",
        )
        return Ref(ref)

    def forget(self, conversation_id: str) -> None:
        self.db.execute("delete from teams_conversations where conversation_id = ?", [conversation_id])

    def forget_person(self, user: str) -> None:
        """Teams refused to open a chat with this person: TED has no way in (and any older 1:1 chat on record
        is as stale) until they write to it again or it reads a team's roster with them in it."""
        if user:
            self.db.execute("delete from teams_users where user_id = ? or aad_object_id = ?", [user, user])
            self.db.execute(
                "delete from teams_conversations where kind = ? and (user_id = ? or aad_object_id = ?)",
                [PERSONAL, user, user],
            )

    def forget_team(self, team_id: str) -> None:
        if team_id:
            self.db.execute("delete from teams_conversations where team_id = ?", [team_id])

    # -- lookup -------------------------------------------------------------------------------
    def _tenant_clause(self) -> tuple[str, list]:
        return (" and tenant_id = ?", [self.tenant_id]) if self.tenant_id else ("", [])

    def personal(self, user: str) -> Ref | None:
        """The newest 1:1 chat with this person (Teams id or Entra object id)."""
        if not user:
            return None
        extra, args = self._tenant_clause()
        row = self.db.execute(
            "select reference from teams_conversations where kind = ? and (user_id = ? or aad_object_id = ?)"
            + extra
            + " order by updated_at desc limit 1",
            [PERSONAL, user, user, *args],
        ).fetchone()
        return Ref.load(row[0]) if row else None

    def person(self, user: str) -> dict | None:
        if not user:
            return None
        extra, args = self._tenant_clause()
        rows = list(
            self.db.query(
                "select * from teams_users where (user_id = ? or aad_object_id = ?)"
                + extra
                + " order by updated_at desc limit 1",
                [user, user, *args],
            )
        )
        return rows[0] if rows else None

    def reference(self, conversation_id: str) -> Ref | None:
        base, _ = split_conversation(conversation_id)
        row = self.db.execute("select reference from teams_conversations where conversation_id = ?", [base]).fetchone()
        return Ref.load(row[0]) if row else None

    def can_reach(self, user: str) -> bool:
        return self.personal(user) is not None or self.person(user) is not None
