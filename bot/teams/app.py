"""TED on Microsoft Teams: POST /api/messages on TED's aiohttp server, through the SDK TEAMS_SDK names
(bot.teams.binding: botbuilder's CloudAdapter, or the Microsoft 365 Agents SDK's).

TED keeps the order of things itself, the same on either SDK: the body is read (413/415/400 for what is not a
Bot Framework activity), then every activity is authenticated (the Bot Framework's signed JWT:
https://learn.microsoft.com/azure/bot-service/rest-api/bot-framework-rest-connector-authentication); anything
that fails, including a token that is not even a JWT (which botbuilder itself would let escape as a 500), is a
401. Then the tenant is checked against TEAMS_TENANT_ID (another tenant is a 401 as well), and only then does
the turn run (bot.teams.turns).

TEAMS_ALLOW_UNAUTHENTICATED=1 runs the same path with authentication disabled, as the Bot Framework
Emulator expects; bot.teams.config only allows it when TED listens on a loopback address.
"""

from __future__ import annotations

import base64
import json
import logging

from aiohttp import web

from bot.http_body import read_bounded
from bot.pool import HandlerPool
from bot.teams.activity import TeamsActivity
from bot.teams.activity import text as text_of
from bot.teams.binding import LABELS, Binding, Inbound
from bot.teams.config import UNAUTHENTICATED
from bot.teams.refs import TeamsRefs
from bot.teams.sender import TeamsSender
from bot.teams.tokens import CardSigner
from bot.teams.turns import TeamsBot
from handlers import messages

log = logging.getLogger("ted.teams")
MAX_BODY = 256 * 1024  # an activity is a few KB; a card submit with a full report form is well under this


def load_binding(settings, anonymous: bool) -> Binding:
    """The binding TEAMS_SDK names, importing its SDK now (and only that one)."""
    if settings.teams_sdk == "agents":
        from bot.teams.sdk_agents import AgentsBinding

        return AgentsBinding(settings, anonymous)
    from bot.teams.sdk_botbuilder import BotbuilderBinding

    return BotbuilderBinding(settings, anonymous)


class TeamsEndpoint:
    def __init__(self, ted, mode: str, pool: HandlerPool | None = None):
        s = ted.settings
        self.ted = ted
        self.anonymous = mode == UNAUTHENTICATED
        self.tenant_id = s.teams_tenant_id
        self.binding = load_binding(s, self.anonymous)
        self.refs = TeamsRefs(ted.db, s.teams_tenant_id)
        self.signer = CardSigner.for_db(ted.db)
        self.bot = TeamsBot(ted, self.binding, self.refs, self.signer, pool=pool)
        self.sender = TeamsSender(self.binding, self.refs, s.comms_teams_conversation, self.signer)

    async def read_activity(self, request: web.Request) -> Inbound | web.Response:
        if (request.content_length or 0) > MAX_BODY:
            return web.Response(status=413)
        if "application/json" not in request.headers.get("Content-Type", ""):
            return web.Response(status=415)
        data = await read_bounded(request, MAX_BODY)
        if data is None:
            return web.Response(status=413)
        inbound = None
        try:
            body = json.loads(data.decode("utf-8"))
            if isinstance(body, dict) and body.get("type"):
                inbound = self.binding.parse(body)
        except Exception as exc:  # not JSON, or not an activity the SDK can read
            log.info("teams request refused (400): not a Bot Framework activity error=%s", type(exc).__name__)
        if inbound is None:
            return web.json_response({"error": "Send a Bot Framework activity."}, status=400)
        return inbound

    async def handle(self, request: web.Request) -> web.Response:
        """POST /api/messages."""
        inbound = await self.read_activity(request)
        if isinstance(inbound, web.Response):
            return inbound
        activity = TeamsActivity(inbound.body)
        header = None if self.anonymous else (request.headers.get("Authorization") or None)
        if not self.anonymous and not header:
            log.warning("teams activity refused: no Authorization header activity=%s", activity.id)
            return web.json_response({"error": "unauthorized"}, status=401)
        if header and not expires(header):
            log.warning("teams activity refused: token has no expiry activity=%s", activity.id)
            return web.json_response({"error": "unauthorized"}, status=401)
        try:
            identity = await self.binding.authenticate(inbound, header)
        except Exception as exc:  # Unauthenticated, the SDK's own refusal, or a token too malformed to read
            log.warning(
                "teams activity refused: not authenticated activity=%s error=%s", activity.id, type(exc).__name__
            )
            return web.json_response({"error": "unauthorized"}, status=401)
        if self.tenant_id and activity.tenant != self.tenant_id:
            log.warning(
                "teams activity refused: tenant=%s is not TEAMS_TENANT_ID activity=%s",
                activity.tenant or "(none)",
                activity.id,
            )
            return web.json_response({"error": "unauthorized: this bot serves one organisation only"}, status=401)
        invoke = await self.binding.process(identity, inbound, self.bot.on_turn)
        if activity.type == "invoke" and (invoke is None or invoke[0] == 501):
            # TED's cards send messages (Action.Submit); an invoke (Action.Execute, a task module, a sign-in
            # step) is nothing it does. Teams shows a 5xx to the person as an error: answer it, and say so.
            log.info(
                "teams invoke not handled name=%s activity=%s", text_of(activity.raw.get("name"))[:40], activity.id
            )
            if text_of(activity.raw.get("name")) == "adaptiveCard/action":
                return web.json_response(
                    {
                        "statusCode": 200,
                        "type": "application/vnd.microsoft.activity.message",
                        "value": messages.TEAMS_INVOKE,
                    }
                )
            return web.json_response({}, status=200)
        if invoke is not None:
            status, body = invoke
            return web.json_response(body, status=status)
        return web.Response(status=200)


