"""Teams on the Microsoft 365 Agents SDK 1.9 (microsoft-agents-*): TEAMS_SDK=agents.

The binding (bot.teams.binding) and nothing else: JSON activities in and out through the SDK's aiohttp
CloudAdapter and its connector client, tokens from MSAL (microsoft-agents-authentication-msal), inbound JWTs
checked by the SDK's own JwtTokenValidator, and aiohttp's failures turned into bot.teams.retry's ConnectorError
/ NoAnswer. TED's TEAMS_* settings are mapped onto the SDK's connection settings here (`auth_config`); README,
"Choosing the SDK", has the table.

TED calls the adapter's process_activity itself rather than its `process(request, agent)` or the aiohttp
jwt_authorization_middleware, to keep TED's order (body checks, then 401s, then the tenant) and answers (200, not
202), as on botbuilder. Two checks botbuilder makes and this SDK leaves out are made here: the token's issuer is
checked before any signing keys are fetched, and a channel token's ``serviceurl`` must be the activity's.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import aiohttp
import jwt
from microsoft_agents.activity import Activity, ConversationAccount, ConversationParameters, ConversationReference
from microsoft_agents.authentication.msal import MsalConnectionManager
from microsoft_agents.hosting.aiohttp import CloudAdapter
from microsoft_agents.hosting.core import RestChannelServiceClientFactory, TurnContext
from microsoft_agents.hosting.core.authorization import (
    AgentAuthConfiguration,
    AuthenticationConstants,
    AuthTypes,
    ClaimsIdentity,
    JwtTokenValidator,
)
from microsoft_agents.hosting.core.connector import ConnectorClientBase

from bot.teams.activity import CONVERSATION_UPDATE, TeamsActivity
from bot.teams.binding import Handler, Inbound, Unauthenticated
from bot.teams.config import APP_TYPES
from bot.teams.retry import ConnectorError, NoAnswer, parse_retry_after

T = TypeVar("T")
log = logging.getLogger("ted.teams.agents")
BOT_FRAMEWORK = AuthenticationConstants.AGENTS_SDK_TOKEN_ISSUER  # https://api.botframework.com
AUDIENCE = AuthenticationConstants.AGENTS_SDK_SCOPE  # whom TED's outbound tokens are for (the Bot Connector)
AUTH_TYPES = {
    "SingleTenant": AuthTypes.client_secret,
    "MultiTenant": AuthTypes.client_secret,
    "UserAssignedMSI": AuthTypes.user_managed_identity,
}
ACCOUNTS = ("from", "recipient", "conversation", "user", "bot")
# What the SDK is given of an inbound activity: its envelope. TED reads the text, value, entities and attachments
# from the activity as sent (bot.teams.activity), so what people wrote never reaches the SDK's models, nor the
# error log its validator writes when it refuses one.
ENVELOPE = (
    "type",
    "id",
    "timestamp",
    "serviceUrl",
    "channelId",
    "from",
    "conversation",
    "recipient",
    "locale",
    "replyToId",
    "channelData",
    "name",
    "action",
    "deliveryMode",
    "membersAdded",
    "membersRemoved",
)


def auth_config(settings, anonymous: bool) -> AgentAuthConfiguration:
    """The SDK's SERVICE_CONNECTION settings (CLIENTID, CLIENTSECRET, TENANTID, AUTHTYPE) from TED's TEAMS_*."""
    if anonymous:
        return AgentAuthConfiguration(anonymous_allowed=True)
    app_type = APP_TYPES[settings.teams_app_type.strip().lower()]
    # A multi-tenant app gets its tokens from the Bot Framework's own tenant, as botbuilder does.
    tenant = "botframework.com" if app_type == "MultiTenant" else settings.teams_tenant_id
    return AgentAuthConfiguration(
        AUTH_TYPES[app_type], settings.teams_app_id, tenant, settings.teams_app_password or None, validate_issuer=True
    )


async def connector_call(call: Awaitable[T]) -> T:
    """A Bot Connector call, its failure in TED's terms."""
    try:
        return await call
    except aiohttp.ClientResponseError as exc:
        raise ConnectorError(exc.status, parse_retry_after((exc.headers or {}).get("Retry-After"))) from exc
    except (TimeoutError, aiohttp.ClientError, OSError) as exc:
        raise NoAnswer(type(exc).__name__) from exc


def _pruned(data: dict) -> dict:
    """`data` without empty strings at the top and in its accounts: the SDK's models refuse "" where Teams may
    send one (a name, a locale). Only the SDK's copy is pruned; TED reads the activity as sent."""
    out = {}
    for key, value in data.items():
        if value == "" or value is None:
            continue
        if key in ACCOUNTS and isinstance(value, dict):
            value = _pruned(value)
        elif key in ("membersAdded", "membersRemoved") and isinstance(value, list):
            value = [_pruned(v) if isinstance(v, dict) else v for v in value]
        out[key] = value
    return out


def _activity(data: dict) -> Activity:
    return Activity.model_validate(_pruned(data))


def _bearer(header: str | None) -> str:
    parts = (header or "").split()
    if len(parts) != 2 or parts[0].lower() != "bearer":
        raise Unauthenticated("not a bearer token")
    return parts[1]


