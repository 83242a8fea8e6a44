"""TED Web Chat in a real browser (Debian's Chromium driven by Playwright) against the real server.

The whole loop in one browser, as a new user meets it after `make run`: ask and see the clause, follow a
"Did you mean" chip, file a report and get its reference, switch to the manager and acknowledge it, switch back
and see it acknowledged in "My reports", and the communications team sees it on /admin.
"""

from __future__ import annotations

import re

import pytest

from tests.browser.live import why_not_runnable
from tests.fakes.web_world import ALEX, CASEY, PNG, SAM
from tests.fakes.world import DID_YOU_MEAN, SUPPLIER

if reason := why_not_runnable():
    pytest.skip(reason, allow_module_level=True)

from playwright.sync_api import Page, expect  # noqa: E402  (only once we know it is installed)

REF = re.compile(r"TED-\d{4}-\d{4}")
NAMES = {ALEX: "Alex Reed", SAM: "Sam Okafor", CASEY: "Casey Morgan"}


def open_chat(page: Page, who: str = "") -> None:
    page.goto("/")
    expect(page.locator("body[data-ready=true]")).to_be_attached()
    if who:
        switch_to(page, who)


def switch_to(page: Page, email: str) -> None:
    page.get_by_label("Signed in as").select_option(email)
    page.get_by_role("button", name="Switch").click()
    expect(page.locator("#log")).to_contain_text(f"You're now signed in as {NAMES[email]}.")


def ask(page: Page, question: str) -> None:
    box = page.get_by_label("Your question")
    box.fill(question)
    box.press("Enter")
    expect(page.locator(".msg.you").last).to_have_text(re.compile(re.escape(question)))
    expect(page.get_by_text("Looking that up…")).to_have_count(0)  # answered: what follows acts on the answer


def test_ask_a_question_and_see_the_clause(page: Page, tmp_path):
    open_chat(page, ALEX)
    ask(page, SUPPLIER)
    card = page.locator(".clause-card").last
    expect(card).to_contain_text("5.13")
    expect(card).to_contain_text("Employees are not permitted to proactively add business contacts")
    expect(card).to_contain_text("Social Media Policy, Web edition")
    link = card.get_by_role("link", name=re.compile("Read 5.13"))
    expect(link).to_have_attribute("href", "/policy/tdc-social-media-policy#5.13")
    expect(page.get_by_label("Your question")).to_be_focused()  # ready for the next question
    page.screenshot(path=str(tmp_path / "chat.png"))
    link.click()
    expect(page.locator('[id="5.13"]')).to_be_visible()
    assert page.url.endswith("/policy/tdc-social-media-policy#5.13")


def test_a_question_sent_while_ted_is_answering_waits_its_turn_and_is_then_sent(page: Page):
    open_chat(page, ALEX)
    held: list = []  # the first answer is held back, so the second Enter certainly comes while TED is answering
    page.route("**/api/chat", lambda route: held.append(route) if not held else route.continue_())
    box = page.get_by_label("Your question")
    box.fill("where can I park my bike at the depot?")
    box.press("Enter")
    expect(page.locator(".msg.ted").last).to_contain_text("Looking that up")
    box.fill(SUPPLIER)
    box.press("Enter")
    expect(page.get_by_role("status").filter(has_text="as soon as I've answered")).to_be_visible()
    expect(box).to_have_value(SUPPLIER)  # kept in the box, not dropped, not sent out of turn
    expect(page.locator(".msg.you")).to_have_count(1)
    held[0].continue_()
    expect(page.locator(".msg.you")).to_have_count(2)
    expect(page.locator(".msg.you").last).to_have_text(re.compile(re.escape(SUPPLIER)))
    expect(page.locator(".clause-card").last).to_contain_text("5.13")
    expect(box).to_have_value("")
    expect(page.locator("#composer-status")).to_have_text("")


