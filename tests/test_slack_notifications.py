"""Messages TED starts on Slack: report notifications through the outbox's SlackSender."""

import asyncio
import json
import logging

import pytest

from bot.slack.client import SlackNotifier, make_web_client
from bot.slack.sender import SlackSender
from chat import actions
from chat.model import Reply
from handlers.directory import Person, parse_csv
from handlers.reports.delivery import DeliveryError, Unreachable
from tests.fakes.slack_api import FakeSlackApi
from tests.fakes.slack_world import FAST, slack_test
from tests.fakes.world import SAMPLE_DIRECTORY
from tests.test_reports import GOOD


@slack_test(comms_slack_channel="C0COMMS")
async def test_a_report_filed_on_slack_reaches_its_recipients_on_slack(w):
    w.ted.directory.import_rows(parse_csv(SAMPLE_DIRECTORY))
    await w.command("/report", "")
    (opened,) = await w.api.wait_for("views.open")
    assert opened.body["view"]["callback_id"] == actions.REPORT_SUBMIT
    status, text = await w.submit(opened.body["view"], GOOD)
    assert status == 200 and text == ""
    (confirmation,) = await w.api.wait_for("response_url")
    assert confirmation.body["response_type"] == "ephemeral" and "TED-" in confirmation.body["text"]
    await w.deliver()
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


def test_slack_sender_permanent_errors_are_unreachable_for_dms_and_a_clear_error_for_the_channel(caplog):
    async def main():
        api = await FakeSlackApi().start()
        try:
            sender = SlackSender(SlackNotifier(make_web_client("xoxb-t", api.api_url, FAST), FAST), "C0COMMS")
            person = Person("a@x", "A", slack_user_id="U0A")
            for method, error in [
                ("conversations.open", "user_not_found"),
                ("conversations.open", "user_disabled"),
                ("chat.postMessage", "account_inactive"),
                ("chat.postMessage", "is_archived"),
            ]:
                api.errors = {method: error}
                with pytest.raises(Unreachable, match=error):
                    await sender.dm(person, Reply("hi"))
                with pytest.raises(Unreachable, match=error):
                    await sender.dm_user("U0A", Reply("hi"))
            for error in ("channel_not_found", "not_in_channel", "is_archived"):
                api.errors = {"chat.postMessage": error}
                with caplog.at_level(logging.ERROR, logger="ted.slack"):
                    with pytest.raises(DeliveryError):
                        await sender.channel(Reply("report"))
                assert any(error in r.getMessage() and "C0COMMS" in r.getMessage() for r in caplog.records)
            api.errors = {"chat.postMessage": "invalid_blocks"}  # TED's own mistake: not the person's fault
            with pytest.raises(Exception, match="invalid_blocks") as err:
                await sender.dm(person, Reply("hi"))
            assert not isinstance(err.value, (Unreachable, DeliveryError))
        finally:
            await api.close()

    asyncio.run(main())


@slack_test(comms_slack_channel="C0COMMS")
async def test_a_recipient_slack_cannot_reach_is_flagged_and_comms_told(w):
    w.ted.directory.import_rows(parse_csv(SAMPLE_DIRECTORY))
    form = await w.open_report()
    w.api.errors["conversations.open"] = "user_not_found"
    await w.submit(form, GOOD)
    await w.deliver()
    await w.deliver()
    await w.api.settle()
    (report,) = w.ted.db["reports"].rows
    assert any(f.startswith("unreachable:") for f in json.loads(report["flags"]))
    told = [c for c in w.api.of("chat.postMessage") if c.body["channel"] == "C0COMMS"]
    assert any("Could not reach a recipient" in c.body["text"] for c in told)
