"""Fixtures for the browser tests: one live TED server and one Chromium per module, a fresh browser
context (cookies, so a fresh session) per test. Skipped, with the reason, when Chromium or Playwright is missing."""

from __future__ import annotations

import pytest

from tests.browser.live import LiveServer, launch, why_not_runnable


@pytest.fixture(scope="module")
def chromium():
    # Module-scoped, not session-scoped: while Playwright's sync API is running it holds an asyncio loop in
    # this thread, and the rest of the suite uses asyncio.run().
    reason = why_not_runnable()
    if reason:
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = launch(p)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def live(chromium):
    server = LiveServer().start()
    yield server
    server.stop()


@pytest.fixture
def page(chromium, live):
    context = chromium.new_context(base_url=live.url, viewport={"width": 1100, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.console_errors = errors  # a test that breaks the network on purpose takes its own error out
    yield page
    context.close()
    assert not errors, f"the page logged errors: {errors}"
