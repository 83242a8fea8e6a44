"""Opening a 1:1 chat between TED and someone on Teams: the one way, used by the outbox's sender (a notification
for someone who has never written to TED) and by a turn (a private answer to someone who wrote in a channel).

Teams lets a bot open a 1:1 chat with anyone in a team it is installed in (https://learn.microsoft.com/
microsoftteams/platform/bots/how-to/conversations/send-proactive-messages#create-the-conversation). It needs
what a row of teams_users holds (bot.teams.refs): the person's id, their tenant, the service URL and TED's own
bot id. The chat opened is stored, so it is opened once. Callers retry this on their own terms
(bot.teams.retry) and decide what a refusal means for them. The SDK that opens it is the binding's
(bot.teams.binding).
"""

from __future__ import annotations

import logging

from bot.teams.binding import Binding
from bot.teams.refs import Ref, TeamsRefs

log = logging.getLogger("ted.teams.chats")


def chat_parameters(person: dict) -> dict:
    """ConversationParameters JSON for a 1:1 chat with `person` (a teams_users row)."""
    tenant = person["tenant_id"]
    params = {"isGroup": False, "bot": {"id": person["bot_id"]}, "members": [{"id": person["user_id"]}]}
    if tenant:
        params |= {"tenantId": tenant, "channelData": {"tenant": {"id": tenant}}}
    return params


async def open_personal_chat(binding: Binding, refs: TeamsRefs, person: dict) -> Ref:
    """Open a 1:1 chat with `person` (a teams_users row) and store it; its reference. Raises what the Bot
    Connector answered when it refuses (bot.teams.retry.ConnectorError: 403 when TED may not, 429/5xx for now)."""
    conversation_id = await binding.create_conversation(person["service_url"], chat_parameters(person))
    ref = refs.save_personal(conversation_id, person)
    log.info("teams opened 1:1 conversation=%s", conversation_id)
    return ref
