"""/admin/knowledge in a real browser, under the strict Content-Security-Policy: the Communications Manager uploads
a policy, checks the preview, publishes it, and teaches TED an unanswered question with one click."""

from __future__ import annotations

import re

import pytest

from knowledge.answer import FALLBACK, Answer
from tests.browser.live import why_not_runnable
from tests.fakes.web_world import CASEY

if reason := why_not_runnable():
    pytest.skip(reason, allow_module_level=True)

from playwright.sync_api import Page, expect  # noqa: E402  (only once we know it is installed)

POLICY = b"# Car sharing policy\n\n## Lifts\n\nStaff who share a car to work may park in bay 7.\n"
QUESTION = "can two of us who drive in together use a special bay?"


def sign_in(page: Page, email: str) -> None:
    page.goto("/")
    expect(page.locator("body[data-ready=true]")).to_be_attached()
    page.get_by_label("Signed in as").select_option(email)
    page.get_by_role("button", name="Switch").click()
    expect(page.locator("#log")).to_contain_text("You're now signed in as")


def test_upload_preview_publish_and_teach(page: Page, live):
    sign_in(page, CASEY)
    page.goto("/admin")
    page.get_by_role("link", name="Curate the knowledge base").click()
    expect(page.locator("body[data-ready=true]")).to_be_attached()
    expect(page.get_by_role("heading", name="Knowledge base", exact=True)).to_be_visible()
    expect(page.locator("#documents")).to_contain_text("Social Media Policy")

    page.get_by_label(re.compile("^Policy document")).set_input_files(
        files=[{"name": "car-sharing.md", "mimeType": "text/markdown", "buffer": POLICY}]
    )
    page.get_by_role("button", name="Upload and preview").click()
    preview = page.locator("#preview")
    expect(preview.get_by_role("heading", name=re.compile("Preview: Car sharing policy"))).to_be_focused()
    expect(preview.get_by_role("table")).to_contain_text("Staff who share a car to work may park in bay 7.")
    expect(page.locator("#documents")).to_contain_text("draft version 1 waiting")
    preview.get_by_role("button", name="Publish").click()
    expect(page.locator("#status")).to_contain_text("Published Car sharing policy")
    row = page.locator("#documents tr").filter(has_text="Car sharing policy")
    expect(row).to_contain_text("live")

    # Staff asked it and TED couldn't answer (as the ask service records it).
    live.call(lambda: live.ted.asker.record_unanswered(QUESTION, "web", Answer(FALLBACK, "")))
    page.reload()
    expect(page.locator("body[data-ready=true]")).to_be_attached()
    item = page.locator("#queue-unanswered article").filter(has_text=QUESTION)
    item.get_by_label(re.compile("^Find another clause")).fill("bay 7")
    item.get_by_role("button", name="Search").click()
    results = item.locator('ul[aria-live="polite"]')  # the search's results, not TED's own three suggestions
    results.get_by_role("button", name=re.compile(r"^This clause answers it: 1\.1")).first.click()
    expect(page.locator("#status")).to_contain_text("Taught: 1.1")
    expect(page.locator("#taught")).to_contain_text(QUESTION)
    answer = live.call(lambda: live.ted.asker.ask(QUESTION, channel="web"))
    assert answer.intent == "policy" and answer.citations[0].doc == "car-sharing"
    page.locator("#taught tr").filter(has_text=QUESTION).get_by_role("button", name=re.compile("^Undo")).click()
    expect(page.locator("#status")).to_contain_text("Undone")
    expect(page.locator("#queue-unanswered")).to_contain_text(QUESTION)


def test_a_wrong_file_as_a_new_version_is_warned_of_asked_again_and_undone_from_the_history(page: Page, live):
    sign_in(page, CASEY)
    page.goto("/admin/knowledge")
    expect(page.locator("body[data-ready=true]")).to_be_attached()
    page.get_by_label(re.compile("^Policy document")).set_input_files(
        files=[{"name": "car-sharing.md", "mimeType": "text/markdown", "buffer": POLICY}]
    )
    page.get_by_label("This is").select_option(label="a new version of Social Media Policy")
    page.get_by_role("button", name="Upload and preview").click()
    preview = page.locator("#preview")
    warning = preview.get_by_role("note")
    expect(warning).to_contain_text("The title changes from “Social Media Policy” to “Car sharing policy”")
    expect(page.locator("#status")).to_contain_text("car-sharing.md read")  # not left saying "Reading…"
    asked = []
    page.once("dialog", lambda d: (asked.append(d.message), d.dismiss()))
    preview.get_by_role("button", name="Publish").click()
    expect(page.locator("#documents")).to_contain_text("draft version 2 waiting")  # asked, said no: nothing changed
    assert asked and "Publish" in asked[0] and "title changes" in asked[0]
    page.once("dialog", lambda d: d.accept())
    preview.get_by_role("button", name="Publish").click()
    expect(page.locator("#status")).to_contain_text("Published Car sharing policy")

    row = page.locator("#documents tr").filter(has_text="tdc-social-media-policy")
    opener = row.get_by_role("button", name=re.compile("^History"))
    opener.click()
    history = page.locator("#history")
    history.get_by_role("button", name="Restore as a draft version 1 of tdc-social-media-policy").click()
    expect(page.locator("#status")).to_contain_text("Version 1 of tdc-social-media-policy is now the draft waiting")
    expect(preview.get_by_role("heading", name=re.compile("Preview: Social Media Policy"))).to_be_focused()
    page.once("dialog", lambda d: d.accept())  # its title differs from the live (car sharing) text: asked again
    preview.get_by_role("button", name="Publish").click()
    expect(page.locator("#status")).to_contain_text("Published Social Media Policy")
    answer = live.call(lambda: live.ted.asker.ask("can I accept a supplier's linkedin request?", channel="web"))
    assert answer.intent == "policy" and answer.citations[0].doc == "tdc-social-media-policy"

    row.get_by_role("button", name=re.compile("^History")).click()
    history.get_by_role("button", name="Close history").click()
    expect(row.get_by_role("button", name=re.compile("^History"))).to_be_focused()  # back where it was opened


def test_a_detail_refused_is_marked_and_focused_in_the_dialog(page: Page, live):
    sign_in(page, CASEY)
    page.goto("/admin/knowledge")
    expect(page.locator("body[data-ready=true]")).to_be_attached()
    row = page.locator("#documents tr").filter(has_text="tdc-social-media-policy")
    row.get_by_role("button", name=re.compile("^Edit details")).click()
    dialog = page.get_by_role("dialog")
    title = dialog.get_by_label("Title")
    title.fill("")
    dialog.get_by_label("Owner (email or name)").focus()  # focus elsewhere, as after typing in another field
    dialog.get_by_role("button", name="Save").click()
    expect(dialog.get_by_role("alert")).to_contain_text("A document needs a title.")
    expect(title).to_be_focused()
    expect(title).to_have_attribute("aria-invalid", "true")
    dialog.get_by_role("button", name="Cancel").click()
    # the refusal itself, asked for above (the browser notes every 400 it receives)
    page.console_errors.remove("Failed to load resource: the server responded with a status of 400 (Bad Request)")
