"""Teams with authentication on (app id and password set, no TEAMS_ALLOW_UNAUTHENTICATED): anything
without a valid Bot Framework token is a 401, never a 500, and is refused before any network use;
and the unauthenticated mode is refused unless TED listens on loopback."""

import asyncio
import base64
import json
import logging

import aiohttp
import pytest
from aiohttp.test_utils import TestServer

from app import build
from bot.server import CHANNELS, make_app
from core.settings import Settings
from tests.fakes.bot_connector import TENANT
from tests.fakes.teams_world import ALEX, TeamsWorld, teams_test

APP_ID = "6b1f2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
AUTH_ON = dict(
    teams_allow_unauthenticated=False,
    teams_app_id=APP_ID,
    teams_app_password="not-a-real-secret",
    teams_tenant_id=TENANT,
)


def b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


UNSIGNED = f"{b64({'alg': 'none', 'typ': 'JWT'})}.{b64({'iss': 'https://sts.evil.example/', 'aud': APP_ID})}."


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "Bearer",
        "Bearer ",
        "Bearer not-a-jwt",
        "Bearer a.b.c",
        "Bearer ....",
        "Basic dXNlcjpwYXNz",
        f"Bearer {UNSIGNED}",
        "Bearer eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJ4In0.c2lnbmF0dXJl",
        "Bearer 🙂.🙂.🙂",
    ],
)
@teams_test(**AUTH_ON)
async def test_activities_without_a_valid_token_are_401(w, header):
    headers = {} if header is None else {"Authorization": header}
    status, body = await w.post(w.teams.personal(ALEX, "hello"), headers=headers)
    assert status == 401, body
    assert w.connector.calls == []
    assert w.ted.db["teams_conversations"].count == 0 and w.ted.db["asked"].count == 0


def test_the_log_names_the_refusal_not_the_message(caplog, teams_binding):
    async def scenario():
        async with TeamsWorld(teams_sdk=teams_binding, **AUTH_ON) as w:
            await w.post(w.teams.personal(ALEX, "my secret question"), headers={"Authorization": "Bearer x.y.z"})

    with caplog.at_level(logging.INFO):
        asyncio.run(scenario())
    assert "teams activity refused: not authenticated" in caplog.text
    assert "my secret question" not in caplog.text


@pytest.mark.parametrize("host", ["0.0.0.0", "10.1.2.3", "ted.tendring.example"])
def test_unauthenticated_mode_is_refused_off_loopback(host, caplog, teams_binding):
    async def scenario():
        ted = build(Settings(teams_allow_unauthenticated=True, host=host, teams_sdk=teams_binding), ":memory:")
        app = make_app(ted)
        assert app[CHANNELS] and "Teams" not in " ".join(app[CHANNELS])
        assert not [s for s in ted.outbox.senders if s.platform == "teams"]
        server = TestServer(app, host="127.0.0.1", port=0)
        await server.start_server()
        try:
            async with aiohttp.ClientSession() as http:
                async with http.post(server.make_url("/api/messages"), json={"type": "message"}) as resp:
                    assert resp.status in (404, 405)
        finally:
            await server.close()

    with caplog.at_level(logging.INFO):
        asyncio.run(scenario())
    assert f"TEAMS_ALLOW_UNAUTHENTICATED=1 is refused because TED_HOST={host}" in caplog.text
    assert any(r.levelno == logging.ERROR for r in caplog.records if "TEAMS_ALLOW" in r.getMessage())


def test_without_credentials_teams_is_off_and_says_why(caplog):
    with caplog.at_level(logging.INFO):
        app = make_app(build(Settings(), ":memory:"))
    assert "Teams is off: TEAMS_APP_ID and TEAMS_APP_PASSWORD are not set" in caplog.text
    assert not [r for r in app.router.routes() if r.resource and r.resource.canonical == "/api/messages"]


def test_with_credentials_teams_is_on_and_the_start_up_log_names_the_sdk(caplog, teams_binding):
    ted = build(Settings(teams_sdk=teams_binding, **AUTH_ON), ":memory:")
    with caplog.at_level(logging.INFO):
        app = make_app(ted)
    label = {"botbuilder": "Teams on botbuilder", "agents": "Teams on the Agents SDK"}[teams_binding]
    assert app[CHANNELS] == ["web chat", label]
    assert f"{label}: endpoint POST /api/messages" in caplog.text
    assert [s.platform for s in ted.outbox.senders] == ["web", "teams"]  # the web chat's inbox is a sender too


def test_multitenant_without_a_tenant_id_warns_loudly_at_start_up(caplog, teams_binding):
    settings = dict(
        teams_app_id=APP_ID,
        teams_app_password="not-a-real-secret",
        teams_app_type="MultiTenant",
        teams_sdk=teams_binding,
    )
    with caplog.at_level(logging.INFO):
        make_app(build(Settings(**settings), ":memory:"))
    (warning,) = [r for r in caplog.records if "MultiTenant without TEAMS_TENANT_ID" in r.getMessage()]
    assert warning.levelno == logging.WARNING and "ANY" in warning.getMessage()
    caplog.clear()
    with caplog.at_level(logging.INFO):
        make_app(build(Settings(**settings, teams_tenant_id=TENANT), ":memory:"))
        make_app(build(Settings(teams_sdk=teams_binding, **AUTH_ON), ":memory:"))
    assert "without TEAMS_TENANT_ID" not in caplog.text
