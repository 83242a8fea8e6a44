"""Review reminders and the weekly digest: outbox notices on a fake clock, delivered through the Sender interface,
and run by the scheduler in `ted serve`."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app import build
from bot.web.sender import WebSender
from bot.workers import background_workers
from core.settings import Settings
from handlers.curation import reminders
from handlers.directory import parse_csv
from handlers.reports import outbox
from handlers.reports.inbox import WebInbox
from knowledge import lifecycle

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = (ROOT / "sample" / "directory.csv").read_text("utf-8")
CASEY, ALEX = "casey.comms@tendring.example", "alex.lifeguard@tendring.example"
DOC = "tdc-social-media-policy"
MONDAY_9 = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)  # Europe/London is on GMT in November


class Clock:
    def __init__(self, when: datetime):
        self.now = when

    def __call__(self) -> datetime:
        return self.now


class FakeChat:
    """A chat platform that keeps what it was asked to send."""

    platform, inbox = "slack", False

    def __init__(self):
        self.sent, self.channel_posts = [], []

    def reaches(self, person):
        return bool(person.slack_user_id)

    async def dm(self, person, reply, notice=None):
        self.sent.append((person.email, reply))
        return "D1", f"ts{len(self.sent)}"

    async def dm_user(self, user_id, reply, notice=None):
        raise AssertionError("notices go to people in the directory")

    async def channel(self, reply):
        self.channel_posts.append(reply)
        return "C0COMMS", f"c{len(self.channel_posts)}"

    async def update(self, channel, message_id, reply):
        raise AssertionError("notices are never updated")


def world(when: datetime = MONDAY_9 + timedelta(days=2), **settings):
    clock = Clock(when)
    ted = build(Settings(**settings), ":memory:", clock=clock)
    ted.directory.import_rows(parse_csv(SAMPLE))
    chat = FakeChat()
    ted.outbox.senders[:] = [WebSender(WebInbox(ted.db)), chat]
    return ted, clock, chat


def notices(ted) -> list[dict]:
    return list(ted.db.query("select * from outbox where kind = 'notice' order by id"))


def test_on_its_review_date_the_owner_hears_once_and_the_comms_manager_stands_in(tmp_path):
    ted, clock, chat = world(datetime(2027, 3, 30, 8, 0, tzinfo=UTC))
    lifecycle.edit_details(ted.db, DOC, {"next_review": "2027-03-31"}, "casey")
    assert reminders.review_reminders(ted.db, ted.directory, ted.settings, clock()) == 0  # not yet
    clock.now += timedelta(days=1)
    assert reminders.review_reminders(ted.db, ted.directory, ted.settings, clock()) == 1
    assert reminders.review_reminders(ted.db, ted.directory, ted.settings, clock()) == 0  # once
    (row,) = notices(ted)
    assert row["recipient"] == CASEY  # "Communications Manager" is nobody in the directory
    assert asyncio.run(ted.outbox.run_once(clock())) == 1
    ((email, reply),) = chat.sent
    assert email == CASEY and "Social Media Policy, Web edition is due for review on 2027-03-31" in reply.text
    assert "/admin/knowledge" in reply.text
    (inbox,) = WebInbox(ted.db).for_person(CASEY)
    assert "due for review" in inbox["reply"]["text"]

    lifecycle.edit_details(ted.db, DOC, {"owner": ALEX, "next_review": "2027-03-31"}, "casey")
    clock.now += timedelta(days=1)
    assert reminders.review_reminders(ted.db, ted.directory, ted.settings, clock()) == 1
    assert notices(ted)[-1]["recipient"] == ALEX
    lifecycle.edit_details(ted.db, DOC, {"owner": "Alex Reed", "next_review": "2027-04-01"}, "casey")
    assert reminders.review_reminders(ted.db, ted.directory, ted.settings, clock()) == 1
    assert notices(ted)[-1]["recipient"] == ALEX  # by name too


def seed_week(ted, at: datetime) -> None:
    stamp = at.isoformat(timespec="seconds")
    for q in ("who won the pub quiz?", "Who won the pub quiz?", "where do I park my bike?"):
        ted.db["unanswered"].insert(
            {
                "asked_at": stamp,
                "channel": "web",
                "question": q,
                "best_doc": DOC,
                "best_clause": "5.7",
                "confidence": 0.1,
            }
        )
    ted.db["feedback"].insert(
        {
            "given_at": stamp,
            "channel": "web",
            "user_id": ALEX,
            "question": "can I tweet?",
            "doc_id": DOC,
            "clause": "5.6",
            "helpful": 0,
            "reason": "It was about logos",
        }
    )
    for clause in ("5.13", "5.13", "5.6"):
        ted.db["asked"].insert(
            {
                "asked_at": stamp,
                "platform": "web",
                "user_id": ALEX,
                "question": "q",
                "intent": "policy",
                "doc_id": DOC,
                "clause": clause,
                "confidence": 0.9,
            }
        )


def test_the_weekly_digest_goes_to_each_owner_and_the_channel_once_at_its_time():
    ted, clock, chat = world(MONDAY_9 - timedelta(minutes=1))
    reminders.weekly_digest(ted.db, ted.directory, ted.settings, clock())  # the digest of the week before
    ted.db.execute("delete from outbox")
    seed_week(ted, MONDAY_9 - timedelta(days=3))
    assert reminders.weekly_digest(ted.db, ted.directory, ted.settings, clock()) == 0  # 08:59: not yet
    clock.now = MONDAY_9 + timedelta(minutes=1)
    assert reminders.weekly_digest(ted.db, ted.directory, ted.settings, clock()) == 2
    assert reminders.weekly_digest(ted.db, ted.directory, ted.settings, clock()) == 0  # once
    assert {r["recipient"] for r in notices(ted)} == {"comms_channel", CASEY}
    assert asyncio.run(ted.outbox.run_once(clock())) == 2
    (post,) = chat.channel_posts
    ((email, mine),) = chat.sent
    assert email == CASEY and mine.text == post.text  # Casey (standing in for the owner) owns the one document
    text = post.text
    assert text.startswith("TED's week: what staff asked, 2026-11-23 to 2026-11-30")
    assert "“Who won the pub quiz?” (asked 2 times)" in text and "where do I park my bike?" in text
    assert "5.6: “can I tweet?” — “It was about logos”" in text
    assert text.index("• 5.13") < text.index("• 5.6 ") and "(2)" in text
    assert "/admin/knowledge" in text

    clock.now += timedelta(days=7)  # the next week: nothing was asked, so nobody is bothered
    assert reminders.weekly_digest(ted.db, ted.directory, ted.settings, clock()) == 0


def test_a_digest_missed_while_ted_was_down_is_sent_once_when_it_comes_back():
    ted, clock, _ = world(MONDAY_9 - timedelta(days=7), digest_day="fri", digest_time="16:30")
    reminders.weekly_digest(ted.db, ted.directory, ted.settings, clock())
    seed_week(ted, MONDAY_9 - timedelta(days=5))
    clock.now = MONDAY_9  # Friday 16:30 passed while TED was down
    assert reminders.weekly_digest(ted.db, ted.directory, ted.settings, clock()) == 2
    assert "2026-11-20 to 2026-11-27" in notices(ted)[-1]["params"]
    assert reminders.weekly_digest(ted.db, ted.directory, ted.settings, clock() + timedelta(hours=3)) == 0
    off, clock2, _ = world(MONDAY_9, digest_day="off")
    seed_week(off, MONDAY_9 - timedelta(days=2))
    assert reminders.weekly_digest(off.db, off.directory, off.settings, clock2()) == 0


def test_the_scheduler_in_ted_serve_sends_reminders():
    ted, clock, chat = world(
        datetime(2027, 3, 31, 10, 0, tzinfo=UTC), scheduler_interval_seconds=0.01, outbox_interval_seconds=0.01
    )
    lifecycle.edit_details(ted.db, DOC, {"next_review": "2027-03-31"}, "casey")

    async def serve_briefly():
        ctx = background_workers(ted)(None)
        await ctx.__anext__()
        for _ in range(200):
            if chat.sent:
                break
            await asyncio.sleep(0.01)
        with pytest.raises(StopAsyncIteration):
            await ctx.__anext__()

    asyncio.run(serve_briefly())
    ((email, reply),) = chat.sent
    assert email == CASEY and "due for review" in reply.text
    assert ted.db.execute("select status from outbox where kind = ?", [outbox.NOTICE]).fetchone()[0] == "sent"


@pytest.mark.parametrize(
    "env, error", [({"TED_DIGEST_DAY": "someday"}, "TED_DIGEST_DAY"), ({"TED_DIGEST_TIME": "9am"}, "TED_DIGEST_TIME")]
)
def test_digest_settings_are_checked_at_start(env, error):
    with pytest.raises(ValueError, match=error):
        Settings.from_env(env).check()
    assert Settings.from_env({"TED_DIGEST_DAY": "Friday", "TED_DIGEST_TIME": "16:30"}).check().digest_day == "fri"


def test_an_owner_who_cant_open_admin_is_told_who_publishes_and_the_digest_skips_what_was_dealt_with():
    from handlers.curation import queue

    ted, clock, _ = world(datetime(2027, 3, 31, 8, 0, tzinfo=UTC))
    harper = "harper.hr@tendring.example"  # HR: no curation role
    lifecycle.edit_details(ted.db, DOC, {"owner": harper, "next_review": "2027-03-31"}, "casey")
    assert reminders.review_reminders(ted.db, ted.directory, ted.settings, clock()) == 1
    text = notices(ted)[-1]["params"]
    assert "send the new version" in text and "Communications Manager" in text and "/admin/knowledge" not in text

    ted, clock, _ = world(MONDAY_9 - timedelta(minutes=1))
    reminders.weekly_digest(ted.db, ted.directory, ted.settings, clock())
    seed_week(ted, MONDAY_9 - timedelta(days=3))
    bike = next(r for r in ted.db["unanswered"].rows if r["question"] == "where do I park my bike?")
    queue.dismiss(ted.db, "unanswered", bike["id"], CASEY)  # dealt with before the digest went out
    clock.now = MONDAY_9 + timedelta(minutes=1)
    reminders.weekly_digest(ted.db, ted.directory, ted.settings, clock())
    digest = notices(ted)[-1]["params"]
    assert "pub quiz" in digest and "park my bike" not in digest
