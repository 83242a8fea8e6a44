"""Teams on botbuilder 4.17.1 (the Bot Framework SDK for Python, archived by Microsoft): TEAMS_SDK=botbuilder.

The binding (bot.teams.binding) and nothing else: JSON activities in and out through botbuilder's aiohttp
CloudAdapter and its Bot Connector client, botbuilder's own JWT validation (ConfigurationBotFrameworkAuthentication),
and msrest's failures turned into bot.teams.retry's ConnectorError / NoAnswer.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from types import SimpleNamespace
from typing import Any, TypeVar

from botbuilder.core import BotAdapter, TurnContext
from botbuilder.integration.aiohttp import CloudAdapter, ConfigurationBotFrameworkAuthentication
from botbuilder.schema import Activity, ConversationAccount, ConversationParameters, ConversationReference
from msrest.exceptions import ClientRequestError, HttpOperationError

from bot.teams.activity import CHANNEL_ID, TeamsActivity
from bot.teams.binding import Handler, Inbound
from bot.teams.config import APP_TYPES
from bot.teams.retry import ConnectorError, NoAnswer, parse_retry_after

T = TypeVar("T")
log = logging.getLogger("ted.teams.botbuilder")


def auth_config(settings, anonymous: bool) -> SimpleNamespace:
    """botbuilder's configuration object (its names: APP_ID, APP_PASSWORD, APP_TYPE, APP_TENANTID, …)."""
    if anonymous:  # no app id: botbuilder treats authentication as disabled and sends without a token
        return SimpleNamespace(APP_ID="", APP_PASSWORD="", APP_TYPE="MultiTenant")
    return SimpleNamespace(
        APP_ID=settings.teams_app_id,
        APP_PASSWORD=settings.teams_app_password,
        APP_TYPE=APP_TYPES[settings.teams_app_type.strip().lower()],
        APP_TENANTID=settings.teams_tenant_id or None,
    )


async def connector_call(call: Awaitable[T]) -> T:
    """A Bot Connector call, its failure in TED's terms."""
    try:
        return await call
    except HttpOperationError as exc:
        response = getattr(exc, "response", None)
        status = int(getattr(response, "status_code", 0) or 0)
        headers = getattr(response, "headers", None)
        if not status:
            raise NoAnswer(type(exc).__name__) from exc
        raise ConnectorError(
            status, parse_retry_after(headers.get("Retry-After") if headers is not None else None)
        ) from exc
    except (ClientRequestError, OSError) as exc:
        raise NoAnswer(type(exc).__name__) from exc


def _activity(data: dict) -> Activity:
    return Activity().deserialize(data)


def _reference(ref: dict) -> ConversationReference:
    reference = ConversationReference().deserialize(ref)
    # botbuilder reads the tenant only as "tenantID"; stored references say "tenantId" (bot.teams.refs).
    tenant = (ref.get("conversation") or {}).get("tenantId")
    if tenant and reference.conversation is not None:
        reference.conversation.tenant_id = tenant
    return reference


class BotbuilderTurn:
    """bot.teams.binding.TurnIO over a botbuilder TurnContext."""

    def __init__(self, context: TurnContext, body: dict):
        self.context = context
        self.activity = TeamsActivity(body)
        self.connector = context.turn_state[BotAdapter.BOT_CONNECTOR_CLIENT_KEY]

    async def reply(self, activity: dict) -> str:
        sent = await connector_call(self.context.send_activity(_activity(activity)))
        return sent.id if sent else ""

    async def update(self, conversation_id: str, activity_id: str, activity: dict) -> None:
        update = _activity(activity)
        update.id = activity_id
        if conversation_id == self.activity.conversation_id:
            await connector_call(self.context.update_activity(update))
            return
        update.conversation = ConversationAccount(id=conversation_id)
        await connector_call(self.connector.conversations.update_activity(conversation_id, activity_id, update))

    async def send(self, conversation_id: str, activity: dict) -> str:
        sent = await connector_call(
            self.connector.conversations.send_to_conversation(conversation_id, _activity(activity))
        )
        return sent.id if sent else ""

    async def members(self, conversation_id: str, token: str | None) -> tuple[list[dict], str | None]:
        # What botbuilder's TeamsInfo.get_paged_members calls for a team.
        page = await connector_call(
            self.connector.conversations.get_teams_conversation_paged_members(conversation_id, continuation_token=token)
        )
        return [m.serialize() for m in page.members or []], page.continuation_token or None