TEAMS = web.AppKey("ted.teams", TeamsEndpoint)


def expires(header: str) -> bool:
    """The bearer token says when it expires (`exp`, a number). Both SDKs check an `exp` that is there; a token
    without one would be good for ever, so it is refused before either sees it. Nothing else is read here: the
    signature, issuer, audience and the rest are the SDK's to verify."""
    scheme, _, token = header.strip().partition(" ")
    parts = token.strip().split(".")
    if scheme.lower() != "bearer" or len(parts) != 3:
        return True  # not a JWT at all: the SDK refuses it in its own words
    try:
        claims = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except (ValueError, TypeError, RecursionError):  # not a payload TED can read: the SDK refuses it
        return True
    exp = claims.get("exp") if isinstance(claims, dict) else None
    return isinstance(exp, int | float) and not isinstance(exp, bool)


def mount_teams(app: web.Application, ted, mode: str, pool: HandlerPool | None = None) -> str:
    """POST /api/messages, and the Teams sender for report notifications. Returns the channel's name, which says
    which SDK carries it ("Teams on the Agents SDK")."""
    endpoint = TeamsEndpoint(ted, mode, pool)
    app[TEAMS] = endpoint
    ted.outbox.senders.append(endpoint.sender)
    app.router.add_post("/api/messages", endpoint.handle)
    label = LABELS[endpoint.binding.name]
    if endpoint.anonymous:
        log.warning("%s accepts UNAUTHENTICATED activities (TEAMS_ALLOW_UNAUTHENTICATED=1, loopback only)", label)
    elif not endpoint.tenant_id and ted.settings.teams_app_type.strip().lower() == "multitenant":
        log.warning(
            "TEAMS_APP_TYPE=MultiTenant without TEAMS_TENANT_ID: TED accepts activities from ANY "
            "Microsoft 365 organisation that installs the app, and can message their staff. Set "
            "TEAMS_TENANT_ID to the council's tenant id unless that is really wanted."
        )
    log.info(
        "%s: endpoint POST /api/messages tenant=%s comms_conversation=%s",
        label,
        endpoint.tenant_id or "(any)",
        ted.settings.comms_teams_conversation or "(none)",
    )
    return f"{label} (unauthenticated, loopback only)" if endpoint.anonymous else label
