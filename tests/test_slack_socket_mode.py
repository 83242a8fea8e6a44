"""Socket Mode drives the same Bolt app and listeners as HTTP, over a WebSocket from the fake Slack API;
and `ted serve` names the channels it has switched on."""

import asyncio
import logging

from app import build
from bot.server import CHANNELS, make_app
from core.settings import Settings
from tests.fakes.slack_world import ALEX, clause_heading, slack_test

SUPPLIER = "can I add a supplier on my personal facebook?"


def envelope(kind: str, payload: dict, n: int) -> dict:
    return {
        "envelope_id": f"env-{n}",
        "type": kind,
        "payload": payload,
        "accepts_response_payload": kind != "events_api",
        "retry_attempt": 0,
        "retry_reason": "",
    }


async def acked(w, envelope_id: str, timeout: float = 5.0) -> dict:
    for _ in range(int(timeout / 0.01)):
        found = [a for a in w.api.socket_acks if a.get("envelope_id") == envelope_id]
        if found:
            return found[0]
        await asyncio.sleep(0.01)
    raise AssertionError(f"no ack for {envelope_id}: {w.api.socket_acks}")


@slack_test(slack_app_token="xapp-1-A0TED-test", slack_signing_secret="")
async def test_socket_mode_answers_events_commands_and_buttons(w):
    assert w.app[CHANNELS] == ["web chat", "Slack Socket Mode"]
    (opened,) = await w.api.wait_for("apps.connections.open")
    assert opened.headers["Authorization"] == "Bearer xapp-1-A0TED-test"
    async with w.http.post(w.events_url, data=b"{}") as resp:
        assert resp.status in (404, 405)  # Socket Mode instead of HTTP: no public endpoint

    dm = {
        "type": "message",
        "channel": "D0ALEXLIFE",
        "channel_type": "im",
        "user": ALEX,
        "text": SUPPLIER,
        "ts": "1700002000.000001",
    }
    await w.api.send_envelope(envelope("events_api", w.event_body(dm, "Ev0SOCKET"), 1))
    await acked(w, "env-1")
    (answer,) = await w.api.wait_for("chat.postMessage")
    assert answer.body["channel"] == "D0ALEXLIFE" and clause_heading(answer).startswith("*5.13")

    # The same delivery again (Slack retried it): acknowledged, answered once.
    await w.api.send_envelope({**envelope("events_api", w.event_body(dm, "Ev0SOCKET"), 2), "retry_attempt": 1})
    await acked(w, "env-2")

    command = {
        "command": "/ted",
        "text": SUPPLIER,
        "user_id": ALEX,
        "channel_id": "C0GENERAL",
        "team_id": "T0TDC",
        "response_url": w.api.response_url("sock"),
        "trigger_id": "trigger.sock",
        "api_app_id": "A0TED",
    }
    await w.api.send_envelope(envelope("slash_commands", command, 3))
    await acked(w, "env-3")
    (private,) = await w.api.wait_for("response_url")
    assert private.body["response_type"] == "ephemeral"

    button = next(e for b in answer.body["blocks"] if b["type"] == "actions" for e in b["elements"])
    press = {
        "type": "block_actions",
        "team": {"id": "T0TDC"},
        "user": {"id": ALEX},
        "api_app_id": "A0TED",
        "container": {"type": "message", "message_ts": "1.1", "channel_id": "D0ALEXLIFE"},
        "channel": {"id": "D0ALEXLIFE"},
        "trigger_id": "trigger.sock2",
        "response_url": w.api.response_url("sock2"),
        "actions": [{**button, "block_id": "b"}],
    }
    await w.api.send_envelope(envelope("interactive", press, 4))
    await acked(w, "env-4")
    await w.api.wait_for("response_url", 2)
    await w.api.settle()
    assert len(w.api.of("chat.postMessage")) == 1
    assert w.ted.db["feedback"].count == 1


def test_channels_are_named_for_the_serve_log_line(caplog):
    def channels(**kw):
        return make_app(build(Settings(**kw), ":memory:"))[CHANNELS]

    assert channels() == ["web chat"]
    assert channels(slack_bot_token="xoxb-1", slack_signing_secret="s") == ["web chat", "Slack HTTP"]
    assert channels(slack_bot_token="xoxb-1", slack_app_token="xapp-1") == ["web chat", "Slack Socket Mode"]
    with caplog.at_level(logging.WARNING, logger="ted.slack"):
        assert channels(slack_bot_token="xoxb-1") == ["web chat"]
    assert "SLACK_SIGNING_SECRET" in caplog.text
