"""TED Web Chat with the keyboard only (WCAG 2.1.1 Keyboard, 2.4.3 Focus Order, 2.4.7 Focus Visible, 2.4.11
Focus Not Obscured, 4.1.3 Status Messages): no clicks, only Tab, Shift+Tab, Enter, Space, arrow keys and typing.

Choose who you are, ask a question, hear the answer through the conversation's polite live region, open "Report
something", fill the form and send it. At every step the focused element must show a focus indicator and must not
be hidden behind the composer that sticks to the bottom of the window.
"""

from __future__ import annotations

import re

import pytest

from tests.browser.live import why_not_runnable
from tests.fakes.world import SUPPLIER

if reason := why_not_runnable():
    pytest.skip(reason, allow_module_level=True)

from playwright.sync_api import Locator, Page, expect  # noqa: E402

ANSWER = "Employees are not permitted to proactively add business contacts"

# What the focused element looks like, and whether anything covers its middle.
FOCUS_STATE = """() => {
  const el = document.activeElement;
  const s = getComputedStyle(el);
  const r = el.getBoundingClientRect();
  const x = Math.min(Math.max(r.left + r.width / 2, 0), innerWidth - 1);
  const y = Math.min(Math.max(r.top + r.height / 2, 0), innerHeight - 1);
  const hit = document.elementFromPoint(x, y);
  // A date field's calendar button is focused inside the field (which then matches no :focus); Chromium draws
  // its own focus ring on that button, which no style of the page can reach.
  const calendarButton = el.type === "date" && !el.matches(":focus");
  return {what: el.outerHTML.slice(0, 120), body: el === document.body,
          indicator: (s.outlineStyle !== "none" && parseFloat(s.outlineWidth) > 0) || s.boxShadow !== "none"
                     || calendarButton,
          // Covered: something that is neither the element, inside it, around it (a gap in an inline
          // element shows its parent) nor its label is painted over its middle.
          covered: !!hit && !el.contains(hit) && !hit.contains(el) && !(el.labels && [...el.labels].includes(hit)),
          coveredBy: hit ? hit.outerHTML.slice(0, 80) : ""};
}"""


def assert_focus_shown(page: Page) -> None:
    state = page.evaluate(FOCUS_STATE)
    if state["body"]:
        return
    assert state["indicator"], f"no visible focus indicator on {state['what']}"
    assert not state["covered"], f"{state['what']} is focused but hidden behind {state['coveredBy']}"


def is_focused(target: Locator) -> bool:
    return target.evaluate("el => el === document.activeElement")


def tab_to(page: Page, target: Locator, back: bool = False, limit: int = 60) -> None:
    """Press Tab (Shift+Tab when `back`) until `target` has focus, checking focus is visible at each stop."""
    for _ in range(limit):
        if is_focused(target):
            return
        page.keyboard.press("Shift+Tab" if back else "Tab")
        assert_focus_shown(page)
    raise AssertionError(f"{limit} presses of {'Shift+' if back else ''}Tab never reached {target}")


def choose(page: Page, select: Locator, label_start: str, value: str) -> None:
    """Pick an option of a focused <select> by typing the start of its label (type-ahead), as people do."""
    expect(select).to_be_focused()
    page.keyboard.type(label_start)
    expect(select).to_have_value(value)


def test_ask_hear_the_answer_and_send_a_report_with_the_keyboard_only(page: Page):
    page.set_viewport_size({"width": 390, "height": 800})  # the phone layout: the composer sticks to the bottom
    page.goto("/")
    expect(page.locator("body[data-ready=true]")).to_be_attached()

    # The skip link comes first and jumps to the question box.
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to the question box")).to_be_focused()
    assert_focus_shown(page)

    # Choose who you are (local mode): the picker, then Switch.
    person = page.get_by_label("Signed in as")
    tab_to(page, person)
    choose(page, person, "Alex", "alex.lifeguard@tendring.example")
    tab_to(page, page.get_by_role("button", name="Switch"))
    page.keyboard.press("Enter")
    expect(page.locator("#log")).to_contain_text("You're now signed in as Alex Reed.")

    # Ask. The answer arrives in the conversation, a polite live region, so a screen reader reads it out.
    box = page.get_by_label("Your question")
    tab_to(page, box)
    page.keyboard.type(SUPPLIER)
    page.keyboard.press("Enter")
    log = page.get_by_role("log", name="Conversation with TED")
    expect(log).to_have_count(1)
    expect(log).to_have_attribute("aria-live", "polite")
    expect(log.locator(".msg.ted").last).to_contain_text(ANSWER)
    expect(box).to_be_focused()  # ready for the next question

    # Back to the answer's feedback buttons with Shift+Tab: reachable, visible, not under the composer.
    tab_to(page, log.get_by_role("button", name="👍 Helpful").last, back=True)
    tab_to(page, box)

    # Open "Report something" and fill the form in the dialog.
    tab_to(page, page.get_by_role("button", name="Report something"))
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name="Report to TED")
    expect(dialog).to_be_visible()
    category = dialog.get_by_label("What happened?")
    choose(page, category, "Abuse or", "abuse_me")  # focus starts on the first field
    page.keyboard.press("Tab")
    choose(page, dialog.get_by_label("Where was it?"), "Face", "facebook")
    description = dialog.get_by_label("What happened, in your words")
    tab_to(page, description)
    page.keyboard.type("Abusive replies to me under the beach safety post.")
    at_risk = dialog.get_by_label("Is anyone at risk of harm right now?")  # no default: it must be answered
    tab_to(page, at_risk)
    choose(page, at_risk, "No", "no")
    send = dialog.get_by_role("button", name="Send report")
    tab_to(page, send)
    page.keyboard.press("Space")

    # Sent: the dialog closes, focus goes back to the button that opened it, and the reference is announced.
    expect(dialog).to_be_hidden()
    expect(log.locator(".msg.ted").last).to_contain_text(re.compile(r"your report is TED-\d{4}-\d{4}"))
    expect(page.get_by_role("button", name="Report something")).to_be_focused()