def test_an_answer_still_on_its_way_when_the_person_switches_is_not_shown_to_the_next_one(page: Page):
    open_chat(page, ALEX)
    held: list = []  # Alex's answer, as the server gave it, kept from the page until Alex is no longer there
    page.route("**/api/chat", lambda route: held.append((route, route.fetch())) if not held else route.continue_())
    box = page.get_by_label("Your question")
    box.fill(SUPPLIER)
    box.press("Enter")
    expect(page.locator(".msg.ted").last).to_contain_text("Looking that up")
    box.fill("and on linkedin?")
    box.press("Enter")  # queued behind Alex's question
    switch_to(page, SAM)
    route, response = held[0]
    route.fulfill(response=response)
    expect(page.locator("#send")).to_be_enabled()  # the answer has come back (and been dealt with)
    expect(page.get_by_text("Looking that up…")).to_have_count(0)
    expect(page.locator(".clause-card")).to_have_count(0)
    expect(page.locator(".msg.you")).to_have_count(0)
    expect(page.locator("#composer-status")).to_have_text("")


def test_a_chip_pressed_while_ted_is_answering_waits_its_turn_and_answers_in_order(page: Page):
    open_chat(page, ALEX)
    ask(page, DID_YOU_MEAN)
    chip = page.get_by_role("group", name="Did you mean").get_by_role("button").first
    number = re.match(r"\d+\.\d+", chip.inner_text().strip()).group(0)
    held: list = []  # the next answer is held back, so the chip is certainly pressed while TED is answering
    page.route("**/api/chat", lambda route: held.append(route) if not held else route.continue_())
    actions: list = []
    page.on("request", lambda r: actions.append(r.url) if r.url.endswith("/api/action") else None)
    box = page.get_by_label("Your question")
    box.fill(SUPPLIER)
    box.press("Enter")
    expect(page.locator(".msg.ted").last).to_contain_text("Looking that up")
    cards = page.locator(".clause-card").count()
    chip.click()
    expect(chip).to_be_disabled()  # pressed, and waiting
    page.wait_for_timeout(300)
    assert actions == []  # not sent while the question is being answered
    held[0].continue_()
    expect(page.locator(".clause-card")).to_have_count(cards + 2)
    expect(page.locator(".clause-card").nth(cards).locator(".num")).to_have_text("5.13")  # the question's answer
    expect(page.locator(".clause-card").last.locator(".num")).to_have_text(number)  # then the chip's clause
    assert len(actions) == 1


def test_presses_still_on_their_way_when_the_person_switches_are_not_answered_to_the_next_one(page: Page):
    open_chat(page, ALEX)
    ask(page, DID_YOU_MEAN)
    chip = page.get_by_role("group", name="Did you mean").get_by_role("button").first
    held: list = []  # the chip's answer, as the server gave it, kept from the page until Alex is no longer there
    page.route("**/api/action", lambda route: held.append((route, route.fetch())) if not held else route.continue_())
    actions: list = []
    page.on("request", lambda r: actions.append(r.url) if r.url.endswith("/api/action") else None)
    chip.click()
    for _ in range(50):
        if held:
            break
        page.wait_for_timeout(100)
    report = page.get_by_role("button", name="Report something")
    report.click()  # waits its turn behind the chip
    expect(report).to_be_disabled()
    switch_to(page, SAM)
    route, response = held[0]
    route.fulfill(response=response)
    expect(report).to_be_enabled()  # the waiting press was Alex's: dropped, and the button is Sam's to use
    expect(page.locator("#send")).to_be_enabled()
    page.wait_for_timeout(300)  # time for a press that was not dropped to be sent
    expect(page.locator(".clause-card")).to_have_count(0)
    expect(page.get_by_role("dialog")).to_have_count(0)
    assert len(actions) == 1  # only the chip's: Alex's waiting press never went out as Sam


def test_a_chip_then_a_question_while_ted_is_answering_go_in_the_order_they_were_made(page: Page):
    open_chat(page, ALEX)
    ask(page, DID_YOU_MEAN)
    chip = page.get_by_role("group", name="Did you mean").get_by_role("button").first
    number = re.match(r"\d+\.\d+", chip.inner_text().strip()).group(0)
    held: list = []
    page.route("**/api/chat", lambda route: held.append(route) if not held else route.continue_())
    sent: list = []
    page.on("request", lambda r: sent.append(r.url.rsplit("/", 1)[1]) if "/api/" in r.url else None)
    box = page.get_by_label("Your question")
    box.fill("where can I park my bike at the depot?")
    box.press("Enter")
    expect(page.locator(".msg.ted").last).to_contain_text("Looking that up")
    cards = page.locator(".clause-card").count()
    chip.click()  # first the chip...
    box.fill(SUPPLIER)
    box.press("Enter")  # ...then a question, both while TED is answering
    held[0].continue_()
    expect(page.locator(".msg.you")).to_have_count(3)
    expect(page.locator(".clause-card")).to_have_count(cards + 2)
    expect(page.locator(".clause-card").nth(cards).locator(".num")).to_have_text(number)  # the chip's clause
    expect(page.locator(".clause-card").last.locator(".num")).to_have_text("5.13")  # then the question's answer
    asked = [x for x in sent if x in ("chat", "action")]
    assert asked[-3:] == ["chat", "action", "chat"]


