"""Storage failing while TED serves: a reporter whose report could not be saved is told so, plainly, with another
way to reach the people it was for; plain questions are still answered. The full disk is SQLite's own error,
raised by a trigger on a real database file (no patching)."""

from __future__ import annotations

from handlers import messages
from tests.fakes.web_world import ALEX, web_test
from tests.fakes.world import SUPPLIER

DISK_FULL = (
    "CREATE TRIGGER disk_full BEFORE INSERT ON reports BEGIN SELECT RAISE(FAIL, 'database or disk is full'); END"
)


@web_test(db_file=True)
async def test_a_report_that_cannot_be_saved_says_so_and_gives_another_route(w):
    alex = await w.browser(ALEX)
    w.ted.db.execute(DISK_FULL)
    status, body = await w.file_report(as_=alex)
    assert status == 200, body
    (reply,) = body["replies"]
    text = reply["text"]
    assert "NOT been sent" in text and "couldn't save your report" in text
    assert "your line manager (Sam Okafor)" in text and "the Communications Manager (Casey Morgan" in text
    assert "999" in text
    assert messages.WEB_ERROR not in text and "something went wrong" not in text.lower()
    assert not reply["meta"].get("report_ref")
    assert w.ted.db["reports"].count == 0 and w.ted.db["outbox"].count == 0  # nothing half-stored
    assert w.ted.db.execute("select count(*) from report_counters").fetchone()[0] == 0

    answer = (await w.ask(SUPPLIER, as_=alex))[0]  # questions carry on
    assert answer["intent"] == "policy" and answer["citations"][0]["clause"] == "5.13"

    w.ted.db.execute("DROP TRIGGER disk_full")  # space again: the same report goes through
    status, body = await w.file_report(as_=alex)
    assert body["replies"][0]["meta"]["report_ref"].startswith("TED-")


@web_test(db_file=True, workers=0)
async def test_a_database_at_its_size_limit_is_a_real_disk_full_for_the_reporter(w):
    """SQLite's own SQLITE_FULL: the database may not grow by a page (PRAGMA max_page_count), and a report with
    a long description needs new pages. max_page_count holds for the connection that sets it, so the report is
    filed on that one (no worker threads, each with a connection of its own)."""
    alex = await w.browser(ALEX)
    pages = w.ted.db.execute("PRAGMA page_count").fetchone()[0]
    assert w.ted.db.execute(f"PRAGMA max_page_count = {pages}").fetchone()[0] == pages
    links = "\n".join(f"https://facebook.com/tdc/posts/{i}?{'x' * 900}" for i in range(4))
    status, body = await w.file_report(as_=alex, description="Abusive replies under the beach post. " * 75, links=links)
    assert status == 200, body
    text = body["replies"][0]["text"]
    assert "NOT been sent" in text and "your line manager (Sam Okafor)" in text and "999" in text
    assert w.ted.db["reports"].count == 0
    answer = (await w.ask(SUPPLIER, as_=alex))[0]
    assert answer["intent"] == "policy" and answer["citations"][0]["clause"] == "5.13"


@web_test(db_file=True)
async def test_any_other_change_that_cannot_be_saved_says_nothing_was_changed(w):
    alex = await w.browser(ALEX)
    (answer,) = await w.ask(SUPPLIER, as_=alex)
    w.ted.db.execute(
        "CREATE TRIGGER disk_full BEFORE INSERT ON feedback BEGIN SELECT RAISE(FAIL, 'database or disk is full'); END"
    )
    up = next(b for b in answer["buttons"] if b["label"].startswith("👍"))
    status, body = await w.press(up["action_id"], up["value"], as_=alex)
    assert status == 503 and body["error"] == messages.WEB_STORAGE
    assert w.ted.db["feedback"].count == 0


@web_test(db_file=True)
async def test_plain_questions_are_still_answered_when_nothing_can_be_written(w):
    alex = await w.browser(ALEX)
    for table in ("asked", "unanswered", "threads"):
        w.ted.db.execute(
            f"CREATE TRIGGER full_{table} BEFORE INSERT ON {table} "
            "BEGIN SELECT RAISE(FAIL, 'database or disk is full'); END"
        )
    (answer,) = await w.ask(SUPPLIER, as_=alex)
    assert answer["intent"] == "policy" and answer["citations"][0]["clause"] == "5.13"
    (other,) = await w.ask("what time does the Clacton library open on Saturdays?", as_=alex)
    assert other["intent"] == "fallback"
    assert w.ted.db["asked"].count == 0 and w.ted.db["unanswered"].count == 0