def test_focus_stays_on_the_page_after_a_press_a_reload_starts_afresh_and_400_percent_zoom_shows_the_answer(
    page: Page,
):
    page.goto("/")
    expect(page.locator("body[data-ready=true]")).to_be_attached()
    box = page.get_by_label("Your question")
    box.fill("can I use the council logo on my instagram?")
    box.press("Enter")
    log = page.get_by_role("log", name="Conversation with TED")
    expect(log.locator(".msg.ted").last).to_contain_text("logo")
    helpful = log.get_by_role("button", name="👍 Helpful").last
    helpful.focus()
    page.keyboard.press("Enter")
    expect(helpful).to_have_attribute("aria-pressed", "true")
    assert not page.evaluate("document.activeElement === document.body")  # focus went to what TED said
    # A reload is a new conversation: a bare follow-up no longer leans on the logo question it can't see.
    page.reload()
    expect(page.locator("body[data-ready=true]")).to_be_attached()
    page.get_by_label("Your question").fill("what about facebook?")
    page.get_by_label("Your question").press("Enter")
    expect(log.locator(".msg.ted").last).not_to_contain_text("Looking that up")
    assert "logo" not in log.locator(".msg.ted").last.inner_text().lower()
    # 400 % zoom of a 1280 x 1024 screen: the answer can be scrolled into view, not hidden behind the question box.
    page.set_viewport_size({"width": 320, "height": 256})
    box = page.get_by_label("Your question")
    box.fill("can I use the council logo on my instagram?")
    box.press("Enter")
    answer = log.locator(".msg.ted").last
    expect(answer).to_contain_text("logo")
    answer.scroll_into_view_if_needed()
    covered = answer.evaluate(
        "el => { const r = el.getBoundingClientRect(); const hit = document.elementFromPoint(r.left + 5, "
        "Math.max(r.top + 5, 0)); return !!hit && !el.contains(hit); }"
    )
    assert not covered


def test_at_200_percent_zoom_nothing_focused_in_an_answer_hides_behind_the_question_box(page: Page):
    page.set_viewport_size({"width": 640, "height": 512})  # 1280 x 1024 at 200 %
    page.goto("/")
    expect(page.locator("body[data-ready=true]")).to_be_attached()
    box = page.get_by_label("Your question")
    log = page.get_by_role("log", name="Conversation with TED")
    for question in (SUPPLIER, "can I use the council logo on my own facebook?"):
        box.fill(question)
        box.press("Enter")
        expect(page.get_by_text("Looking that up…")).to_have_count(0)
    expect(box).to_be_focused()
    # Back through the last answer (its feedback, its clause link) and the one before: each in view, uncovered.
    tab_to(page, log.get_by_role("link", name=re.compile("^Read ")).first, back=True)


def test_moving_through_who_is_involved_with_the_arrow_keys_chooses_nobody(page: Page):
    page.goto("/")
    expect(page.locator("body[data-ready=true]")).to_be_attached()
    page.get_by_label("Signed in as").select_option("alex.lifeguard@tendring.example")
    page.get_by_role("button", name="Switch").click()
    page.get_by_role("button", name="Report something").click()
    group = page.get_by_role("dialog", name="Report to TED").get_by_role("group", name="Who is involved?")
    group.get_by_role("checkbox").first.focus()
    for key in ("ArrowDown", "ArrowDown", "ArrowDown", "Tab", "Tab"):  # reading the list, as a keyboard user would
        page.keyboard.press(key)
        assert_focus_shown(page)
    expect(group.get_by_role("checkbox", checked=True)).to_have_count(0)  # nobody kept off the report by accident
    group.get_by_role("checkbox").first.focus()
    page.keyboard.press("ArrowDown")
    expect(group.get_by_role("checkbox").nth(1)).to_be_focused()  # down moves to the next person, in view
    group.get_by_label("Find a person by name").fill("harper")
    expect(group.get_by_role("checkbox", checked=False).locator("visible=true")).to_have_count(1)
    page.keyboard.press("Tab")
