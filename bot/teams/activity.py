"""A Teams activity as the Bot Framework's wire JSON, read without any SDK: all that TED's shared Teams code sees
of an inbound activity, whichever SDK carried it (bot.teams.binding). The JSON is the protocol both SDKs speak
(https://learn.microsoft.com/azure/bot-service/rest-api/bot-framework-rest-connector-api-reference#activity-object),
so it is the one neutral form: activities in, activities out, and the conversation references TED stores.

Accounts (``from``, ``recipient``, members) are dicts with ``id``, ``name``, ``aadObjectId`` and ``role``.
"""

from __future__ import annotations

from dataclasses import dataclass

PERSONAL = "personal"
CHANNEL_ID = "msteams"
MESSAGE, CONVERSATION_UPDATE, INSTALLATION_UPDATE = "message", "conversationUpdate", "installationUpdate"


def as_dict(value) -> dict:
    return value if isinstance(value, dict) else {}


def accounts(value) -> list[dict]:
    return [a for a in value if isinstance(a, dict)] if isinstance(value, list) else []


def text(value) -> str:
    return value if isinstance(value, str) else ""


def conversation_tenant(conversation: dict) -> str:
    """A conversation's tenant. The protocol says ``tenantId``; botbuilder writes (and stored references
    made by it hold) ``tenantID``."""
    return text(conversation.get("tenantId")) or text(conversation.get("tenantID"))


@dataclass(frozen=True)
class TeamsActivity:
    raw: dict

    def _str(self, key: str) -> str:
        return text(self.raw.get(key))

    @property
    def type(self) -> str:
        return self._str("type")

    @property
    def id(self) -> str:
        return self._str("id")

    @property
    def text(self) -> str:
        return self._str("text")

    @property
    def value(self):
        return self.raw.get("value")

    @property
    def reply_to_id(self) -> str:
        return self._str("replyToId")

    @property
    def service_url(self) -> str:
        return self._str("serviceUrl")

    @property
    def action(self) -> str:
        return self._str("action")

    @property
    def channel_data(self) -> dict:
        return as_dict(self.raw.get("channelData"))

    @property
    def conversation(self) -> dict:
        return as_dict(self.raw.get("conversation"))

    @property
    def conversation_id(self) -> str:
        return text(self.conversation.get("id"))

    @property
    def conversation_type(self) -> str:
        return text(self.conversation.get("conversationType")) or PERSONAL

    @property
    def sender(self) -> dict:
        return as_dict(self.raw.get("from"))

    @property
    def recipient(self) -> dict:
        return as_dict(self.raw.get("recipient"))

    @property
    def bot_id(self) -> str:
        return text(self.recipient.get("id"))

    @property
    def entities(self) -> list[dict]:
        return accounts(self.raw.get("entities"))

    @property
    def members_added(self) -> list[dict]:
        return accounts(self.raw.get("membersAdded"))

    @property
    def members_removed(self) -> list[dict]:
        return accounts(self.raw.get("membersRemoved"))

    @property
    def team_id(self) -> str:
        return str(as_dict(self.channel_data.get("team")).get("id") or "")

    @property
    def tenant(self) -> str:
        tenant = as_dict(self.channel_data.get("tenant"))
        return str(tenant.get("id") or conversation_tenant(self.conversation) or "")

    def reference(self, conversation: dict) -> dict:
        """A ConversationReference (its JSON) to reach `conversation` later, as TED's bot. No ``activityId``:
        proactive messages start new posts, never replies to what was captured."""
        ref = {
            "user": self.sender or None,
            "bot": self.recipient or None,
            "conversation": conversation,
            "channelId": self._str("channelId") or CHANNEL_ID,
            "locale": self._str("locale") or None,
            "serviceUrl": self.service_url or None,
        }
        return {k: v for k, v in ref.items() if v is not None}
