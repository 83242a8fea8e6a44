"""TED's real server (bot.server.make_app, bot.guard.server_options) on 127.0.0.1 port 0 with the sample
directory, and browsers that talk to its web chat API over HTTP: each Browser has its own cookie jar, so it is
its own session."""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

import aiohttp
from aiohttp import web

from app import build
from bot.guard import server_options
from bot.server import make_app
from bot.web.endpoint import WEB
from core.settings import Settings
from handlers.directory import parse_csv

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = (ROOT / "sample" / "directory.csv").read_text("utf-8")
ALEX = "alex.lifeguard@tendring.example"  # staff; line manager Sam
SAM = "sam.leisure@tendring.example"  # Alex's line manager
CASEY = "casey.comms@tendring.example"  # Communications Manager and admin
JAMIE = "jamie.crew@tendring.example"  # unrelated member of staff
SUPPLIER = "can I add a supplier on my personal facebook?"
DID_YOU_MEAN = "can I add a developer I work with on linkedin?"  # close candidates: TED offers "Did you mean"
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4"
       b"\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")
GOOD_REPORT = {"category": "abuse_me", "platform": "facebook", "links": "https://facebook.com/tdc/posts/1",
               "account": "@angryresident", "seen_at": "", "service_area": "Leisure and Tourism",
               "description": "Repeated abusive replies to me under the beach safety post.", "at_risk": "no",
               "wants_hr": "no", "involves_management": "no", "screenshots": {"files": []}}


class Browser:
    """One browser session: a cookie jar and the CSRF token the page would hold."""

    def __init__(self, base: str, headers: dict | None = None):
        self.base = base
        self.http = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True), headers=headers or {})
        self.csrf = ""

    async def close(self) -> None:
        await self.http.close()

    async def get(self, path: str, **kw) -> tuple[int, object]:
        async with self.http.get(self.base + path, allow_redirects=False, **kw) as r:
            if r.content_type == "application/json":
                return r.status, await r.json()
            return r.status, await (r.read() if r.content_type.startswith("image/") else r.text())

    async def post(self, path: str, body: object = None, csrf: bool = True, **kw) -> tuple[int, object]:
        headers = {**({"X-CSRF-Token": self.csrf} if csrf else {}), **kw.pop("headers", {})}
        if body is not None and "data" not in kw:
            kw["json"] = body
        async with self.http.post(self.base + path, headers=headers, **kw) as r:
            out = await r.json() if r.content_type == "application/json" else await r.text()
            return r.status, out

    async def me(self) -> dict:
        status, me = await self.get("/api/me")
        assert status == 200, me
        self.csrf = me["csrf_token"]
        return me

    async def sign_in(self, email: str) -> dict:
        await self.me()
        status, me = await self.post("/api/identity", {"email": email})
        assert status == 200, me
        self.csrf = me["csrf_token"]
        return me

    async def chat(self, text: str) -> list[dict]:
        status, body = await self.post("/api/chat", {"text": text})
        assert status == 200, body
        return body["replies"]

    async def act(self, action_id: str, value: str = "", form: dict | None = None) -> tuple[int, dict]:
        return await self.post("/api/action", {"action_id": action_id, "value": value, "form": form or {}})


class WebWorld:
    def __init__(self, db_file: bool = False, **settings):
        """`db_file=True`: a real SQLite file in a temporary folder instead of an in-memory database."""
        self.overrides = settings
        self.db_file = db_file
        self.browsers: list[Browser] = []

    async def __aenter__(self) -> WebWorld:
        self.tmp = tempfile.TemporaryDirectory()
        settings = {"web_upload_dir": str(Path(self.tmp.name) / "uploads"), **self.overrides}
        self.db_path = str(Path(self.tmp.name) / "ted.db") if self.db_file else ":memory:"
        self.ted = build(Settings(**settings), self.db_path)
        self.ted.directory.import_rows(parse_csv(SAMPLE))
        self.app = make_app(self.ted)
        # An AppRunner with the server options `ted serve` uses (aiohttp's TestServer cancels handlers when a
        # client goes away, which `ted serve` does not).
        self.runner = web.AppRunner(self.app, **server_options(self.ted.settings))
        await self.runner.setup()
        await web.TCPSite(self.runner, "127.0.0.1", 0).start()
        self.port = self.runner.addresses[0][1]
        self.base = f"http://127.0.0.1:{self.port}"
        return self

    async def __aexit__(self, *exc) -> None:
        for b in self.browsers:
            await b.close()
        await self.runner.cleanup()
        self.ted.db.conn.close()
        self.tmp.cleanup()

    @property
    def web(self):
        return self.app[WEB]

    async def browser(self, email: str = "", headers: dict | None = None) -> Browser:
        b = Browser(self.base, headers)
        self.browsers.append(b)
        if email:
            await b.sign_in(email)
        else:
            await b.me()
        return b


def web_test(**settings):
    """Runs an async test body as `body(world)` inside a fresh WebWorld (no pytest-asyncio needed)."""

    def deco(fn):
        def test():
            async def main():
                async with WebWorld(**settings) as world:
                    await fn(world)

            asyncio.run(main())

        test.__name__, test.__doc__ = fn.__name__, fn.__doc__
        return test

    return deco
