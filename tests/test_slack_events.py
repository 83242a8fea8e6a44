"""Slack events end to end: signed HTTP into TED's real server, answers into a fake Slack Web API."""

import asyncio
import json

from bot.slack.client import SlackNotifier, make_web_client
from chat.model import Reply
from handlers.reports.retry import RetryPolicy
from tests.fakes.slack_api import BOT_ID, BOT_USER, FakeSlackApi
from tests.fakes.slack_world import ALEX, clause_heading, slack_test
from tests.fakes.world import SUPPLIER


@slack_test()
async def test_dm_question_is_answered_with_the_clause_blocks(w):
    await w.ask(SUPPLIER)
    (call,) = await w.api.wait_for("chat.postMessage")
    assert call.body["channel"] == "D0ALEXLIFE" and "thread_ts" not in call.body
    assert call.headers["Authorization"] == "Bearer xoxb-test-token"
    assert clause_heading(call).startswith("*5.13 — ") and "Social Media Policy" in clause_heading(call)
    assert call.body["blocks"][0]["text"]["text"].startswith("*In short:*")  # a direct first line
    assert call.body["blocks"][2]["text"]["text"].startswith("> Employees are not permitted")
    ids = [e["action_id"] for b in call.body["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert ids == ["ted.feedback.up", "ted.feedback.down"]
    assert "Communications Manager" not in call.body["text"] and call.body["text"]
    assert w.api.of("auth.test"), "the token is verified with auth.test"


@slack_test()
async def test_slack_gets_its_ack_before_ted_answers(w):
    await w.ask("hello")  # Bolt's own first auth.test
    await w.api.wait_for("chat.postMessage")
    w.api.hold()  # Slack's Web API stops answering: an ack that waited for the answer would never come
    event = {
        "type": "message",
        "channel": "D0ALEXLIFE",
        "channel_type": "im",
        "user": ALEX,
        "text": SUPPLIER,
        "ts": "1700001000.000009",
    }
    assert (await asyncio.wait_for(w.event(event), 2))[0] == 200
    assert await asyncio.wait_for(w.command("/ted", SUPPLIER), 2) == (200, "")
    await w.api.wait_for("chat.postMessage", 2)  # the answer is on its way, held by the slow API
    w.api.release()
    await w.api.wait_for("response_url")


@slack_test()
async def test_fallback_names_who_to_ask(w):
    await w.ask("where can I park my bike at the depot?")
    (call,) = await w.api.wait_for("chat.postMessage")
    assert "Communications Manager" in call.body["text"] and "won't guess" in clause_heading(call)


@slack_test()
async def test_mention_is_answered_in_its_thread_without_the_mention(w):
    ts = await w.mention(SUPPLIER)
    (call,) = await w.api.wait_for("chat.postMessage")
    assert call.body["channel"] == "C0GENERAL" and call.body["thread_ts"] == ts
    (asked,) = w.ted.db["asked"].rows
    assert asked["question"] == SUPPLIER and asked["thread_id"] == ts and asked["platform"] == "slack"


@slack_test()
async def test_a_link_and_a_colleagues_mention_reach_the_handler_as_plain_text(w):
    await w.mention(f"<@U0SAMOKAF|sam> asked: {SUPPLIER} see <https://x.example/p|the policy>")
    (call,) = await w.api.wait_for("chat.postMessage")
    (asked,) = w.ted.db["asked"].rows
    assert asked["question"] == f"@sam asked: {SUPPLIER} see the policy (https://x.example/p)"
    assert "<https://x.example" not in call.raw and "<@U0SAMOKAF" not in call.raw


@slack_test()
async def test_thread_follow_up_is_read_with_the_question_before(w):
    ts = await w.mention("can I add business contacts on my personal facebook?")
    await w.api.wait_for("chat.postMessage")
    await w.mention("and what about linkedin?", thread=ts)
    first, second = await w.api.wait_for("chat.postMessage", 2)
    assert second.body["thread_ts"] == ts
    assert clause_heading(second).startswith(("*5.13 — ", "*5.15 — "))


@slack_test()
async def test_dm_follow_up_at_the_top_level(w):
    await w.ask("can I add business contacts on my personal facebook?")
    await w.api.wait_for("chat.postMessage")
    await w.ask("and what about linkedin?")
    _, second = await w.api.wait_for("chat.postMessage", 2)
    assert "thread_ts" not in second.body and clause_heading(second).startswith(("*5.13 — ", "*5.15 — "))


@slack_test()
async def test_a_retried_delivery_is_answered_once(w):
    event = {
        "type": "message",
        "channel": "D0ALEXLIFE",
        "channel_type": "im",
        "user": ALEX,
        "text": SUPPLIER,
        "ts": "1700001000.000001",
    }
    assert (await w.event(event, event_id="Ev0RETRY"))[0] == 200
    assert (await w.event(event, event_id="Ev0RETRY", retry_num=1))[0] == 200
    await w.api.wait_for("chat.postMessage")
    await w.api.settle()
    assert len(w.api.of("chat.postMessage")) == 1
    assert w.ted.db["asked"].count == 1


@slack_test()
async def test_own_messages_other_bots_and_edits_are_ignored(w):
    base = {"type": "message", "channel": "D0ALEXLIFE", "channel_type": "im", "text": SUPPLIER}
    await w.event({**base, "user": BOT_USER, "bot_id": BOT_ID, "ts": "1.1"})
    await w.event({**base, "bot_id": "B0OTHER", "subtype": "bot_message", "ts": "1.2"})
    await w.event({**base, "user": "U0OTHERAPP", "bot_id": "B0OTHER", "ts": "1.3"})
    await w.event(
        {
            "type": "message",
            "subtype": "message_changed",
            "channel": "D0ALEXLIFE",
            "channel_type": "im",
            "message": {"user": ALEX, "text": SUPPLIER},
            "ts": "1.4",
        }
    )
    await w.event({**base, "user": ALEX, "subtype": "channel_join", "ts": "1.5"})
    await w.event(
        {
            "type": "app_mention",
            "channel": "C1",
            "user": "U0OTHERAPP",
            "bot_id": "B0OTHER",
            "text": f"<@{BOT_USER}> hi",
            "ts": "1.6",
        }
    )
    await w.api.settle()
    assert not w.api.of("chat.postMessage") and w.ted.db["asked"].count == 0
    await w.ask(SUPPLIER)
    assert len(await w.api.wait_for("chat.postMessage")) == 1


@slack_test()
async def test_rate_limits_and_server_errors_are_retried_and_the_answer_delivered(w):
    await w.ask("hello")  # the first request also makes Bolt call auth.test; keep that out of the count
    await w.api.wait_for("chat.postMessage")
    w.api.fail_next(2, 429, "0")
    w.api.fail_next(1, 503)
    await w.ask(SUPPLIER)
    await w.api.wait_for("chat.postMessage", 2)
    posts = [c.status for c in w.api.calls if c.method == "chat.postMessage"]
    assert posts == [200, 429, 429, 503, 200]


@slack_test()
async def test_retries_are_bounded(w):
    await w.ask("hello")
    await w.api.wait_for("chat.postMessage")
    w.api.fail_next(10, 500)
    await w.ask(SUPPLIER)
    await w.api.settle()
    tried = [c for c in w.api.calls if c.status == 500]
    assert len(tried) == 4 and len(w.api.of("chat.postMessage")) == 1  # one try + three retries, then give up
    w.api._failures.clear()
    await w.ask("can I put the council logo on my personal facebook?")
    await w.api.wait_for("chat.postMessage", 2)


def test_retry_after_is_honoured_and_long_waits_give_up():
    slept = []

    async def sleep(seconds):
        slept.append(seconds)

    async def main():
        api = await FakeSlackApi().start()
        try:
            policy = RetryPolicy(max_retries=3, backoff=0.5, max_wait=30, jitter=0, sleep=sleep)
            notifier = SlackNotifier(make_web_client("xoxb-t", api.api_url, policy), policy)
            api.fail_next(1, 429, "1")
            api.fail_next(1, 500)
            api.fail_next(1, 502)
            channel, ts = await notifier.dm("U0ALEXLIFE", Reply("hello <!channel>"))
            assert channel == "D0ALEXLIFE" and ts.startswith("1700000000.")
            assert slept == [1.0, 1.0, 2.0]  # Retry-After, then 0.5 * 2**attempt
            assert "<!channel>" not in api.of("chat.postMessage")[0].raw
            await notifier.update(channel, ts, Reply("edited"))
            assert api.of("chat.update")[0].body["ts"] == ts
            api.fail_next(1, 429, "120")  # longer than max_wait: give up rather than hang
            try:
                await notifier.post("C1", Reply("x"))
                raise AssertionError("expected the rate limit to surface")
            except Exception as exc:
                assert "ratelimited" in str(exc)
        finally:
            await api.close()

    asyncio.run(main())


@slack_test()
async def test_app_home_shows_what_ted_does_and_how_to_report(w):
    await w.event({"type": "app_home_opened", "user": ALEX, "channel": "D0ALEXLIFE", "tab": "messages"})
    await w.event({"type": "app_home_opened", "user": ALEX, "channel": "D0ALEXLIFE", "tab": "home"})
    (call,) = await w.api.wait_for("views.publish")
    await w.api.settle(0.1)
    assert len(w.api.of("views.publish")) == 1
    view = call.body["view"]
    assert call.body["user_id"] == ALEX and view["type"] == "home"
    text = json.dumps(view, ensure_ascii=False)
    assert "/report" in text and "/ted" in text and "Social Media Policy" in text
