"""TED's real server (bot.server.make_app) on 127.0.0.1 port 0, wired to a FakeSlackApi, and a Slack
workspace that sends it signed events, slash commands, button presses and modal submissions."""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from urllib.parse import urlencode

import aiohttp
from aiohttp.test_utils import TestServer

from app import build
from bot.server import make_app
from core.settings import Settings
from handlers.reports.retry import RetryPolicy
from tests.fakes.slack_api import BOT_USER, TEAM, FakeSlackApi, sign

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
FAST = RetryPolicy(max_retries=3, backoff=0.01, max_wait=2.0, jitter=0.0)
ALEX, SAM = "U0ALEXLIFE", "U0SAMCOMMS"


class SlackWorld:
    def __init__(self, **settings):
        self.settings_overrides = settings
        self.api = FakeSlackApi()
        self._ids = itertools.count(1)

    async def __aenter__(self) -> SlackWorld:
        await self.api.start()
        settings = dict(slack_bot_token="xoxb-test-token", slack_signing_secret=SECRET,
                        slack_api_url=self.api.api_url, public_url="https://ted.example")
        settings.update(self.settings_overrides)
        self.ted = build(Settings(**settings), ":memory:")
        self.app = make_app(self.ted, slack_retry=FAST)
        self.server = TestServer(self.app, host="127.0.0.1", port=0)
        await self.server.start_server()
        self.http = aiohttp.ClientSession()
        return self

    async def __aexit__(self, *exc) -> None:
        await self.http.close()
        await self.server.close()
        await self.api.close()

    @property
    def events_url(self) -> str:
        return str(self.server.make_url("/slack/events"))

    # -- raw requests -------------------------------------------------------------------------
    async def post(self, body: str | bytes, content_type: str, signed: bool = True, timestamp: int | None = None,
                   headers: dict | None = None) -> tuple[int, str]:
        h = {"Content-Type": content_type, **(headers or {})}
        if signed:
            h.update(sign(SECRET, body, timestamp))
        data = body if isinstance(body, bytes) else body.encode()
        async with self.http.post(self.events_url, data=data, headers=h) as resp:
            return resp.status, await resp.text()

    # -- what Slack sends ---------------------------------------------------------------------
    def event_body(self, event: dict, event_id: str | None = None) -> dict:
        return {"token": "legacy", "team_id": TEAM, "api_app_id": "A0TED", "type": "event_callback",
                "event_id": event_id or f"Ev{next(self._ids):08d}", "event_time": int(time.time()),
                "authorizations": [{"team_id": TEAM, "user_id": BOT_USER, "is_bot": True,
                                    "is_enterprise_install": False}], "event": event}

    async def event(self, event: dict, event_id: str | None = None, retry_num: int | None = None) -> tuple[int, str]:
        headers = {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": "http_timeout"} if retry_num else {}
        return await self.post(json.dumps(self.event_body(event, event_id)), "application/json", headers=headers)

    def next_ts(self) -> str:
        return f"1700001000.{next(self._ids):06d}"

    async def dm(self, text: str, user: str = ALEX, thread_ts: str = "", **kw) -> str:
        ts = self.next_ts()
        event = {"type": "message", "channel": "D" + user[1:], "channel_type": "im", "user": user, "text": text,
                 "ts": ts, "event_ts": ts, **({"thread_ts": thread_ts} if thread_ts else {}), **kw}
        status, _ = await self.event(event)
        assert status == 200
        return ts

    async def mention(self, text: str, channel: str = "C0GENERAL", user: str = ALEX, thread_ts: str = "") -> str:
        ts = self.next_ts()
        event = {"type": "app_mention", "channel": channel, "user": user, "text": f"<@{BOT_USER}> {text}",
                 "ts": ts, "event_ts": ts, **({"thread_ts": thread_ts} if thread_ts else {})}
        status, _ = await self.event(event)
        assert status == 200
        return ts

    async def command(self, command: str, text: str, user: str = ALEX, channel: str = "C0GENERAL") -> tuple[int, str]:
        n = next(self._ids)
        form = {"token": "legacy", "team_id": TEAM, "team_domain": "tdc", "channel_id": channel,
                "channel_name": "general", "user_id": user, "user_name": "alex", "command": command, "text": text,
                "api_app_id": "A0TED", "is_enterprise_install": "false",
                "response_url": self.api.response_url(f"cmd{n}"), "trigger_id": f"trigger.cmd{n}"}
        return await self.post(urlencode(form), "application/x-www-form-urlencoded")

    async def interact(self, payload: dict) -> tuple[int, str]:
        return await self.post(urlencode({"payload": json.dumps(payload)}), "application/x-www-form-urlencoded")

    async def press(self, message: dict, action_id: str, user: str = ALEX, channel: str = "C0GENERAL",
                    message_ts: str = "1700000000.000001", ephemeral: bool = False, thread_ts: str = "",
                    index: int = 0) -> tuple[int, str]:
        """Presses a button found in a rendered message (blocks TED sent to the fake API)."""
        button = [e for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]
                  if e["action_id"].split("#")[0] == action_id][index]
        n = next(self._ids)
        container = {"type": "message", "message_ts": message_ts, "channel_id": channel, "is_ephemeral": ephemeral}
        if thread_ts:
            container["thread_ts"] = thread_ts
        payload = {"type": "block_actions", "team": {"id": TEAM}, "user": {"id": user, "team_id": TEAM},
                   "api_app_id": "A0TED", "token": "legacy", "container": container,
                   "trigger_id": f"trigger.act{n}", "channel": {"id": channel},
                   "response_url": self.api.response_url(f"act{n}"),
                   "actions": [{**button, "block_id": "b1", "action_ts": str(time.time())}]}
        if not ephemeral:
            payload["message"] = {"ts": message_ts, "text": message.get("text", ""), "blocks": message["blocks"],
                                  **({"thread_ts": thread_ts} if thread_ts else {})}
        return await self.interact(payload)

    async def submit(self, view: dict, answers: dict, user: str = ALEX) -> tuple[int, str]:
        """Submits a modal TED opened, filling its inputs with `answers` {block_id: value}."""
        payload = {"type": "view_submission", "team": {"id": TEAM}, "user": {"id": user, "team_id": TEAM},
                   "api_app_id": "A0TED", "token": "legacy", "trigger_id": f"trigger.view{next(self._ids)}",
                   "view": {**view, "id": "V123", "state": {"values": state_for(view, answers)}},
                   "response_urls": []}
        return await self.interact(payload)


