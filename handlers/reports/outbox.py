"""The durable outbox: every notification about a report is a row written in the same
transaction as the change it announces, delivered later by a worker, retried with back-off.

States: pending -> sending -> sent, or back to pending to be retried, or failed when it is given up. Every
change of state is in this module. A worker that dies mid-send leaves a row in `sending`;
on restart `recover()` puts those back to pending (see README: a crash in the middle of the
platform's HTTP call is the one window in which a message can be sent twice).
"""

from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta

import sqlite_utils

from core.db import transaction

log = logging.getLogger("ted.outbox")
MAX_BACKOFF = timedelta(minutes=15)

# kinds. A NOTICE is about no report (a policy's review is due, the weekly digest, handlers/curation): its words
# are in its params ({"text": …}), its recipient a person's email or the communications channel.
DM, CHANNEL, UPDATE, NOTICE = "dm", "channel", "update", "notice"
REPORTER = "reporter"  # recipient meaning "whoever filed the report, where they filed it"


def iso(dt: datetime) -> str:
    return dt.isoformat(timespec="seconds")


def enqueue(
    db: sqlite_utils.Database,
    now: datetime,
    report_id: int | None,
    kind: str,
    template: str,
    recipient: str = "",
    target: str = "",
    params: dict | None = None,
    dedupe_key: str = "",
) -> bool:
    """Add a notification. Must be called inside the transaction that made the change. False if a
    notification with the same dedupe key already exists."""
    key = dedupe_key or f"{report_id}:{kind}:{template}:{recipient}:{target}:{iso(now)}"
    cur = db.execute(
        "insert or ignore into outbox (created_at, report_id, kind, recipient, target, template, params, "
        "status, attempts, next_attempt_at, dedupe_key) values (?, ?, ?, ?, ?, ?, ?, 'pending', 0, ?, ?)",
        [iso(now), report_id, kind, recipient, target, template, json.dumps(params or {}), iso(now), key],
    )
    return cur.rowcount == 1


def recover(db: sqlite_utils.Database) -> int:
    """After a crash: rows left mid-send go back to pending."""
    return db.execute("update outbox set status = 'pending' where status = 'sending'").rowcount


STALE_CLAIM = timedelta(minutes=10)


def claim_due(db: sqlite_utils.Database, now: datetime, limit: int = 20) -> list[dict]:
    with transaction(db):
        # A row claimed long ago and never finished (a worker that died, or hit a database error between
        # sending and marking) goes back in the queue.
        db.execute(
            "update outbox set status = 'pending' where status = 'sending' and claimed_at <= ?",
            [iso(now - STALE_CLAIM)],
        )
        rows = list(
            db.query(
                "select * from outbox where status = 'pending' and next_attempt_at <= ? order by id limit ?",
                [iso(now), limit],
            )
        )
        for r in rows:
            db.execute("update outbox set status = 'sending', claimed_at = ? where id = ?", [iso(now), r["id"]])
    return rows


def mark_sent(db: sqlite_utils.Database, row: dict, now: datetime) -> None:
    db.execute("update outbox set status = 'sent', sent_at = ?, last_error = '' where id = ?", [iso(now), row["id"]])


def record_message(
    db: sqlite_utils.Database, row: dict, now: datetime, platform: str, channel: str, message_id: str
) -> None:
    """Remember a message posted for an outbox row, so it can be updated in place later and is
    not posted again if another platform's part of the same row has to be retried."""
    db["report_messages"].insert(
        {
            "report_id": row["report_id"],
            "email": row["recipient"],
            "platform": platform,
            "channel": channel,
            "message_id": message_id,
            "posted_at": iso(now),
            "outbox_id": row["id"],
        }
    )


def posted_message(db: sqlite_utils.Database, row: dict) -> dict | None:
    """The message an update row is for (its target, a report_messages id), or None when it is gone (a purge
    forgets the web inbox's and the reporter's copies)."""
    try:
        return db["report_messages"].get(int(row["target"]))
    except Exception as exc:
        log.info(
            "outbox id=%s: message %.20s to update not found error=%s", row["id"], row["target"], type(exc).__name__
        )
        return None


def delivered_platforms(db: sqlite_utils.Database, outbox_id: int) -> set[str]:
    return {r[0] for r in db.execute("select platform from report_messages where outbox_id = ?", [outbox_id])}


def mark_failed(db: sqlite_utils.Database, row: dict, now: datetime, error: str, retry_after: float = 0) -> None:
    attempts = row["attempts"] + 1
    delay = max(timedelta(seconds=min(2**attempts, MAX_BACKOFF.total_seconds())), timedelta(seconds=retry_after))
    db.execute(
        "update outbox set status = 'pending', attempts = ?, next_attempt_at = ?, last_error = ? where id = ?",
        [attempts, iso(now + delay), error[:300], row["id"]],
    )


def mark_given_up(db: sqlite_utils.Database, row: dict, error: str) -> None:
    """No more tries: the row stays `failed` (the report is flagged by the caller)."""
    db.execute(
        "update outbox set status = 'failed', attempts = attempts + 1, last_error = ? where id = ?",
        [error[:300], row["id"]],
    )


def pending_count(db: sqlite_utils.Database) -> int:
    return db.execute("select count(*) from outbox where status not in ('sent', 'failed')").fetchone()[0]


def failed_count(db: sqlite_utils.Database) -> int:
    return db.execute("select count(*) from outbox where status = 'failed'").fetchone()[0]


def backlog(db: sqlite_utils.Database) -> tuple[int, str]:
    """Notifications not yet sent nor given up: how many, and when the oldest was queued ("" when none)."""
    n, oldest = db.execute(
        "select count(*), min(created_at) from outbox where status in ('pending', 'sending')"
    ).fetchone()
    return n, oldest or ""
