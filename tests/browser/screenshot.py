"""Make docs/screenshot-chat.png (shown in README.md): `make screenshot`, or
`.venv/bin/python -m tests.browser.screenshot [OUT.png]`. Uses the same live server and Chromium as the tests."""

from __future__ import annotations

import sys
from pathlib import Path

from tests.browser.live import ROOT, LiveServer, launch, why_not_runnable
from tests.fakes.web_world import ALEX
from tests.fakes.world import SUPPLIER


def main(out: Path) -> int:
    if reason := why_not_runnable():
        print(f"screenshot: {reason}", file=sys.stderr)
        return 1
    from playwright.sync_api import expect, sync_playwright

    server = LiveServer().start()
    try:
        with sync_playwright() as p:
            browser = launch(p)
            page = browser.new_page(base_url=server.url, viewport={"width": 1000, "height": 1260})
            page.goto("/")
            expect(page.locator("body[data-ready=true]")).to_be_attached()
            page.get_by_label("Signed in as").select_option(ALEX)
            page.get_by_role("button", name="Switch").click()
            expect(page.locator("#log")).to_contain_text("You're now signed in as")
            page.get_by_label("Your question").fill(SUPPLIER)
            page.get_by_label("Your question").press("Enter")
            expect(page.locator(".clause-card")).to_be_visible()
            page.locator(".clause-card").scroll_into_view_if_needed()
            page.get_by_label("Your question").blur()
            out.parent.mkdir(parents=True, exist_ok=True)
            page.evaluate("window.scrollTo(0, 0)")
            page.screenshot(path=str(out))
            browser.close()
    finally:
        server.stop()
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "screenshot-chat.png"))