def state_for(view: dict, answers: dict) -> dict:
    """view.state.values as Slack sends them for these answers."""
    values = {}
    for block in view["blocks"]:
        if block["type"] != "input":
            continue
        el, answer = block["element"], answers.get(block["block_id"])
        state: dict = {"type": el["type"]}
        if el["type"] in ("plain_text_input", "url_text_input"):
            state["value"] = answer
        elif el["type"] == "static_select":
            state["selected_option"] = next((o for o in el["options"] if o["value"] == answer), None)
        elif el["type"] in ("multi_static_select", "checkboxes"):
            state["selected_options"] = [o for o in el["options"] if o["value"] in (answer or [])]
        elif el["type"] == "datepicker":
            state["selected_date"] = answer
        elif el["type"] == "file_input":
            state["files"] = answer or []
        values[block["block_id"]] = {el["action_id"]: state}
    return values


def slack_test(**settings):
    """Runs an async test body as `body(world)` inside a fresh SlackWorld (no pytest-asyncio needed)."""

    def deco(fn):
        def test():
            async def main():
                async with SlackWorld(**settings) as world:
                    await fn(world)

            asyncio.run(main())

        test.__name__, test.__doc__ = fn.__name__, fn.__doc__
        return test

    return deco


def clause_heading(call) -> str:
    """The heading section of the clause an answer cites (it follows the "In short:" lead, when there is one)."""
    texts = [b["text"]["text"] for b in call.body["blocks"] if b.get("type") == "section"]
    return next(t for t in texts if not t.startswith("*In short:*"))