def test_thumbs_up_and_down_are_one_choice_even_while_ted_is_answering(page: Page):
    open_chat(page, ALEX)
    ask(page, SUPPLIER)
    n = page.get_by_role("button", name="👍 Helpful").count() - 1  # this answer's, not the next one's
    up = page.get_by_role("button", name="👍 Helpful").nth(n)
    down = page.get_by_role("button", name="👎 Not helpful").nth(n)
    held: list = []
    page.route("**/api/chat", lambda route: held.append(route) if not held else route.continue_())
    box = page.get_by_label("Your question")
    box.fill("and on facebook?")
    box.press("Enter")
    expect(page.locator(".msg.ted").last).to_contain_text("Looking that up")
    up.click()
    expect(up).to_be_disabled()
    expect(down).to_be_disabled()  # not a second, contrary, answer waiting behind the first
    held[0].continue_()
    expect(up).to_have_attribute("aria-pressed", "true")
    expect(down).to_be_disabled()
    expect(down).not_to_have_attribute("aria-pressed", "true")


def test_an_inbox_still_on_its_way_when_the_person_switches_is_not_shown_to_the_next_one(page: Page):
    open_chat(page, ALEX)
    page.get_by_role("tab", name=re.compile("Inbox")).click()
    expect(page.locator("#inbox")).to_contain_text("Nothing here yet.")
    held: list = []  # Alex's next inbox, kept from the page until Sam is signed in
    page.route("**/api/inbox", lambda route: held.append(route) if not held else route.continue_())
    page.get_by_role("tab", name="Chat").click()
    page.get_by_role("tab", name=re.compile("Inbox")).click()  # asks for Alex's inbox again: held
    for _ in range(50):
        if held:
            break
        page.wait_for_timeout(100)
    with page.expect_response("**/api/inbox"):  # Sam's own, asked for by the switch
        switch_to(page, SAM)
    expect(page.locator("#inbox")).to_contain_text("Nothing here yet.")
    reply = {
        "text": "A message for Alex only",
        "notes": ["A message for Alex only"],
        "citations": [],
        "choices": [],
        "buttons": [],
        "intent": "report",
        "meta": {},
        "see_also": [],
        "also": [],
        "links": [],
        "images": [],
    }
    messages = [{"id": 1, "updated_at": "2026-12-01T10:00:00+00:00", "reply": reply}] * 3
    held[0].fulfill(json={"messages": messages})  # what the server said for Alex arrives last
    page.wait_for_timeout(300)
    expect(page.get_by_text("A message for Alex only")).to_have_count(0)
    expect(page.locator("#inbox-count")).to_have_text("")


def test_the_first_message_says_ted_is_automated_and_how_to_reach_a_person(page: Page):
    open_chat(page)
    first = page.locator("#log .msg.ted").first
    expect(first).to_contain_text("I'm an automated assistant, not a person.")
    expect(first).to_contain_text("talk to your line manager, HR or the Communications Manager")


def test_follow_a_did_you_mean_chip_and_typed_markup_stays_text(page: Page):
    open_chat(page)
    ask(page, DID_YOU_MEAN)
    chip = page.get_by_role("group", name="Did you mean").get_by_role("button").first
    number = re.match(r"\d+\.\d+", chip.inner_text().strip()).group(0)
    chip.click()
    expect(page.locator(".clause-card").last.locator(".num")).to_have_text(number)
    ask(page, "<img src=x onerror=alert(1)> <!channel> <b>hello</b>")
    expect(page.locator(".msg.you").last).to_have_text(re.compile(r"<img src=x onerror=alert\(1\)>"))
    assert page.locator(".msg img, .msg b").count() == 0


