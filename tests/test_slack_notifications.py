"""Messages TED starts on Slack: report notifications through the outbox's SlackSender."""

import asyncio
from pathlib import Path

import pytest

from bot import actions
from bot.model import Reply
from bot.slack_client import SlackNotifier, make_web_client
from bot.slack_sender import SlackSender
from handlers.delivery import DeliveryError
from handlers.directory import Person, parse_csv
from tests.fakes.slack_api import FakeSlackApi
from tests.fakes.slack_world import FAST, slack_test

SAMPLE = Path(__file__).resolve().parents[1] / "sample" / "directory.csv"
GOOD = {"category": "abuse_me", "platform": "facebook", "links": "https://facebook.com/tdc/posts/1",
        "account": "@angryresident", "seen_at": "2026-08-27", "service_area": "Leisure and Tourism",
        "description": "Repeated abusive replies to me under the beach safety post.", "at_risk": "no",
        "wants_hr": "no", "involves_management": "no"}


@slack_test(comms_slack_channel="C0COMMS")
async def test_a_report_filed_on_slack_reaches_its_recipients_on_slack(w):
    w.ted.directory.import_rows(parse_csv(SAMPLE.read_text("utf-8")))
    await w.command("/report", "")
    (opened,) = await w.api.wait_for("views.open")
    assert opened.body["view"]["callback_id"] == actions.REPORT_SUBMIT
    status, text = await w.submit(opened.body["view"], GOOD)
    assert status == 200 and text == ""
    (confirmation,) = await w.api.wait_for("response_url")
    assert confirmation.body["response_type"] == "ephemeral" and "TED-" in confirmation.body["text"]
    await w.ted.outbox.run_once()
    await w.api.settle()
    posted = {c.body["channel"] for c in w.api.of("chat.postMessage")}
    opened_dms = {c.body["users"] for c in w.api.of("conversations.open")}
    assert "C0COMMS" in posted and opened_dms and all(u.startswith("U0") for u in opened_dms)
    assert {"D" + u[1:] for u in opened_dms} <= posted


def test_slack_sender_turns_lasting_rate_limits_into_a_retry_later():
    async def main():
        api = await FakeSlackApi().start()
        try:
            sender = SlackSender(SlackNotifier(make_web_client("xoxb-t", api.api_url, FAST), FAST), "C0COMMS")
            person = Person("a@x", "A", slack_user_id="U0A")
            assert sender.reaches(person) and not sender.reaches(Person("b@x", "B"))
            assert await sender.dm(person, Reply("hi")) == ("D0A", "1700000000.000002")
            api.fail_next(10, 429, "0")
            with pytest.raises(DeliveryError) as err:
                await sender.channel(Reply("report"))
            assert err.value.retry_after == 0
            api._failures.clear()
            api.errors["chat.update"] = "message_not_found"
            with pytest.raises(Exception, match="message_not_found"):
                await sender.update("C0COMMS", "1.1", Reply("edited"))
            assert await SlackSender(sender.notifier).channel(Reply("x")) is None
        finally:
            await api.close()

    asyncio.run(main())