class BotbuilderBinding:
    name = "botbuilder"

    def __init__(self, settings, anonymous: bool):
        self.anonymous = anonymous
        self.app_id = "" if anonymous else settings.teams_app_id
        self.auth = ConfigurationBotFrameworkAuthentication(auth_config(settings, anonymous), logger=log)
        self.adapter = CloudAdapter(self.auth)
        self.adapter.on_turn_error = self.on_turn_error

    @staticmethod
    async def on_turn_error(context: TurnContext, error: Exception) -> None:
        # TED's turn handles its own failures (bot.teams.turns); this is for botbuilder's own, and says only the type.
        log.error("teams turn failed in botbuilder activity=%s error=%s", context.activity.id, type(error).__name__)

    def parse(self, body: dict) -> Inbound:
        return Inbound(body, _activity(body))

    async def authenticate(self, inbound: Inbound, header: str | None) -> Any:
        # Raises PermissionError for a bad token, and jwt's DecodeError etc. for a malformed one.
        return await self.auth.authenticate_request(inbound.activity, None if self.anonymous else header)

    async def process(self, identity: Any, inbound: Inbound, handler: Handler) -> tuple[int, Any] | None:
        async def turn(context: TurnContext) -> None:
            await handler(BotbuilderTurn(context, inbound.body))

        invoke = await self.adapter.process_activity(identity, inbound.activity, turn)
        return (invoke.status, invoke.body) if invoke is not None else None

    async def create_conversation(self, service_url: str, parameters: dict) -> str:
        created: list[str] = []

        async def opened(context: TurnContext) -> None:
            created.append(context.activity.conversation.id)

        await connector_call(
            self.adapter.create_conversation(
                self.app_id, opened, ConversationParameters().deserialize(parameters), CHANNEL_ID, service_url
            )
        )
        return created[-1]

    async def _continue(self, ref: dict, fn: Callable[[TurnContext, ConversationReference], Awaitable[T]]) -> T:
        """`fn` in a proactive turn. A failure is carried out of the turn to the caller (the outbox), not to
        on_turn_error, which is for turns people start."""
        reference = _reference(ref)
        results: list = []
        failures: list[Exception] = []

        async def turn(context: TurnContext) -> None:
            try:
                results.append(await fn(context, reference))
            except Exception as exc:
                failures.append(exc)

        await connector_call(self.adapter.continue_conversation(reference, turn, self.app_id))
        if failures:
            raise failures[0]
        return results[0]

    async def send(self, ref: dict, activity: dict) -> str:
        async def post(context: TurnContext, reference: ConversationReference) -> str:
            # Straight to the conversation: context.send_activity would make it a reply to the continuation
            # event's made-up id, and a notification is a new message, not a reply.
            message = TurnContext.apply_conversation_reference(_activity(activity), reference)
            connector = context.turn_state[BotAdapter.BOT_CONNECTOR_CLIENT_KEY]
            sent = await connector_call(
                connector.conversations.send_to_conversation(reference.conversation.id, message)
            )
            return sent.id if sent else ""

        return await self._continue(ref, post)

    async def update(self, ref: dict, activity_id: str, activity: dict) -> None:
        async def replace(context: TurnContext, _: ConversationReference) -> None:
            update = _activity(activity)
            update.id = activity_id
            await connector_call(context.update_activity(update))

        await self._continue(ref, replace)