def test_report_acknowledge_and_see_the_status_change_then_admin(page: Page, live):
    open_chat(page, ALEX)
    page.get_by_role("button", name="Report something").click()
    dialog = page.get_by_role("dialog", name="Report to TED")
    expect(dialog).to_be_visible()
    dialog.get_by_label("What happened?").select_option("abuse_me")
    dialog.get_by_label("Where was it?").select_option("facebook")
    dialog.get_by_label("Link(s) to the post").fill("https://facebook.com/tdc/posts/1")
    dialog.get_by_label("Is anyone at risk of harm right now?").select_option("no")  # no default: answered
    dialog.get_by_label("Screenshots", exact=True).set_input_files(
        files=[{"name": "shot.png", "mimeType": "image/png", "buffer": PNG}]
    )
    expect(dialog.get_by_role("status")).to_have_text("Attached shot.png.")
    dialog.get_by_role("button", name="Send report").click()  # no description yet: shown beside the field
    description = dialog.get_by_label("What happened, in your words")
    expect(description).to_be_focused()
    expect(description).to_have_attribute("aria-invalid", "true")
    expect(dialog.locator(".has-error .error-msg")).to_contain_text("Please describe what happened")
    expect(dialog.get_by_label("What happened?")).to_have_value("abuse_me")  # what was chosen survives
    description.fill("Abusive replies to me under the beach safety post.")
    dialog.get_by_role("button", name="Send report").click()
    expect(dialog).to_be_hidden()
    confirmation = page.locator(".msg.ted").filter(has_text="your report is TED-").last
    expect(confirmation).to_be_visible()
    ref = REF.search(confirmation.inner_text()).group(0)
    attachments = live.call(lambda: live.ted.reports.by_ref(ref)["attachments"])
    assert "shot.png" in attachments  # kept through the round trip that showed the error

    switch_to(page, SAM)  # Alex's line manager
    page.get_by_role("tab", name=re.compile("Inbox")).click()
    item = page.locator(".inbox-item").filter(has_text=ref)
    expect(item).to_contain_text("Status: Open")
    item.get_by_role("button", name="Acknowledge").click()
    expect(page.locator("#inbox-status")).to_contain_text(f"You acknowledged {ref}")
    expect(page.locator(".inbox-item").filter(has_text=ref)).to_contain_text("Status: Acknowledged")
    item = page.locator(".inbox-item").filter(has_text=ref)
    expect(item.get_by_role("link", name="https://facebook.com/tdc/posts/1")).to_be_visible()  # clickable
    expect(item.get_by_role("img", name="Screenshot: shot.png")).to_be_visible()  # shown to its recipient

    switch_to(page, ALEX)
    expect(page.locator("#inbox-status")).to_have_text("")  # what TED told Sam is not Alex's
    page.get_by_role("tab", name="My reports").click()
    row = page.locator("#reports-table tr").filter(has_text=ref)
    expect(row).to_contain_text("Acknowledged")

    switch_to(page, CASEY)  # Communications Manager and admin
    page.get_by_role("link", name="Admin").click()
    expect(page.locator("body[data-ready=true]")).to_be_attached()  # admin.js has wired the buttons
    expect(page.get_by_role("heading", name="Open reports")).to_be_visible()
    admin_row = page.locator("tr").filter(has_text=ref).first  # the open reports table comes first
    expect(admin_row).to_contain_text("Acknowledged")
    expect(admin_row.get_by_role("link", name="shot.png")).to_be_visible()
    admin_row.get_by_role("button", name=re.compile("^Add note")).click()
    note = page.get_by_role("dialog", name=re.compile("Note on TED-"))
    note.get_by_label("Note").fill("Spoke to the resident's page admin.")
    note.get_by_role("button", name="Add note").click()
    expect(page.locator("#status")).to_contain_text("note", ignore_case=True)


def report_dialog(page: Page):
    """Alex opens "Report something" and answers what every report needs (a fake account on X, nobody at risk)."""
    open_chat(page, ALEX)
    page.get_by_role("button", name="Report something").click()
    dialog = page.get_by_role("dialog", name="Report to TED")
    dialog.get_by_label("What happened?").select_option("disparaging")
    dialog.get_by_label("Where was it?").select_option("x")
    dialog.get_by_label("Is anyone at risk of harm right now?").select_option("no")
    return dialog


