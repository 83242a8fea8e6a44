"""TED on Microsoft Teams: POST /api/messages on TED's aiohttp server, through botbuilder's CloudAdapter.

Every activity is authenticated first (the Bot Framework's signed JWT: https://learn.microsoft.com/azure/
bot-service/rest-api/bot-framework-rest-connector-authentication); anything that fails, including a
token that is not even a JWT (which botbuilder itself would let escape as a 500), is a 401. Then the
tenant is checked against TEAMS_TENANT_ID (another tenant is a 401 as well), and only then does the turn
run (bot.teams.turns).

TEAMS_ALLOW_UNAUTHENTICATED=1 runs the same path with authentication disabled, as the Bot Framework
Emulator expects; bot.teams.config only allows it when TED listens on a loopback address.
"""

from __future__ import annotations

import json
import logging
from types import SimpleNamespace

from aiohttp import web
from botbuilder.core import TurnContext
from botbuilder.integration.aiohttp import CloudAdapter, ConfigurationBotFrameworkAuthentication
from botbuilder.schema import Activity

from bot.http_body import read_bounded
from bot.teams.config import APP_TYPES, UNAUTHENTICATED
from bot.teams.delivery import card_activity
from bot.teams.inbound import tenant_of
from bot.teams.refs import TeamsRefs
from bot.teams.sender import TeamsSender
from bot.teams.tokens import CardSigner
from bot.teams.turns import TeamsBot
from chat.model import Reply
from handlers import messages

log = logging.getLogger("ted.teams")
MAX_BODY = 256 * 1024  # an activity is a few KB; a card submit with a full report form is well under this


def auth_config(settings, anonymous: bool) -> SimpleNamespace:
    """botbuilder's configuration object (its names: APP_ID, APP_PASSWORD, APP_TYPE, APP_TENANTID, …)."""
    if anonymous:  # no app id: botbuilder treats authentication as disabled and sends without a token
        return SimpleNamespace(APP_ID="", APP_PASSWORD="", APP_TYPE="MultiTenant")
    return SimpleNamespace(APP_ID=settings.teams_app_id, APP_PASSWORD=settings.teams_app_password,
                           APP_TYPE=APP_TYPES[settings.teams_app_type.strip().lower()],
                           APP_TENANTID=settings.teams_tenant_id or None)


def authentication(settings, anonymous: bool) -> ConfigurationBotFrameworkAuthentication:
    return ConfigurationBotFrameworkAuthentication(auth_config(settings, anonymous),
                                                   logger=logging.getLogger("ted.teams.botbuilder"))


class TeamsEndpoint:
    def __init__(self, ted, mode: str):
        s = ted.settings
        self.ted = ted
        self.anonymous = mode == UNAUTHENTICATED
        self.tenant_id = s.teams_tenant_id
        self.auth = authentication(s, self.anonymous)
        self.adapter = CloudAdapter(self.auth)
        self.adapter.on_turn_error = self.on_turn_error
        self.refs = TeamsRefs(ted.db, s.teams_tenant_id)
        self.signer = CardSigner.for_db(ted.db)
        self.app_id = "" if self.anonymous else s.teams_app_id
        self.bot = TeamsBot(ted, self.refs, self.signer, app_id=self.app_id)
        self.sender = TeamsSender(self.adapter, self.refs, self.app_id, s.comms_teams_conversation, self.signer)

    async def on_turn_error(self, context: TurnContext, error: Exception) -> None:
        # The exception's text may quote what someone wrote; the log keeps its type, DEBUG the traceback.
        log.error("teams turn failed activity=%s error=%s", context.activity.id, type(error).__name__)
        log.debug("teams turn failure", exc_info=error)
        try:
            await context.send_activity(card_activity(Reply(messages.TEAMS_ERROR)))
        except Exception as exc:
            log.warning("teams could not send the apology error=%s", type(exc).__name__)

    async def read_activity(self, request: web.Request) -> Activity | web.Response:
        if (request.content_length or 0) > MAX_BODY:
            return web.Response(status=413)
        if "application/json" not in request.headers.get("Content-Type", ""):
            return web.Response(status=415)
        data = await read_bounded(request, MAX_BODY)
        if data is None:
            return web.Response(status=413)
        try:
            body = json.loads(data.decode("utf-8"))
            activity = Activity().deserialize(body) if isinstance(body, dict) else None
        except Exception as exc:  # not JSON, or not an activity
            log.info("teams request refused (400): not a Bot Framework activity error=%s", type(exc).__name__)
            activity = None
        if activity is None or not activity.type:
            return web.json_response({"error": "Send a Bot Framework activity."}, status=400)
        return activity

    async def handle(self, request: web.Request) -> web.Response:
        """POST /api/messages."""
        activity = await self.read_activity(request)
        if isinstance(activity, web.Response):
            return activity
        header = None if self.anonymous else (request.headers.get("Authorization") or None)
        if not self.anonymous and not header:
            log.warning("teams activity refused: no Authorization header activity=%s", activity.id)
            return web.json_response({"error": "unauthorized"}, status=401)
        try:
            auth = await self.auth.authenticate_request(activity, header)
        except Exception as exc:  # PermissionError for a bad token; jwt's DecodeError etc. for a malformed one
            log.warning("teams activity refused: not authenticated activity=%s error=%s", activity.id,
                        type(exc).__name__)
            return web.json_response({"error": "unauthorized"}, status=401)
        tenant = tenant_of(activity)
        if self.tenant_id and tenant != self.tenant_id:
            log.warning("teams activity refused: tenant=%s is not TEAMS_TENANT_ID activity=%s", tenant or "(none)",
                        activity.id)
            return web.json_response({"error": "unauthorized: this bot serves one organisation only"}, status=401)
        invoke = await self.adapter.process_activity(auth, activity, self.bot.on_turn)
        if invoke is not None:
            return web.json_response(invoke.body, status=invoke.status)
        return web.Response(status=200)


TEAMS = web.AppKey("ted.teams", TeamsEndpoint)


def mount_teams(app: web.Application, ted, mode: str) -> str:
    """POST /api/messages, and the Teams sender for report notifications. Returns the channel's name."""
    endpoint = TeamsEndpoint(ted, mode)
    app[TEAMS] = endpoint
    ted.outbox.senders.append(endpoint.sender)
    app.router.add_post("/api/messages", endpoint.handle)
    if endpoint.anonymous:
        log.warning("Teams accepts UNAUTHENTICATED activities (TEAMS_ALLOW_UNAUTHENTICATED=1, loopback only)")
    elif not endpoint.tenant_id and ted.settings.teams_app_type.strip().lower() == "multitenant":
        log.warning("TEAMS_APP_TYPE=MultiTenant without TEAMS_TENANT_ID: TED accepts activities from ANY "
                    "Microsoft 365 organisation that installs the app, and can message their staff. Set "
                    "TEAMS_TENANT_ID to the council's tenant id unless that is really wanted.")
    log.info("teams endpoint POST /api/messages tenant=%s comms_conversation=%s", endpoint.tenant_id or "(any)",
             ted.settings.comms_teams_conversation or "(none)")
    return mode
