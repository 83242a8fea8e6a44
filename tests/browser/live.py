"""TED's real server for browser tests: make_app on 127.0.0.1 port 0, in its own thread and event loop, over a
temporary database file with the sample directory; and Debian's Chromium driven by Playwright.

Playwright's own browser downloads are never used (no `playwright install`): CHROMIUM is the system browser
(`apt-get install chromium`, which .ci/run does when it is missing).
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
import threading
from pathlib import Path

from aiohttp import web

from app import build
from bot.server import make_app
from core.settings import Settings
from handlers.directory import parse_csv

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def why_not_runnable() -> str:
    """ "" when the browser tests can run, else the reason they are skipped."""
    if not Path(CHROMIUM).exists():
        return f"{CHROMIUM} is missing (apt-get install chromium; .ci/run installs it)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is missing (pip install -e '.[test]')"
    return ""


class LiveServer:
    def __init__(self, **settings):
        self.folder = Path(tempfile.mkdtemp(prefix="ted-browser-"))
        self.settings = Settings(web_upload_dir=str(self.folder / "uploads"), outbox_interval_seconds=0.5, **settings)
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="ted-live-server", daemon=True)
        self.url = ""

    async def _start(self) -> None:
        self.ted = build(self.settings, str(self.folder / "ted.db"))
        self.ted.directory.import_rows(parse_csv((ROOT / "sample" / "directory.csv").read_text("utf-8")))
        self.runner = web.AppRunner(make_app(self.ted))
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        port = self.runner.addresses[0][1]
        self.url = f"http://127.0.0.1:{port}"

    def start(self) -> LiveServer:
        self.thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self.loop).result(timeout=60)
        return self

    def call(self, fn):
        """fn() on the server's own thread (the database connection belongs to it)."""

        async def run():
            return fn()

        return asyncio.run_coroutine_threadsafe(run(), self.loop).result(timeout=10)

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self.runner.cleanup(), self.loop).result(timeout=30)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)
        self.ted.db.conn.close()
        shutil.rmtree(self.folder, ignore_errors=True)


def launch(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