def test_report_page_and_admin_read_on_a_phone(page: Page, live):
    page.set_viewport_size({"width": 390, "height": 844})
    dialog = report_dialog(page)
    dialog.get_by_label("What happened, in your words").fill("A fake council account posting about bin days.")
    expect(dialog.get_by_role("group", name="Who is involved?").get_by_role("checkbox", checked=True)).to_have_count(0)
    dialog.get_by_role("button", name="Send report").click()
    expect(dialog).to_be_hidden()
    confirmation = page.locator(".msg.ted").filter(has_text="your report is TED-").last
    expect(confirmation).to_contain_text("an outcome by")
    ref = REF.search(confirmation.inner_text()).group(0)
    confirmation.get_by_role("link", name="View details").click()
    page.wait_for_load_state("load")  # the stylesheet applied before the width is measured
    expect(page.get_by_role("heading", name=f"Report {ref}")).to_be_visible()
    expect(page.locator(".timeline")).to_contain_text("Alex Reed")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    switch_to_on_chat = page.goto("/")
    assert switch_to_on_chat.ok
    switch_to(page, CASEY)
    page.goto("/admin?status=all")
    expect(page.get_by_role("heading", name="All reports")).to_be_visible()
    expect(page.get_by_role("heading", name="Response times")).to_be_visible()
    expect(page.locator("#reports-filtered").get_by_role("link", name=ref)).to_be_visible()
    page.get_by_label("Category").select_option("disparaging")
    page.get_by_role("button", name="Show").click()
    page.wait_for_load_state("load")
    expect(page.locator("#reports-filtered")).to_contain_text("Content disparaging the council")
    wide = page.evaluate(
        "[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > 391"
        " && !e.closest('.table-wrap')).map(e => e.tagName + '.' + e.className + '#' + e.id)"
        ".slice(0, 8)"
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, wide


def test_the_report_form_keeps_every_choice_through_an_error_and_a_lost_connection(page: Page, live):
    from handlers.reports.form import CONFIDENTIAL, LINE_UNDISCLOSED

    dialog = report_dialog(page)
    dialog.get_by_label(CONFIDENTIAL).select_option("yes")
    dialog.get_by_label(LINE_UNDISCLOSED).check()
    involved = dialog.get_by_role("group", name="Who is involved?")
    involved.get_by_label("Find a person by name").fill("sam")
    involved.get_by_label("Sam Okafor (Leisure and Tourism)").check()
    lost = []
    page.route("**/api/action", lambda route: lost.append(route) or route.abort() if not lost else route.continue_())
    dialog.get_by_role("button", name="Send report").click()  # the connection drops
    expect(dialog.locator(".error-summary")).to_be_visible()
    page.console_errors.remove("Failed to load resource: net::ERR_FAILED")  # the drop itself, made above
    dialog.get_by_role("button", name="Send report").click()  # the description is missing: sent back
    expect(dialog.locator(".has-error")).to_have_count(1)
    # Neither round trip lost a choice: the report must not go to the people it was to be kept from.
    expect(dialog.get_by_label(CONFIDENTIAL)).to_have_value("yes")
    expect(dialog.get_by_label(LINE_UNDISCLOSED)).to_be_checked()
    checked = dialog.get_by_role("group", name="Who is involved?").get_by_role("checkbox", checked=True)
    expect(checked).to_have_count(1)
    expect(checked).to_have_attribute("value", SAM)
    dialog.get_by_label("What happened, in your words").fill("A fake council account posting about bin days.")
    dialog.get_by_role("button", name="Send report").click()
    expect(dialog).to_be_hidden()


def test_remove_takes_a_screenshot_off_the_server_not_only_out_of_the_form(page: Page, live):
    stored = lambda: sorted(p.name for p in (live.folder / "uploads").glob("*.img"))  # noqa: E731
    before = stored()
    open_chat(page, ALEX)
    page.get_by_role("button", name="Report something").click()
    dialog = page.get_by_role("dialog", name="Report to TED")
    dialog.get_by_label("Screenshots", exact=True).set_input_files(
        files=[{"name": "oops.png", "mimeType": "image/png", "buffer": PNG}]
    )
    expect(dialog.get_by_role("status")).to_have_text("Attached oops.png.")
    assert len(stored()) == len(before) + 1
    dialog.get_by_role("button", name="Remove oops.png").click()
    expect(dialog.get_by_role("status")).to_have_text("Removed oops.png.")
    assert stored() == before
