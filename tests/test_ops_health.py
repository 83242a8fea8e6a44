"""`GET /healthz` asks the database and looks at the outbox: 200 {"ok": true, …} when TED can do its job,
503 {"ok": false, "why": "…"} when the database does not answer or notifications are piling up."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from handlers.reports import outbox
from tests.fakes.web_world import web_test


def queue(w, n: int, age: timedelta) -> None:
    """n notifications queued `age` ago, not due again for a day (so the worker leaves them alone)."""
    now = datetime.now(UTC)
    for i in range(n):
        w.ted.db["outbox"].insert(
            {
                "created_at": outbox.iso(now - age),
                "report_id": 0,
                "kind": outbox.DM,
                "recipient": "x@tendring.example",
                "template": "new_report",
                "params": "{}",
                "status": "pending",
                "attempts": 3,
                "dedupe_key": f"health-{age}-{i}",
                "next_attempt_at": outbox.iso(now + timedelta(days=1)),
            }
        )


@web_test(db_file=True)
async def test_healthz_is_ok_when_the_database_answers_and_nothing_is_waiting(w):
    status, body = await (await w.browser()).get("/healthz")
    assert status == 200
    assert body == {"ok": True, "database": "ok", "outbox": {"queued": 0, "oldest_minutes": 0.0}}


@web_test(health_outbox_minutes=15)
async def test_healthz_is_not_ok_when_a_notification_has_waited_too_long(w):
    b = await w.browser()
    queue(w, 1, timedelta(minutes=5))
    status, body = await b.get("/healthz")
    assert status == 200 and body["outbox"]["queued"] == 1 and body["outbox"]["oldest_minutes"] >= 5
    queue(w, 1, timedelta(minutes=40))
    status, body = await b.get("/healthz")
    assert status == 503 and body["ok"] is False
    assert "waited 40 minutes" in body["why"] and "more than 15" in body["why"]


@web_test(health_outbox_max=3)
async def test_healthz_is_not_ok_when_too_many_notifications_are_waiting(w):
    queue(w, 4, timedelta(0))
    status, body = await (await w.browser()).get("/healthz")
    assert status == 503 and body["why"].startswith("4 notifications are waiting") and "more than 3" in body["why"]


@web_test(db_file=True)
async def test_healthz_is_not_ok_when_the_database_does_not_answer(w):
    b = await w.browser()
    w.ted.db.execute("DROP TABLE outbox")
    status, body = await b.get("/healthz")
    assert status == 503 and body["ok"] is False and body["why"].startswith("the database did not answer")


@web_test(db_file=True)
async def test_healthz_is_not_ok_when_pages_of_the_database_file_are_damaged(w):
    from bot import health

    b = await w.browser()
    assert (await b.get("/healthz"))[0] == 200
    path = w.ted.db.execute("pragma database_list").fetchone()[2]
    w.ted.db.execute("pragma wal_checkpoint(TRUNCATE)")
    with open(path, "r+b") as f:  # a disk fault: garbage over every page after the first
        size = f.seek(0, 2)
        f.seek(4096)
        f.write(bytes(range(256)) * ((size - 4096) // 256 + 1))
    health._integrity.clear()  # the next probe runs quick_check now rather than within the minute
    status, body = await b.get("/healthz")
    assert status == 503 and body["database"] == "failing", body


@web_test(db_file=True)
async def test_healthz_is_not_ok_for_a_while_after_a_write_was_refused(w):
    import sqlite3

    from core import db as dbmod

    b = await w.browser()
    full = sqlite3.OperationalError("database or disk is full")
    full.sqlite_errorname = "SQLITE_FULL"
    dbmod.note_refused_write(w.ted.db, full)  # as a report that could not be saved notes it
    try:
        status, body = await b.get("/healthz")
        assert status == 503 and "write was refused" in body["why"] and "SQLITE_FULL" in body["why"]
        busy = sqlite3.OperationalError("database is locked")
        dbmod._refused.clear()
        dbmod.note_refused_write(w.ted.db, busy)  # another writer, not a fault: not noted
        assert (await b.get("/healthz"))[0] == 200
    finally:
        dbmod._refused.clear()
