"""WCAG 2.2 AA (the Public Sector Bodies Accessibility Regulations 2018) in a real browser: axe-core finds no
violation on any page of TED Web Chat, in the states people see, at desktop width and at 390 px; every page links
to the accessibility statement and the privacy notice; nothing scrolls sideways on a phone (reflow, 1.4.10).
"""

from __future__ import annotations

import re

import pytest

from tests.browser.live import why_not_runnable
from tests.fakes.web_world import ALEX, CASEY, SAM
from tests.fakes.world import SUPPLIER

if reason := why_not_runnable():
    pytest.skip(reason, allow_module_level=True)

from playwright.sync_api import Page, expect  # noqa: E402

from tests.browser.axe import assert_no_violations  # noqa: E402
from tests.browser.test_web_browser import ask, open_chat, switch_to  # noqa: E402

WIDTHS = (1280, 390)
UNANSWERED = "where can I park my bike at the depot?"
LONG_ADDRESS = "where do I park? https://intranet.tendring.example/facilities/parking-permits-application-form-2026.pdf"


@pytest.fixture(params=WIDTHS, ids=lambda w: f"{w}px")
def sized(request, chromium, live):
    """A fresh page at each width, failing on any console error, like conftest's `page`."""
    context = chromium.new_context(base_url=live.url, viewport={"width": request.param, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    def console(msg) -> None:
        # A page served with 404 (the policy list for an unknown policy) logs its own status: that is no error.
        own_status = msg.text.startswith("Failed to load resource") and msg.location.get("url") == page.url
        if msg.type == "error" and not own_status:
            errors.append(msg.text)

    page.on("console", console)
    yield page
    context.close()
    assert not errors, f"the page logged errors: {errors}"


def check(page: Page, where: str) -> None:
    """No axe violation, the footer's two links, and no sideways scrolling."""
    width = page.viewport_size["width"]
    assert_no_violations(page, f"{where} at {width}px")
    footer = page.get_by_role("contentinfo")
    expect(footer.get_by_role("link", name="Accessibility statement")).to_have_attribute("href", "/accessibility")
    expect(footer.get_by_role("link", name="Privacy notice")).to_have_attribute("href", "/privacy")
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{where} at {width}px scrolls sideways by {overflow}px"


def file_report(page: Page) -> str:
    """File a report through the dialog (checking the dialog open, and with an error shown); its reference."""
    page.get_by_role("button", name="Report something").click()
    dialog = page.get_by_role("dialog", name="Report to TED")
    expect(dialog).to_be_visible()
    check(page, "the chat with the report dialog open")
    dialog.get_by_label("What happened?").select_option("abuse_me")
    dialog.get_by_role("button", name="Send report").click()
    expect(dialog.locator(".has-error .error-msg").first).to_be_visible()
    check(page, "the report dialog showing errors")
    dialog.get_by_label("Where was it?").select_option("facebook")
    dialog.get_by_label("What happened, in your words").fill("Abusive replies to me under the beach post.")
    dialog.get_by_label("Is anyone at risk of harm right now?").select_option("no")  # no default: answered
    dialog.get_by_role("button", name="Send report").click()
    expect(dialog).to_be_hidden()
    confirmation = page.locator(".msg.ted").filter(has_text="your report is TED-").last
    return re.search(r"TED-\d{4}-\d{4}", confirmation.inner_text()).group(0)


def test_the_chat_before_and_after_an_answer_with_the_report_dialog_and_my_reports(sized: Page):
    open_chat(sized)
    check(sized, "the chat page (guest, before any question)")
    switch_to(sized, ALEX)
    ask(sized, UNANSWERED)  # first: a question TED can't answer is read as a follow-up of the one before
    expect(sized.locator(".msg.ted").last).to_contain_text("I couldn't find that")
    check(sized, "the chat after a fallback answer")
    ask(sized, SUPPLIER)
    expect(sized.locator(".clause-card").last).to_contain_text("5.13")
    check(sized, "the chat after an answer")
    sized.locator(".msg.ted").last.get_by_role("button", name="👍 Helpful").click()
    expect(sized.locator(".msg.ted").last).to_contain_text("Thanks for the feedback")
    ref = file_report(sized)
    check(sized, "the chat after a report was sent")
    sized.get_by_role("tab", name="My reports").click()
    expect(sized.locator("#reports-table tr").filter(has_text=ref)).to_be_visible()
    check(sized, "My reports")


def test_the_inbox_and_admin(sized: Page):
    open_chat(sized, ALEX)
    ask(sized, UNANSWERED)  # so /admin has an unanswered question and feedback to show, too
    ask(sized, LONG_ADDRESS)  # one word wider than a phone: the teaching queue must wrap it
    ask(sized, SUPPLIER)
    sized.locator(".msg.ted").last.get_by_role("button", name="👎 Not helpful").click()
    reason = sized.get_by_role("dialog", name="What was wrong?")
    reason.get_by_label("What was missing or wrong? (optional)").fill("I wanted the LinkedIn rule.")
    check(sized, "the chat with the feedback dialog open")
    reason.get_by_role("button", name="Send").click()
    expect(reason).to_be_hidden()
    ref = file_report(sized)
    switch_to(sized, SAM)
    sized.get_by_role("tab", name=re.compile("Inbox")).click()
    expect(sized.locator(".inbox-item").filter(has_text=ref)).to_be_visible()
    check(sized, "the Inbox")
    switch_to(sized, CASEY)
    sized.goto("/admin")
    expect(sized.locator("tr").filter(has_text=ref).first).to_be_visible()  # open reports, and all reports
    expect(sized.locator("tr").filter(has_text="I wanted the LinkedIn rule.").first).to_be_visible()
    expect(sized.locator("tr").filter(has_text=UNANSWERED).first).to_be_visible()
    check(sized, "/admin")
    sized.goto("/admin/knowledge")
    expect(sized.get_by_role("heading", name=re.compile("intranet.tendring.example"))).to_be_visible()
    check(sized, "/admin/knowledge")


@pytest.mark.parametrize("path", ["/policy", "/policy/no-such-policy", "/accessibility", "/privacy"])
def test_the_pages_the_server_renders(sized: Page, path: str):
    sized.goto(path)
    expect(sized.get_by_role("heading", level=1)).to_be_visible()
    check(sized, path)
