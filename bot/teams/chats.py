"""Opening a 1:1 chat between TED and someone on Teams: the one way, used by the outbox's sender (a notification
for someone who has never written to TED) and by a turn (a private answer to someone who wrote in a channel).

Teams lets a bot open a 1:1 chat with anyone in a team it is installed in (https://learn.microsoft.com/
microsoftteams/platform/bots/how-to/conversations/send-proactive-messages#create-the-conversation). It needs
what a row of teams_users holds (bot.teams.refs): the person's id, their tenant, the service URL and TED's own
bot id. The chat opened is stored, so it is opened once. Callers retry this on their own terms
(bot.teams.retry) and decide what a refusal means for them.
"""

from __future__ import annotations

import logging

from botbuilder.core import TurnContext
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import ChannelAccount, ConversationParameters, ConversationReference

from bot.teams.refs import CHANNEL_ID, TeamsRefs

log = logging.getLogger("ted.teams.chats")


async def open_personal_chat(adapter: CloudAdapter, app_id: str, refs: TeamsRefs,
                             person: dict) -> ConversationReference:
    """Open a 1:1 chat with `person` (a teams_users row) and store it; its reference. Raises what the Bot
    Connector answered when it refuses (msrest's HttpOperationError: 403 when TED may not, 429/5xx for now)."""
    tenant = person["tenant_id"]
    params = ConversationParameters(is_group=False, bot=ChannelAccount(id=person["bot_id"]),
                                    members=[ChannelAccount(id=person["user_id"])], tenant_id=tenant or None,
                                    channel_data={"tenant": {"id": tenant}} if tenant else None)
    created: list[str] = []

    async def opened(context: TurnContext) -> None:
        created.append(context.activity.conversation.id)

    await adapter.create_conversation(app_id, opened, params, CHANNEL_ID, person["service_url"])
    ref = refs.save_personal(created[-1], person)
    log.info("teams opened 1:1 conversation=%s", created[-1])
    return ref
