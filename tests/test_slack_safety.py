"""Slack's edge kept safe: signatures checked before parsing, malformed payloads refused, what people write
never rendered live nor logged, and text Slack can send but SQLite cannot store still answered."""

import json
import logging
import time
from urllib.parse import urlencode

from chat import actions
from handlers.directory import parse_csv
from tests.fakes.slack_world import ALEX, clause_heading, slack_test
from tests.fakes.world import SAMPLE_DIRECTORY, SUPPLIER

REPORT = {
    "category": "abuse_me",
    "platform": "facebook",
    "links": "https://facebook.com/tdc/posts/1",
    "account": "@angryresident",
    "seen_at": "2026-08-27",
    "service_area": "Leisure and Tourism",
    "description": "Repeated abusive replies under the beach safety post.",
    "at_risk": "no",
    "wants_hr": "no",
    "confidential": "no",
}


@slack_test()
async def test_unsigned_bad_and_stale_requests_are_rejected(w):
    body = json.dumps(
        w.event_body(
            {"type": "message", "channel": "D1", "channel_type": "im", "user": ALEX, "text": SUPPLIER, "ts": "1.1"}
        )
    )
    assert (await w.post(body, "application/json", signed=False))[0] == 401
    empty = json.dumps({"token": "legacy", "type": "url_verification"})
    assert (await w.post(empty, "application/json"))[0] == 400  # no challenge to answer
    bad = {"X-Slack-Request-Timestamp": str(int(time.time())), "X-Slack-Signature": "v0=" + "0" * 64}
    assert (await w.post(body, "application/json", signed=False, headers=bad))[0] == 401
    assert (await w.post(body, "application/json", timestamp=int(time.time()) - 600))[0] == 401
    for timestamp in ("9" * 400, "1" * 5000, "\u00b2", "12.5", "-1"):  # overflow, int limit, a non-ASCII digit
        odd = {"X-Slack-Request-Timestamp": timestamp, "X-Slack-Signature": "v0=abc"}
        assert (await w.post(body, "application/json", signed=False, headers=odd))[0] == 401, timestamp
    command = "command=%2Fted&text=hello&user_id=U1&channel_id=C1&response_url=x&trigger_id=t"
    assert (await w.post(command, "application/x-www-form-urlencoded", signed=False))[0] == 401
    await w.api.settle(0.1)
    assert [c.method for c in w.api.calls if c.method != "auth.test"] == []


JUNK = [
    ("{not json", "application/json"),
    ("payload=notjson", "application/x-www-form-urlencoded"),
    (b"\xff\xfe", "application/json"),
    (b"payload=\xff\xfe", "application/x-www-form-urlencoded"),
    ("[1]", "application/json"),
    ("", "application/json"),
]
MALFORMED = [
    {"type": "view_submission", "user": {"id": ALEX}, "view": {"callback_id": "ted.report.submit"}},
    {"type": "view_submission", "user": {"id": ALEX}, "view": "V1"},
    {"type": "view_submission", "view": {"type": "modal", "callback_id": "x", "state": {"values": [1]}}},
    {"type": "block_actions", "user": {"id": ALEX}, "actions": "ted.share"},
    {"type": "block_actions", "user": {"id": ALEX}, "actions": ["ted.share"]},
    {"type": "block_actions", "user": {"id": ALEX}, "actions": []},
    {"type": "block_actions", "user": {"id": ALEX}, "actions": [{"action_id": 7}]},
    {"type": "block_actions", "user": "U1", "container": "x", "actions": [{"action_id": "ted.share"}]},
    [1, 2],
]


@slack_test()
async def test_junk_is_refused_before_it_is_parsed_and_malformed_payloads_are_a_400(w):
    records: list[logging.LogRecord] = []
    handler = logging.Handler(logging.INFO)
    handler.emit = records.append
    logging.getLogger("ted").addHandler(handler)
    try:
        for body, content_type in JUNK:
            assert (await w.post(body, content_type, signed=False))[0] == 401, body
            bad = {"X-Slack-Request-Timestamp": "soon", "X-Slack-Signature": "v0=00"}
            assert (await w.post(body, content_type, signed=False, headers=bad))[0] == 401, body
            if body:
                assert (await w.post(body, content_type))[0] == 400, body
        for payload in MALFORMED:
            assert (await w.post(urlencode({"payload": json.dumps(payload)}), "application/x-www-form-urlencoded"))[
                0
            ] == 400, payload
        events = [
            {"type": "event_callback", "event": "x"},
            {"type": "event_callback", "event": {"text": "hi"}},
            {"type": "event_callback", "event": {"type": "message", "user": 5, "text": 7, "channel": "D1"}},
            {"type": "event_callback", "authorizations": "x", "event": {"type": "message"}},
            {"type": 5},
        ]
        for body in events:
            assert (await w.post(json.dumps(body), "application/json"))[0] == 400, body
    finally:
        logging.getLogger("ted").removeHandler(handler)
    rejected = [r.getMessage() for r in records if "400" in r.getMessage()]
    assert len(rejected) == len([b for b, _ in JUNK if b]) + len(MALFORMED) + len(events)
    assert not [m for m in rejected if "ted.share" in m or "notjson" in m or "hi" in m.split()]
    await w.ask(SUPPLIER)  # and TED still answers
    await w.api.wait_for("chat.postMessage")


