"""The outbox's Teams sender (handlers.delivery.Sender): report notifications as proactive 1:1 messages,
the communications channel post, and in-place updates, from stored conversation references
(bot.teams_refs; https://learn.microsoft.com/microsoftteams/platform/bots/how-to/conversations/
send-proactive-messages).

Someone is reachable when the directory has their Teams id and TED holds a reference for them: their
1:1 chat, or what it needs to open one. A 429 or 5xx from the Bot Connector, or no answer at all, is a
DeliveryError, so the outbox keeps the row and tries again later. A 403/404 means the reference went
stale (TED was uninstalled): it is forgotten, so the next attempt opens a new chat or, with no other
way in, the outbox flags the person as unreachable.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

from botbuilder.core import TurnContext
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import ChannelAccount, ConversationParameters, ConversationReference
from msrest.exceptions import ClientRequestError, HttpOperationError

from bot.model import Reply
from bot.teams_delivery import card_activity
from bot.teams_refs import CHANNEL_ID, TeamsRefs
from handlers.delivery import DeliveryError
from handlers.directory import Person

T = TypeVar("T")
log = logging.getLogger("ted.teams.sender")
LATER_SECONDS = 30.0  # when the Bot Connector is down and says nothing about when to come back


def _retry_after(exc: HttpOperationError) -> float:
    try:
        return float(exc.response.headers.get("Retry-After", LATER_SECONDS))
    except (AttributeError, TypeError, ValueError):
        return LATER_SECONDS


def _status(exc: HttpOperationError) -> int:
    return int(getattr(exc.response, "status_code", 0) or 0)


class TeamsSender:
    platform = "teams"

    def __init__(self, adapter: CloudAdapter, refs: TeamsRefs, app_id: str = "", comms_conversation: str = ""):
        self.adapter = adapter
        self.refs = refs
        self.app_id = app_id
        self.comms_conversation = comms_conversation

    def reaches(self, person: Person) -> bool:
        return person.active and bool(person.teams_user_id) and self.refs.can_reach(person.teams_user_id)

    async def dm(self, person: Person, reply: Reply) -> tuple[str, str]:
        return await self.dm_user(person.teams_user_id, reply)

    async def dm_user(self, user_id: str, reply: Reply) -> tuple[str, str]:
        ref = self.refs.personal(user_id)
        if ref is not None:
            return ref.conversation.id, await self._call(ref.conversation.id, self._send(ref, reply))
        person = self.refs.person(user_id)
        if person is None:  # e.g. a reporter whose chat was removed since: nothing to send to, nothing to retry
            log.warning("teams has no conversation for user=%s; not sent", user_id)
            return "", ""
        return await self._call("", self._open_and_send(person, reply))

    async def channel(self, reply: Reply) -> tuple[str, str] | None:
        if not self.comms_conversation:
            return None
        ref = self.refs.reference(self.comms_conversation)
        if ref is None:
            log.warning("TED_COMMS_TEAMS_CONVERSATION=%s is not a conversation TED has been added to; "
                        "install TED in that team", self.comms_conversation)
            return None
        return ref.conversation.id, await self._call(ref.conversation.id, self._send(ref, reply))

    async def update(self, channel: str, message_id: str, reply: Reply) -> None:
        ref = self.refs.reference(channel) if channel else None
        if ref is None or not message_id:
            log.warning("teams cannot update message=%s: no reference for conversation=%s", message_id, channel)
            return

        async def replace(context: TurnContext) -> None:
            activity = card_activity(reply)
            activity.id = message_id
            await context.update_activity(activity)

        await self._call(channel, self._continue(ref, replace))

    # -- sending ------------------------------------------------------------------------------------
    async def _continue(self, ref: ConversationReference, fn: Callable[[TurnContext], Awaitable[T]]) -> T:
        """`fn` in a proactive turn. The adapter's on_turn_error is for turns people start (it apologises to
        them); a notification's failure must reach the outbox instead, so it is carried out of the turn."""
        results: list = []
        failures: list[Exception] = []

        async def turn(context: TurnContext) -> None:
            try:
                results.append(await fn(context))
            except Exception as exc:
                failures.append(exc)

        await self.adapter.continue_conversation(ref, turn, self.app_id)
        if failures:
            raise failures[0]
        return results[0]

    async def _send(self, ref: ConversationReference, reply: Reply) -> str:
        async def send(context: TurnContext) -> str:
            # Straight to the conversation: context.send_activity would make it a reply to the continuation
            # event's made-up id, and a notification is a new message, not a reply.
            activity = TurnContext.apply_conversation_reference(card_activity(reply), ref)
            connector = context.turn_state[context.adapter.BOT_CONNECTOR_CLIENT_KEY]
            response = await connector.conversations.send_to_conversation(ref.conversation.id, activity)
            return response.id if response else ""

        return await self._continue(ref, send)

    async def _open_and_send(self, person: dict, reply: Reply) -> tuple[str, str]:
        tenant = person["tenant_id"]
        params = ConversationParameters(is_group=False, bot=ChannelAccount(id=person["bot_id"]),
                                        members=[ChannelAccount(id=person["user_id"])], tenant_id=tenant or None,
                                        channel_data={"tenant": {"id": tenant}} if tenant else None)
        created: list[str] = []

        async def opened(context: TurnContext) -> None:
            created.append(context.activity.conversation.id)

        await self.adapter.create_conversation(self.app_id, opened, params, CHANNEL_ID, person["service_url"])
        ref = self.refs.save_personal(created[0], person)
        log.info("teams opened 1:1 conversation=%s", created[0])
        return created[0], await self._send(ref, reply)

    async def _call(self, conversation_id: str, call: Awaitable[T]) -> T:
        try:
            return await call
        except HttpOperationError as exc:
            status = _status(exc)
            if status == 429 or status >= 500:
                raise DeliveryError(f"Bot Connector answered {status}", _retry_after(exc)) from exc
            if status in (403, 404) and conversation_id:
                self.refs.forget(conversation_id)
                raise DeliveryError(f"Bot Connector answered {status}; reference forgotten", 0) from exc
            raise
        except (ClientRequestError, OSError) as exc:  # OSError covers TimeoutError and refused connections
            raise DeliveryError(f"Bot Connector unreachable: {type(exc).__name__}", LATER_SECONDS) from exc

