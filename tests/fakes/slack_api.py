"""A fake Slack Web API over real HTTP on 127.0.0.1, port 0: records every call and answers like Slack.

- `POST /api/<method>` answers auth.test, chat.*, conversations.open, views.*, apps.connections.open.
- `POST /respond/<id>` is a response_url (recorded as method "response_url").
- `GET /socket` is a Socket Mode WebSocket: it says hello, forwards envelopes queued with
  `send_envelope`, and records the acks it gets back.
- `hold()` / `release()` make the API slow on demand;
- `fail_next(n, status, retry_after)` answers the next n calls with 429 (Retry-After) or 5xx;
  `errors[method] = "not_in_channel"` answers that method with a Slack error.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import time
from dataclasses import dataclass, field
from urllib.parse import parse_qsl

from aiohttp import WSMsgType, web
from aiohttp.test_utils import TestServer

BOT_USER, BOT_ID, TEAM = "U0TEDBOT", "B0TEDBOT", "T0TDC"


@dataclass
class Call:
    method: str
    body: dict
    headers: dict
    status: int = 200

    @property
    def raw(self) -> str:
        return json.dumps(self.body, ensure_ascii=False)


@dataclass
class FakeSlackApi:
    calls: list[Call] = field(default_factory=list)
    errors: dict = field(default_factory=dict)
    socket_acks: list[dict] = field(default_factory=list)

    def __post_init__(self):
        self._failures: list[tuple[int, str]] = []
        self._ts = 0
        self._server: TestServer | None = None
        self._sockets: list[web.WebSocketResponse] = []
        self._gate: asyncio.Event | None = None

    def hold(self) -> None:
        """Holds every Web API answer (but auth.test) until release(): a slow Slack."""
        self._gate = asyncio.Event()

    def release(self) -> None:
        if self._gate is not None:
            self._gate.set()

    # -- control ----------------------------------------------------------------------------
    def fail_next(self, n: int = 1, status: int = 429, retry_after: str = "0") -> None:
        self._failures += [(status, retry_after)] * n

    def of(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method and c.status == 200]

    async def wait_for(self, method: str, count: int = 1, timeout: float = 5.0) -> list[Call]:
        deadline = time.monotonic() + timeout
        while len(self.of(method)) < count:
            if time.monotonic() > deadline:
                seen = [(c.method, c.status) for c in self.calls]
                raise AssertionError(f"expected {count} x {method}; calls were {seen}")
            await asyncio.sleep(0.01)
        return self.of(method)

    async def settle(self, quiet: float = 0.2) -> None:
        """Waits until no call has arrived for `quiet` seconds (background answers are done)."""
        n = -1
        while n != len(self.calls):
            n = len(self.calls)
            await asyncio.sleep(quiet)

    @property
    def url(self) -> str:
        assert self._server is not None
        return str(self._server.make_url("")).rstrip("/")

    @property
    def api_url(self) -> str:
        return self.url + "/api/"

    def response_url(self, name: str = "r1") -> str:
        return f"{self.url}/respond/{name}"

    # -- server -----------------------------------------------------------------------------
    async def start(self) -> FakeSlackApi:
        app = web.Application()
        app.router.add_post("/api/{method}", self._api)
        app.router.add_post("/respond/{name}", self._respond)
        app.router.add_get("/socket", self._socket)
        self._server = TestServer(app, host="127.0.0.1", port=0)
        await self._server.start_server()
        return self

    async def close(self) -> None:
        for ws in self._sockets:
            await ws.close()
        if self._server is not None:
            await self._server.close()

    async def _body(self, request: web.Request) -> dict:
        text = await request.text()
        if not text:
            return dict(request.query)
        if request.content_type == "application/json":
            return json.loads(text)
        body = dict(parse_qsl(text))
        for key in ("blocks", "view"):
            if isinstance(body.get(key), str):
                body[key] = json.loads(body[key])
        return body

    def _failure(self, call: Call) -> web.Response | None:
        if not self._failures:
            return None
        status, retry_after = self._failures.pop(0)
        call.status = status
        headers = {"Retry-After": retry_after} if status == 429 else {}
        return web.json_response(
            {"ok": False, "error": "ratelimited" if status == 429 else "fatal_error"}, status=status, headers=headers
        )

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        call = Call(method, await self._body(request), dict(request.headers))
        self.calls.append(call)
        if self._gate is not None and method != "auth.test":
            await self._gate.wait()
        if (failed := self._failure(call)) is not None:
            return failed
        if not request.headers.get("Authorization", "").startswith("Bearer x"):
            return web.json_response({"ok": False, "error": "not_authed"})
        if method in self.errors:
            return web.json_response({"ok": False, "error": self.errors[method]})
        return web.json_response(self._answer(method, call.body))

    def _answer(self, method: str, body: dict) -> dict:
        self._ts += 1
        ts = f"1700000000.{self._ts:06d}"
        if method == "auth.test":
            return {
                "ok": True,
                "url": "https://tdc.slack.com/",
                "team": "Tendring District Council",
                "user": "ted",
                "team_id": TEAM,
                "user_id": BOT_USER,
                "bot_id": BOT_ID,
                "is_enterprise_install": False,
            }
        if method == "chat.postMessage":
            return {
                "ok": True,
                "channel": body.get("channel"),
                "ts": ts,
                "message": {"text": body.get("text"), "ts": ts, "bot_id": BOT_ID},
            }
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": ts}
        if method == "chat.update":
            return {"ok": True, "channel": body.get("channel"), "ts": body.get("ts")}
        if method == "conversations.open":
            return {"ok": True, "channel": {"id": "D" + str(body.get("users", "")).lstrip("U")}}
        if method.startswith("views."):
            return {"ok": True, "view": {"id": f"V{self._ts}", **(body.get("view") or {})}}
        if method == "apps.connections.open":
            return {"ok": True, "url": self.url.replace("http", "ws", 1) + "/socket"}
        return {"ok": True}

    async def _respond(self, request: web.Request) -> web.Response:
        call = Call("response_url", await self._body(request), dict(request.headers))
        call.body["_url"] = str(request.url)
        self.calls.append(call)
        if (failed := self._failure(call)) is not None:
            return failed
        return web.Response(text="ok")

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self._sockets.append(ws)
        await ws.send_json({"type": "hello", "num_connections": 1, "connection_info": {"app_id": "A0TED"}})
        async for msg in ws:
            if msg.type == WSMsgType.TEXT:
                self.socket_acks.append(json.loads(msg.data))
        return ws

    async def send_envelope(self, envelope: dict, timeout: float = 5.0) -> None:
        deadline = time.monotonic() + timeout
        while not self._sockets:
            if time.monotonic() > deadline:
                raise AssertionError("TED never opened the Socket Mode WebSocket")
            await asyncio.sleep(0.01)
        await self._sockets[-1].send_json(envelope)


def sign(secret: str, body: str | bytes, timestamp: int | None = None) -> dict:
    """Headers exactly as Slack signs a request: v0=HMAC-SHA256(secret, "v0:<timestamp>:<body>")."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    raw = body if isinstance(body, bytes) else body.encode()
    digest = hmac.new(secret.encode(), f"v0:{ts}:".encode() + raw, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}"}
