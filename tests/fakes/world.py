"""What the three test worlds share: TED's real server (bot.server.make_app) over an in-memory database on
127.0.0.1 port 0, the outbox run on demand, a runner for async test bodies, and the sample data every world
uses (the vocabulary itself is in tests/fakes/__init__.py)."""

from __future__ import annotations

import asyncio
import functools
import inspect
import tempfile
from collections.abc import Callable
from pathlib import Path

import aiohttp
from aiohttp import web

from app import Ted, build
from bot.guard import server_options
from bot.pool import HandlerPool
from core.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
SAMPLE_DIRECTORY = (ROOT / "sample" / "directory.csv").read_text("utf-8")
SUPPLIER = "can I add a supplier on my personal facebook?"  # answered with clause 5.13
DID_YOU_MEAN = "can I post about work on my own account?"  # close candidates: TED offers "Did you mean"
# The report form's fields, answered well: `file_report(**changes)` sends these with `changes` on top.
GOOD_REPORT = {
    "category": "abuse_me",
    "platform": "facebook",
    "links": "https://facebook.com/tdc/posts/1",
    "account": "@angry_resident",
    "seen_at": "2026-08-27",
    "service_area": "Leisure and Tourism",
    "description": "Repeated abusive replies to me under the beach safety post.",
    "at_risk": "no",
    "wants_hr": "no",
    "confidential": "no",
}


class World:
    """A TED server for one test. Subclasses start their fakes, build TED with `build_ted`, then `serve`."""

    def __init__(self, db_file: bool = False, tweak: Callable[[Ted], None] | None = None, **settings):
        """`db_file=True`: a real SQLite file in a temporary folder instead of an in-memory database (so the server
        answers in worker threads, bot/pool.py, unless workers=0). `tweak` is called on TED and on each worker
        thread's TED as it is built: the seam for a test's own handler in every router."""
        self.overrides = settings
        self.db_file = db_file
        self.tweak = tweak
        self._db_dir: tempfile.TemporaryDirectory | None = None

    def build_ted(self, defaults: dict) -> Ted:
        self.db_path = ":memory:"
        if self.db_file:
            self._db_dir = tempfile.TemporaryDirectory()
            self.db_path = str(Path(self._db_dir.name) / "ted.db")
        self.ted = build(Settings(**{**defaults, **self.overrides}), self.db_path)
        if self.tweak is not None:
            self.tweak(self.ted)
        return self.ted

    def pool(self) -> HandlerPool | None:
        """Where the server runs handlers: make_app's own pool (None), or one whose worker TEDs are tweaked too."""
        if self.tweak is None:
            return None

        def make_ted() -> Ted:
            twin = self.ted.twin()
            self.tweak(twin)
            return twin

        return HandlerPool(self.ted, make_ted=make_ted)

    async def serve(self, app: web.Application) -> None:
        """TED's app behind an AppRunner with the server options `ted serve` uses (aiohttp's TestServer cancels
        handlers when a client goes away, which `ted serve` does not)."""
        self.app = app
        self.runner = web.AppRunner(app, **server_options(self.ted.settings))
        await self.runner.setup()
        await web.TCPSite(self.runner, "127.0.0.1", 0).start()
        self.port = self.runner.addresses[0][1]
        self.base = f"http://127.0.0.1:{self.port}"
        self.http = aiohttp.ClientSession()

    def url(self, path: str) -> str:
        return f"{self.base}{path}"

    async def __aexit__(self, *exc) -> None:
        await self.http.close()
        await self.runner.cleanup()
        self.ted.db.conn.close()
        if self._db_dir is not None:
            self._db_dir.cleanup()

    async def deliver(self) -> int:
        """Runs the outbox once: the notifications waiting go out; how many were sent."""
        return await self.ted.outbox.run_once()

    @classmethod
    def test(cls, **settings):
        """Runs an async test body as `body(world, *fixtures)` inside a fresh world built with `settings`
        (no pytest-asyncio needed). Parameters after the world are pytest's, as usual."""

        def deco(fn):
            @functools.wraps(fn)
            def test(*args, **kwargs):
                async def main():
                    async with cls(**settings) as world:
                        await fn(world, *args, **kwargs)

                asyncio.run(main())

            signature = inspect.signature(fn)
            test.__signature__ = signature.replace(parameters=list(signature.parameters.values())[1:])
            return test

        return deco
