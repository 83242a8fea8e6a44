"""What the three test worlds share: TED's real server (bot.server.make_app) over an in-memory database on
127.0.0.1 port 0, the outbox run on demand, a runner for async test bodies, and the sample data every world
uses (the vocabulary itself is in tests/fakes/__init__.py)."""

from __future__ import annotations

import asyncio
import functools
import inspect
from pathlib import Path

import aiohttp
from aiohttp import web
from aiohttp.test_utils import TestServer

from app import Ted, build
from core.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
SAMPLE_DIRECTORY = (ROOT / "sample" / "directory.csv").read_text("utf-8")
SUPPLIER = "can I add a supplier on my personal facebook?"  # answered with clause 5.13
DID_YOU_MEAN = "can I post about work on my own account?"  # close candidates: TED offers "Did you mean"
# The report form's fields, answered well: `file_report(**changes)` sends these with `changes` on top.
GOOD_REPORT = {"category": "abuse_me", "platform": "facebook", "links": "https://facebook.com/tdc/posts/1",
               "account": "@angry_resident", "seen_at": "2026-08-27", "service_area": "Leisure and Tourism",
               "description": "Repeated abusive replies to me under the beach safety post.", "at_risk": "no",
               "wants_hr": "no", "confidential": "no"}


class World:
    """A TED server for one test. Subclasses start their fakes, build TED with `build_ted`, then `serve`."""

    def __init__(self, **settings):
        self.overrides = settings

    def build_ted(self, defaults: dict) -> Ted:
        self.ted = build(Settings(**{**defaults, **self.overrides}), ":memory:")
        return self.ted

    async def serve(self, app: web.Application) -> None:
        self.app = app
        self.server = TestServer(app, host="127.0.0.1", port=0)
        await self.server.start_server()
        self.http = aiohttp.ClientSession()

    async def __aexit__(self, *exc) -> None:
        await self.http.close()
        await self.server.close()

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