class AgentsTurn:
    """bot.teams.binding.TurnIO over an Agents SDK TurnContext."""

    def __init__(self, context: TurnContext, body: dict):
        self.context = context
        self.activity = TeamsActivity(body)
        self.connector = context.services.get(ConnectorClientBase)

    async def reply(self, activity: dict) -> str:
        if self.activity.type != CONVERSATION_UPDATE:
            sent = await connector_call(self.context.send_activity(_activity(activity)))
            return (sent.id or "") if sent else ""
        # botbuilder answers a conversationUpdate (TED's welcome) with a new message, this SDK with a reply to
        # it; TED posts a new message on either.
        reference = self.context.activity.get_conversation_reference()
        reference.activity_id = None
        message = _activity(activity).apply_conversation_reference(reference)
        message.input_hint = "acceptingInput"  # as TurnContext.send_activity sets it
        return await self.send(
            message.conversation.id, message.model_dump(by_alias=True, exclude_none=True, mode="json")
        )

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
        return sent.id or ""

    async def members(self, conversation_id: str, token: str | None) -> tuple[list[dict], str | None]:
        page = await connector_call(
            self.connector.conversations.get_conversation_paged_members(conversation_id, continuation_token=token)
        )
        members = [m.model_dump(by_alias=True, exclude_none=True, mode="json") for m in page.members or []]
        return members, page.continuation_token or None


class AgentsBinding:
    name = "agents"

    def __init__(self, settings, anonymous: bool):
        self.anonymous = anonymous
        self.app_id = "" if anonymous else settings.teams_app_id
        self.config = auth_config(settings, anonymous)
        self.factory = RestChannelServiceClientFactory(MsalConnectionManager({"SERVICE_CONNECTION": self.config}))
        self.adapter = CloudAdapter(channel_service_client_factory=self.factory)
        self.adapter.on_turn_error = self.on_turn_error  # the SDK's default sends the exception's text to the user

    @staticmethod
    async def on_turn_error(context: TurnContext, error: Exception) -> None:
        # TED's turn handles its own failures (bot.teams.turns); this is for the SDK's own, and says only the type.
        log.error("teams turn failed in the Agents SDK activity=%s error=%s", context.activity.id, type(error).__name__)

    def identity(self) -> ClaimsIdentity:
        """Who TED is when it calls the Bot Connector unprompted: no one (no token) in unauthenticated mode."""
        return ClaimsIdentity() if self.anonymous else self.adapter.create_claims_identity(self.app_id)

    def parse(self, body: dict) -> Inbound:
        return Inbound(body, _activity({k: v for k, v in body.items() if k in ENVELOPE}))

    async def authenticate(self, inbound: Inbound, header: str | None) -> Any:
        if self.anonymous:
            return ClaimsIdentity()  # the SDK's anonymous identity: replies go without a token
        token = _bearer(header)
        issuer = jwt.decode(token, options={"verify_signature": False}).get("iss")
        # The SDK would fetch signing keys for any issuer first; an issuer TED does not trust gets nothing.
        if not isinstance(issuer, str) or issuer.lower() not in {i.lower() for i in self.config.ISSUERS}:
            raise Unauthenticated("issuer not trusted")
        claims = await JwtTokenValidator(self.config).validate_token(token)
        service_url = claims.get_claim_value(AuthenticationConstants.SERVICE_URL_CLAIM)
        if (service_url or issuer.lower() == BOT_FRAMEWORK) and service_url != inbound.body.get("serviceUrl"):
            raise Unauthenticated("the token is for another serviceUrl")
        return claims

    async def process(self, identity: Any, inbound: Inbound, handler: Handler) -> tuple[int, Any] | None:
        async def turn(context: TurnContext) -> None:
            await handler(AgentsTurn(context, inbound.body))

        invoke = await self.adapter.process_activity(identity, inbound.activity, turn)
        return (int(invoke.status), invoke.body) if invoke is not None else None

    async def create_conversation(self, service_url: str, parameters: dict) -> str:
        identity = self.identity()
        connector = await connector_call(
            self.factory.create_connector_client(
                None, identity, service_url, AUDIENCE, use_anonymous=identity.allow_anonymous
            )
        )
        try:
            created = await connector_call(
                connector.conversations.create_conversation(ConversationParameters.model_validate(parameters))
            )
        finally:
            await connector.close()
        return created.id

    async def _continue(self, ref: dict, fn: Callable[[TurnContext, ConversationReference], Awaitable[T]]) -> T:
        """`fn` in a proactive turn. A failure is carried out of the turn to the caller (the outbox), not to
        on_turn_error, which is for turns people start."""
        reference = ConversationReference.model_validate(_pruned(ref))
        results: list = []
        failures: list[Exception] = []

        async def turn(context: TurnContext) -> None:
            try:
                results.append(await fn(context, reference))
            except Exception as exc:
                failures.append(exc)

        await connector_call(
            self.adapter.continue_conversation_with_claims(
                self.identity(), reference.get_continuation_activity(), turn, AUDIENCE
            )
        )
        if failures:
            raise failures[0]
        return results[0]

    async def send(self, ref: dict, activity: dict) -> str:
        async def post(context: TurnContext, reference: ConversationReference) -> str:
            # Straight to the conversation: context.send_activity would make it a reply to the continuation
            # event's made-up id, and a notification is a new message, not a reply.
            message = _activity(activity).apply_conversation_reference(reference)
            connector = context.services.get(ConnectorClientBase)
            sent = await connector_call(
                connector.conversations.send_to_conversation(reference.conversation.id, message)
            )
            return sent.id or ""

        return await self._continue(ref, post)

    async def update(self, ref: dict, activity_id: str, activity: dict) -> None:
        async def replace(context: TurnContext, _: ConversationReference) -> None:
            update = _activity(activity)
            update.id = activity_id
            await connector_call(context.update_activity(update))

        await self._continue(ref, replace)