@slack_test()
async def test_url_verification_challenge_is_answered_when_signed(w):
    body = json.dumps(
        {
            "token": "legacy",
            "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
            "type": "url_verification",
        }
    )
    status, text = await w.post(body, "application/json")
    assert status == 200 and "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P" in text
    assert (await w.post(body, "application/json", signed=False))[0] == 401


def mrkdwn_objects(node) -> list[dict]:
    if isinstance(node, dict):
        found = [node] if node.get("type") == "mrkdwn" else []
        return found + [m for v in node.values() for m in mrkdwn_objects(v)]
    return [m for v in node for m in mrkdwn_objects(v)] if isinstance(node, list) else []


def assert_inert(body: dict, *, allowed_mention: str = "") -> None:
    """Nothing a person wrote can notify, mention or link live, in the blocks or in the notification text."""
    raw = json.dumps(body, ensure_ascii=False).replace(allowed_mention or "\0", "")
    for live in (
        "<!channel>",
        "<!here>",
        "<@U0BOSS>",
        "<https://evil",
        "<!",
        "<@",
        "@channel",
        "@here",
        "@someone",
        "@troll",
        " https://evil",
    ):
        assert live not in raw, live
    assert mrkdwn_objects(body["blocks"]) and all(m.get("verbatim") is True for m in mrkdwn_objects(body["blocks"]))


INJECTION = "<!channel> <!here> cc <@U0BOSS> <https://evil.example|free vouchers> @here "


@slack_test(comms_slack_channel="C0COMMS")
async def test_mention_injection_is_never_echoed_live(w):
    question = (
        "<!channel> <!here> someone keeps sending me abuse after I replied from the council page, "
        "what do I do? cc <@U0BOSS> <https://evil.example|free vouchers>"
    )
    await w.ask(question)
    (call,) = await w.api.wait_for("chat.postMessage")
    raw = call.raw
    for live in ("<!channel>", "<!here>", "<@U0BOSS>", "<https://evil", "<!"):
        assert live not in raw, live
    report = [
        e
        for b in call.body["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == "ted.report.open"
    ]
    assert report and report[0]["value"].startswith("@channel @here someone keeps")

    # Share echoes the question ("asked: …") into the channel: inert there too.
    await w.command("/ted", INJECTION + SUPPLIER)
    (private,) = await w.api.wait_for("response_url")
    await w.press(actions.SHARE, on=private.body, ephemeral=True)
    shared = next(c for c in await w.api.wait_for("response_url", 3) if c.body.get("response_type") == "in_channel")
    asked = shared.body["blocks"][0]["elements"][0]["text"]
    assert "asked:" in asked and "@\u200dchannel" in asked and "`https://evil.example`" in asked
    assert_inert(shared.body, allowed_mention=f"<@{ALEX}>")

    # A report's account, links and description reach the communications channel inert.
    w.ted.directory.import_rows(parse_csv(SAMPLE_DIRECTORY))
    form = await w.open_report()
    answers = {
        **REPORT,
        "account": "@troll",
        "links": "https://evil.example/p/1",
        "description": "Threats " + INJECTION + "see https://evil.example/x and www.evil.example",
    }
    assert (await w.submit(form, answers))[0] == 200
    await w.deliver()
    await w.api.settle()
    to_comms = [c for c in w.api.of("chat.postMessage") if c.body["channel"] == "C0COMMS"]
    assert to_comms and "`https://evil.example/p/1`" in to_comms[0].body["text"]
    for call in to_comms:
        assert_inert(call.body)


@slack_test(comms_slack_channel="C0COMMS")
async def test_logs_carry_ids_never_message_text(w):
    """Even at DEBUG (TED_LOG_LEVEL=DEBUG), nothing anyone wrote reaches the log: not from TED, not from
    slack_sdk / slack_bolt (which log request and response bodies at DEBUG)."""
    w.ted.directory.import_rows(parse_csv(SAMPLE_DIRECTORY))
    logger = logging.getLogger()
    records: list[logging.LogRecord] = []
    handler = logging.Handler(logging.DEBUG)
    handler.emit = records.append
    logger.addHandler(handler)
    old = logger.level
    logger.setLevel(logging.DEBUG)
    try:
        secret = "my manager Zebediah posted about the Clacton pier"
        await w.ask(secret)
        await w.api.wait_for("chat.postMessage")
        await w.event({"type": "reaction_added", "user": ALEX, "reaction": secret})
        await w.command("/ted", SUPPLIER + " Quentinborough")
        (private,) = await w.api.wait_for("response_url")
        await w.press(actions.SHARE, on=private.body, ephemeral=True)
        await w.api.wait_for("response_url", 3)
        await w.submit(await w.open_report(), {**REPORT, "description": "Xanthippe-Flibbertigibbet threatened me"})
        await w.deliver()
        await w.api.settle(0.1)
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old)
    assert w.ted.db["reports"].count == 1 and any("C0COMMS" == c.body.get("channel") for c in w.api.calls)
    ours = [r for r in records if r.name.startswith(("ted", "slack"))]
    assert any("event_id=" in r.getMessage() for r in ours)
    leaks = [r.name for r in records for word in ("Zebediah", "Quentinborough", "Xanthippe") if word in r.getMessage()]
    assert not leaks


