"""Issue 4 end to end on Slack: /report -> modal -> signed view_submission -> stored -> manager DM and
comms post; inline errors; a stranger refused; the manager acknowledges, the reporter is told and the
messages are updated in place."""

import json

from chat import actions
from handlers.directory import parse_csv
from tests.fakes.slack_world import ALEX, JAMIE, SAM, slack_test
from tests.fakes.world import SAMPLE_DIRECTORY

REPORTER, MANAGER, STRANGER = ALEX, SAM, JAMIE
GOOD = {
    "category": "abuse_me",
    "platform": "instagram",
    "links": "https://instagram.com/p/abc",
    "account": "@troll",
    "seen_at": "2026-08-27",
    "service_area": "Leisure and Tourism",
    "description": "Threats in the council inbox <!channel>",
    "at_risk": "no",
    "wants_hr": "no",
    "confidential": "no",
}


@slack_test(comms_slack_channel="C0COMMS")
async def test_report_through_slack_reaches_manager_and_comms_and_is_acknowledged(w):
    w.ted.directory.import_rows(parse_csv(SAMPLE_DIRECTORY))
    view = await w.open_report(as_=REPORTER)

    status, text = await w.submit(view, {**GOOD, "links": "not a link", "description": " "}, as_=REPORTER)
    answer = json.loads(text)
    assert status == 200 and answer["response_action"] == "errors"
    assert any("link" in m for m in answer["errors"].values()) and len(answer["errors"]) == 2
    assert w.ted.db["reports"].count == 0

    status, _ = await w.submit(view, GOOD, as_=REPORTER)
    assert status == 200
    # Slack replays the same submission (or the person double-clicks): one report, the modal just closes.
    assert await w.submit(view, GOOD, as_=REPORTER) == (200, "")
    (report,) = list(w.ted.db["reports"].rows)
    assert report["reporter_user_id"] == REPORTER and report["status"] == "open"

    await w.deliver()
    await w.api.settle()
    posts = w.api.of("chat.postMessage")
    to_comms = [c for c in posts if c.body["channel"] == "C0COMMS"]
    dm_channels = {c.body["users"]: c for c in w.api.of("conversations.open")}
    assert to_comms and MANAGER in dm_channels
    manager_dm = (await w.inbox(MANAGER))[0]
    # The reporter's text is shown escaped, never as a live @channel.
    assert "<!channel>" not in str(manager_dm.body["blocks"])

    ts = "1700000000.000777"
    await w.press(actions.REPORT_ACK, on=manager_dm.body, as_=STRANGER, channel="D" + MANAGER[1:], message_ts=ts)
    await w.api.settle()
    assert w.ted.reports.by_ref(report["ref"])["status"] == "open"
    refusals = [c for c in w.api.calls if "only the people this report was sent to" in str(c.body)]
    assert refusals, "the stranger is told politely"

    posts_before_ack = len(w.api.of("chat.postMessage"))
    await w.press(actions.REPORT_ACK, on=manager_dm.body, as_=MANAGER, channel="D" + MANAGER[1:], message_ts=ts)
    await w.api.settle()
    assert w.ted.reports.by_ref(report["ref"])["status"] == "acknowledged"
    # The pressed card is updated where it is; no second copy of the report is posted.
    assert len(w.api.of("chat.postMessage")) == posts_before_ack
    (pressed,) = [c for c in w.api.of("chat.update") if c.body["ts"] == ts]
    assert pressed.body["channel"] == "D" + MANAGER[1:]
    assert "Acknowledged" in pressed.body["text"] and actions.REPORT_ACK not in str(pressed.body["blocks"])

    before = len(await w.inbox(REPORTER))
    await w.deliver()
    await w.api.settle()
    updates = w.api.of("chat.update")
    assert updates and all("Acknowledged" in str(u.body) for u in updates)
    reporter_dms = (await w.inbox(REPORTER))[before:]
    assert reporter_dms and "acknowledged" in reporter_dms[0].body["text"]


@slack_test(comms_slack_channel="C0COMMS")
async def test_a_note_added_through_its_modal_updates_the_card_it_was_opened_from(w):
    w.ted.directory.import_rows(parse_csv(SAMPLE_DIRECTORY))
    await w.file_report(as_=REPORTER, **GOOD)
    await w.deliver()
    await w.api.settle()
    card = next(c for c in w.api.of("chat.postMessage") if c.body["channel"] == "C0COMMS")
    posts, ts = len(w.api.of("chat.postMessage")), "1700000000.000888"
    await w.press(actions.REPORT_NOTE, on=card.body, as_=MANAGER, channel="C0COMMS", message_ts=ts)
    opened = (await w.api.wait_for("views.open", 2))[1]
    assert await w.submit(opened.body["view"], {"note": "Spoke to the page admin."}, as_=MANAGER) == (200, "")
    await w.api.settle()
    (updated,) = [c for c in w.api.of("chat.update") if c.body["ts"] == ts]  # the outbox updates its own copies
    assert updated.body["channel"] == "C0COMMS" and "Spoke to the page admin" not in updated.body["text"]
    assert len(w.api.of("chat.postMessage")) == posts


def _slow_submissions(ted):
    import time

    real = ted.router.actions[actions.REPORT_SUBMIT]

    def slow(act):
        time.sleep(3.0)  # the workers busy with other answers, past Slack's 3-second window
        return real(act)

    ted.router.actions[actions.REPORT_SUBMIT] = slow


@slack_test(tweak=_slow_submissions, db_file=True)
async def test_a_report_form_with_mistakes_answered_after_the_modal_closed_is_said_privately_with_what_was_typed(w):
    import asyncio

    from tests.fakes.world import GOOD_REPORT

    w.ted.directory.import_rows(parse_csv(SAMPLE_DIRECTORY))
    view = await w.open_report()
    before = len(w.api.calls)
    status, _ = await w.submit(view, {**GOOD_REPORT, "description": "a resident called me names", "at_risk": None})
    assert status == 200
    await asyncio.sleep(3.5)
    await w.api.settle(0.5)
    told = [c for c in w.api.calls[before:] if c.method in ("response_url", "chat.postEphemeral", "chat.postMessage")]
    assert told and "not* sent" in told[-1].body["text"] and "a resident called me names" in told[-1].body["text"]
    assert w.ted.db["reports"].count == 0
    status, _ = await w.submit(view, {**GOOD_REPORT, "description": "a resident called me names", "at_risk": "no"})
    await asyncio.sleep(3.5)
    await w.api.settle(0.5)
    assert w.ted.db["reports"].count == 1  # the same modal, sent again with the mistake fixed, is acted on
