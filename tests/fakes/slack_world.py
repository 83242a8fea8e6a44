"""TED's real server (bot.server.make_app) on 127.0.0.1 port 0, wired to a FakeSlackApi, and a Slack
workspace that sends it signed events, slash commands, button presses and modal submissions.

People are Slack user ids from sample/directory.csv (import it with `w.ted.directory.import_rows`)."""

from __future__ import annotations

import itertools
import json
import time
from urllib.parse import urlencode

from bot.server import make_app
from handlers.reports.retry import RetryPolicy
from tests.fakes.slack_api import BOT_USER, TEAM, FakeSlackApi, sign
from tests.fakes.world import GOOD_REPORT, World

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
FAST = RetryPolicy(max_retries=3, backoff=0.01, max_wait=2.0, jitter=0.0)
ALEX, SAM, JAMIE = "U0ALEXLIFE", "U0SAMLEISR", "U0JAMIECRW"  # a lifeguard, his line manager, unrelated staff


def dm_channel(person: str) -> str:
    """The 1:1 chat the fake Slack opens with a person (conversations.open): U0ALEXLIFE -> D0ALEXLIFE."""
    return "D" + person[1:]


class SlackWorld(World):
    def __init__(self, **settings):
        super().__init__(**settings)
        self.api = FakeSlackApi()
        self._ids = itertools.count(1)

    async def __aenter__(self) -> SlackWorld:
        await self.api.start()
        self.build_ted(
            dict(
                slack_bot_token="xoxb-test-token",
                slack_signing_secret=SECRET,
                slack_api_url=self.api.api_url,
                public_url="https://ted.example",
            )
        )
        await self.serve(make_app(self.ted, slack_retry=FAST, pool=self.pool()))
        return self

    async def __aexit__(self, *exc) -> None:
        await super().__aexit__(*exc)
        await self.api.close()

    @property
    def events_url(self) -> str:
        return self.url("/slack/events")

    # -- raw requests -------------------------------------------------------------------------
    async def post(
        self,
        body: str | bytes,
        content_type: str,
        signed: bool = True,
        timestamp: int | None = None,
        headers: dict | None = None,
    ) -> tuple[int, str]:
        h = {"Content-Type": content_type, **(headers or {})}
        if signed:
            h.update(sign(SECRET, body, timestamp))
        data = body if isinstance(body, bytes) else body.encode()
        async with self.http.post(self.events_url, data=data, headers=h) as resp:
            return resp.status, await resp.text()

    # -- what Slack sends ---------------------------------------------------------------------
    def event_body(self, event: dict, event_id: str | None = None) -> dict:
        return {
            "token": "legacy",
            "team_id": TEAM,
            "api_app_id": "A0TED",
            "type": "event_callback",
            "event_id": event_id or f"Ev{next(self._ids):08d}",
            "event_time": int(time.time()),
            "authorizations": [{"team_id": TEAM, "user_id": BOT_USER, "is_bot": True, "is_enterprise_install": False}],
            "event": event,
        }

    async def event(self, event: dict, event_id: str | None = None, retry_num: int | None = None) -> tuple[int, str]:
        headers = {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": "http_timeout"} if retry_num else {}
        return await self.post(json.dumps(self.event_body(event, event_id)), "application/json", headers=headers)

    def next_ts(self) -> str:
        return f"1700001000.{next(self._ids):06d}"

    # -- the vocabulary (tests/fakes/__init__.py) ---------------------------------------------
    async def ask(self, text: str, as_: str = ALEX, thread: str = "", **fields) -> str:
        """A direct message to TED; returns its ts (TED answers afterwards: `w.api.wait_for`)."""
        ts = self.next_ts()
        event = {
            "type": "message",
            "channel": dm_channel(as_),
            "channel_type": "im",
            "user": as_,
            "text": text,
            "ts": ts,
            "event_ts": ts,
            **({"thread_ts": thread} if thread else {}),
            **fields,
        }
        status, _ = await self.event(event)
        assert status == 200
        return ts

    async def mention(self, text: str, as_: str = ALEX, channel: str = "C0GENERAL", thread: str = "") -> str:
        """@TED in a channel (in `thread`, if given); returns the message's ts."""
        ts = self.next_ts()
        event = {
            "type": "app_mention",
            "channel": channel,
            "user": as_,
            "text": f"<@{BOT_USER}> {text}",
            "ts": ts,
            "event_ts": ts,
            **({"thread_ts": thread} if thread else {}),
        }
        status, _ = await self.event(event)
        assert status == 200
        return ts

    async def command(self, command: str, text: str, as_: str = ALEX, channel: str = "C0GENERAL") -> tuple[int, str]:
        """A slash command (Slack's own): the ack's status and body; TED answers through response_url."""
        n = next(self._ids)
        form = {
            "token": "legacy",
            "team_id": TEAM,
            "team_domain": "tdc",
            "channel_id": channel,
            "channel_name": "general",
            "user_id": as_,
            "user_name": "alex",
            "command": command,
            "text": text,
            "api_app_id": "A0TED",
            "is_enterprise_install": "false",
            "response_url": self.api.response_url(f"cmd{n}"),
            "trigger_id": f"trigger.cmd{n}",
        }
        return await self.post(urlencode(form), "application/x-www-form-urlencoded")

    async def interact(self, payload: dict) -> tuple[int, str]:
        return await self.post(urlencode({"payload": json.dumps(payload)}), "application/x-www-form-urlencoded")

    async def press(
        self,
        action_id: str,
        *,
        on: dict,
        as_: str = ALEX,
        channel: str = "C0GENERAL",
        message_ts: str = "1700000000.000001",
        ephemeral: bool = False,
        thread: str = "",
        index: int = 0,
    ) -> tuple[int, str]:
        """Presses a button found in a rendered message `on` (blocks TED sent to the fake API); the
        `index`-th of those with that action id. The rest say where that message is."""
        button = [
            e
            for b in on["blocks"]
            if b["type"] == "actions"
            for e in b["elements"]
            if e["action_id"].split("#")[0] == action_id
        ][index]
        n = next(self._ids)
        container = {"type": "message", "message_ts": message_ts, "channel_id": channel, "is_ephemeral": ephemeral}
        if thread:
            container["thread_ts"] = thread
        payload = {
            "type": "block_actions",
            "team": {"id": TEAM},
            "user": {"id": as_, "team_id": TEAM},
            "api_app_id": "A0TED",
            "token": "legacy",
            "container": container,
            "trigger_id": f"trigger.act{n}",
            "channel": {"id": channel},
            "response_url": self.api.response_url(f"act{n}"),
            "actions": [{**button, "block_id": "b1", "action_ts": str(time.time())}],
        }
        if not ephemeral:
            payload["message"] = {
                "ts": message_ts,
                "text": on.get("text", ""),
                "blocks": on["blocks"],
                **({"thread_ts": thread} if thread else {}),
            }
        return await self.interact(payload)

    async def submit(self, form: dict, values: dict, as_: str = ALEX) -> tuple[int, str]:
        """Submits a modal TED opened (its view), filling its inputs with `values` {block_id: value}."""
        payload = {
            "type": "view_submission",
            "team": {"id": TEAM},
            "user": {"id": as_, "team_id": TEAM},
            "api_app_id": "A0TED",
            "token": "legacy",
            "trigger_id": f"trigger.view{next(self._ids)}",
            "view": {**form, "id": "V123", "state": {"values": state_for(form, values)}},
            "response_urls": [],
        }
        return await self.interact(payload)

    async def open_report(self, text: str = "", as_: str = ALEX) -> dict:
        """/report: the report modal's view, once TED has opened it."""
        opened = len(self.api.of("views.open"))
        await self.command("/report", text, as_=as_)
        return (await self.api.wait_for("views.open", opened + 1))[-1].body["view"]

    async def file_report(self, as_: str = ALEX, **changes) -> tuple[int, str]:
        """The whole /report flow: open the modal, submit GOOD_REPORT with `changes`; the submission's answer."""
        return await self.submit(await self.open_report(as_=as_), {**GOOD_REPORT, **changes}, as_=as_)

    async def inbox(self, person: str) -> list:
        """What TED has posted in its 1:1 chat with `person` so far (chat.postMessage calls)."""
        return [c for c in self.api.of("chat.postMessage") if c.body["channel"] == dm_channel(person)]


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
        elif el["type"] == "multi_users_select":
            state["selected_users"] = list(answer or [])
        elif el["type"] == "checkboxes" and answer in ("yes", True):
            state["selected_options"] = el["options"][:1]
        elif el["type"] in ("multi_static_select", "checkboxes"):
            state["selected_options"] = [o for o in el["options"] if o["value"] in (answer or [])]
        elif el["type"] == "datepicker":
            state["selected_date"] = answer
        elif el["type"] == "file_input":
            state["files"] = answer or []
        values[block["block_id"]] = {el["action_id"]: state}
    return values


slack_test = SlackWorld.test


def clause_heading(call) -> str:
    """The heading section of the clause an answer cites (it follows the "In short:" lead, when there is one)."""
    texts = [b["text"]["text"] for b in call.body["blocks"] if b.get("type") == "section"]
    return next(t for t in texts if not t.startswith("*In short:*"))