@slack_test()
async def test_a_lone_surrogate_in_slack_text_is_still_answered(w):
    await w.ask(SUPPLIER + " \ud800")  # json.dumps sends it as the escape "\ud800", as a broken client might
    (call,) = await w.api.wait_for("chat.postMessage")
    assert clause_heading(call).startswith("*5.13 — ")
    (asked,) = w.ted.db["asked"].rows
    assert asked["question"] == SUPPLIER + " \ufffd"
    assert (await w.submit(await w.open_report(), {**REPORT, "description": "abuse \udfff here"}))[0] == 200
    (report,) = w.ted.db["reports"].rows
    assert report["description"] == "abuse \ufffd here"


def test_half_a_slack_configuration_says_what_is_missing(caplog):
    from app import build
    from bot.server import make_app
    from core.settings import Settings

    for half in ({"slack_app_token": "xapp-1"}, {"slack_signing_secret": "s"}):
        caplog.clear()
        with caplog.at_level(logging.WARNING):
            make_app(build(Settings(**half), ":memory:"))
        assert "Slack is off: it needs SLACK_BOT_TOKEN" in caplog.text, half


@slack_test()
async def test_a_signed_request_sent_again_inside_the_window_is_answered_once(w):
    form = urlencode(
        {
            "team_id": "T0TDC",
            "channel_id": "C0GENERAL",
            "user_id": ALEX,
            "command": "/ted",
            "text": SUPPLIER,
            "response_url": w.api.response_url("cmd-replayed"),
            "trigger_id": "trigger.replayed",
        }
    )
    stamp = int(time.time())
    assert (await w.post(form, "application/x-www-form-urlencoded", timestamp=stamp))[0] == 200
    await w.api.wait_for("response_url")
    # A copy captured in transit, replayed byte for byte (same timestamp, same signature): acked, not answered.
    assert (await w.post(form, "application/x-www-form-urlencoded", timestamp=stamp)) == (200, "")
    await w.api.settle(0.3)
    assert len(w.api.of("response_url")) == 1
    # Slack signs each request afresh: the same command sent again by the person is answered again.
    assert (await w.post(form, "application/x-www-form-urlencoded", timestamp=stamp - 1))[0] == 200
    assert len(await w.api.wait_for("response_url", 2)) == 2


def test_the_replay_guard_remembers_a_request_for_as_long_as_a_skewed_clock_still_accepts_it():
    from bot.slack.payload import WINDOW_SECONDS, ReplayGuard

    now = [1000.0]
    guard = ReplayGuard(clock=lambda: now[0])
    assert guard.first_time("v0=abc")
    now[0] += WINDOW_SECONDS + 100  # Slack's clock ahead: the same request still passes the signature check
    assert not guard.first_time("v0=abc")
    now[0] += WINDOW_SECONDS + 100  # beyond any timestamp the check accepts: forgotten, memory freed
    assert guard.first_time("v0=def") and len(guard._seen) == 1
