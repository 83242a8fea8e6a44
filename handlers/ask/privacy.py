"""Questions are personal data: how long TED keeps them, and keeping them without who asked.

Retention. `purge_questions()` deletes questions asked, unanswered questions, feedback and conversation memory
older than `TED_QUESTION_RETENTION_DAYS`; `ted serve`'s scheduler runs it (bot/workers.py), as it runs the report
purge, and `ted reports purge` runs both.

Pseudonymisation (`TED_PSEUDONYMISE_QUESTIONS=1`). The user id and conversation id stored with a question, its
feedback and its conversation memory become a keyed hash (HMAC-SHA256) of the real id, so the tables, the admin
page and `ted feedback` no longer show who asked. A keyed hash rather than no id at all, because TED still has
to tell one person's feedback from another's (one 👍 per person per answer; only the person who gave feedback may
add its reason), keep each conversation's follow-ups apart, and find a person's questions for a subject access
request (`ted reports export` hashes their ids the same way). That is pseudonymisation, not anonymisation: with
the key, an id can be matched again, so the data stays personal data. Keep the key apart from the database
(`TED_PSEUDONYM_KEY`) so that a copy of the database alone does not re-identify anyone; without it TED makes a key
and keeps it in the database, which hides who asked from everyone who reads TED's tables and lists, but not from
someone holding the whole database file. Unanswered questions never store who asked, pseudonymised or not; a
fallback's row keeps only the id of the asked row it came from (which, like every question asked, carries the
asker's id as above), so that a press of its closest clauses counts only from the person who asked.

"Share in channel" (Slack's /ted) still works with pseudonymisation on: the presser's id is hashed the same way
and compared with the stored one (handlers/ask/chat.py).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
from datetime import UTC, datetime, timedelta

import sqlite_utils

from core.db import transaction

log = logging.getLogger("ted.privacy")

KEY_ROW = "question_pseudonym_key"  # nosec: the name of the kb_meta row, not a secret
KEYS_USED_ROW = "question_pseudonym_keys_used"  # fingerprints of every key that made a stored pseudonym
PREFIX = "p:"
# Each table that holds questions, and the column that says when the row was last written.
QUESTION_TABLES = (
    ("asked", "asked_at"),
    ("unanswered", "asked_at"),
    ("feedback", "given_at"),
    ("threads", "updated_at"),
)


class Pseudonyms:
    """Turns a platform id into what is stored: the id itself, or its keyed hash when pseudonymising."""

    def __init__(self, db: sqlite_utils.Database, enabled: bool = False, key: str = ""):
        self.db = db
        self.enabled = enabled
        self._key = key.encode() if key else b""

    def key(self) -> bytes:
        if not self._key:
            # Made on first use and kept in kb_meta; the connection autocommits, so the first writer wins.
            self.db.execute(
                "insert or ignore into kb_meta (key, value) values (?, ?)", [KEY_ROW, secrets.token_hex(32)]
            )
            (value,) = self.db.execute("select value from kb_meta where key = ?", [KEY_ROW]).fetchone()
            self._key = bytes.fromhex(value)
        return self._key

    def hashed(self, platform: str, value: str) -> str:
        """The keyed hash of one id on one platform (whether or not pseudonymising is on: the export needs it)."""
        if not value:
            return ""
        digest = hmac.new(self.key(), f"{platform}\x00{value}".encode(), hashlib.sha256).hexdigest()
        return PREFIX + digest[:32]

    def stored(self, platform: str, value: str) -> str:
        """What to write for this id: its keyed hash when pseudonymising, else the id."""
        if not self.enabled:
            return value
        self._note_key()
        return self.hashed(platform, value)

    def fingerprint(self) -> str:
        """Names the key without giving it away: its own hash."""
        return hashlib.sha256(b"ted-pseudonym-key\x00" + self.key()).hexdigest()[:16]

    def _note_key(self) -> None:
        """Every key ever used to pseudonymise is named in kb_meta, so an export run with another key (a shell
        without the server's TED_PSEUDONYM_KEY) can say so instead of silently finding nothing."""
        if getattr(self, "_noted", False):
            return
        mine = self.fingerprint()
        row = self.db.execute("select value from kb_meta where key = ?", [KEYS_USED_ROW]).fetchone()
        used = set((row[0] if row else "").split(",")) - {""}
        if mine not in used:
            self.db["kb_meta"].upsert({"key": KEYS_USED_ROW, "value": ",".join(sorted(used | {mine}))}, pk="key")
        self._noted = True

    def can_find_all(self) -> bool:
        """Whether this key is one that made the pseudonyms stored (none stored: trivially). A shell without the
        server's TED_PSEUDONYM_KEY has another key, which made none."""
        row = self.db.execute("select value from kb_meta where key = ?", [KEYS_USED_ROW]).fetchone()
        used = set((row[0] if row else "").split(",")) - {""}
        return not used or self.fingerprint() in used

    def every_form(self, platform: str, value: str) -> list[str]:
        """Every way this id may be stored (rows from before the setting changed keep their form until purged)."""
        return [v for v in (value, self.hashed(platform, value)) if v]


# A chat or a person named in a log line ("channel=%s", "conversation=%s", "user=%s"): with pseudonymising on, the
# logs name them by the pseudonym the database stores, so a log line never ties an asked or unanswered id to a DM.
_LOGGED = re.compile(r"(?:\b(\w+)=)?%[-#0 +]*\d*(?:\.\d+)?[sdrifx]")
_LOGGED_IDS = {"channel", "conversation", "user", "bot_user", "team"}
_CHANNEL_LOGGERS = ("ted.slack", "ted.teams", "ted.web")


class PseudonymousLogs(logging.Filter):
    """Rewrites the chat and person ids in TED's log records to their pseudonyms (TED_PSEUDONYMISE_QUESTIONS=1).
    The key is read once, on the thread that installs it: a record may be logged from any thread."""

    def __init__(self, pseudonyms: Pseudonyms) -> None:
        super().__init__()
        pseudonyms.key()
        self.ids = pseudonyms

    def filter(self, record: logging.LogRecord) -> bool:
        # The channels' loggers name chats and people; elsewhere "channel=" is a platform's name ("slack").
        if not record.name.startswith(_CHANNEL_LOGGERS) or not isinstance(record.msg, str):
            return True
        if not isinstance(record.args, tuple):
            return True
        platform = (
            "teams"
            if record.name.startswith("ted.teams")
            else "slack"
            if record.name.startswith("ted.slack")
            else "web"
        )
        keys = [m.group(1) for m in _LOGGED.finditer(record.msg.replace("%%", ""))]
        if len(keys) != len(record.args) or not _LOGGED_IDS & set(keys):
            return True
        record.args = tuple(
            self.ids.hashed(platform, str(a)) if k in _LOGGED_IDS and a else a
            for k, a in zip(keys, record.args, strict=True)
        )
        return True


def pseudonymise_logs(pseudonyms: Pseudonyms) -> None:
    """Every handler of the process's logs names chats and people by their pseudonyms from now on."""
    keep = PseudonymousLogs(pseudonyms)
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, PseudonymousLogs) for f in handler.filters):
            handler.addFilter(keep)


DELIVERY_DAYS = 1
EVENT_IDS = ("slack", "teams", "slack-share", "slack-view")  # `deliveries` rows that only stop a retry acting twice


def _iso(dt: datetime) -> str:
    return dt.astimezone(UTC).isoformat(timespec="seconds")  # the form core.db.utcnow() writes


def _purge_copies(db: sqlite_utils.Database, cutoff: str) -> None:
    """Where the words of purged questions and 👎 reasons were copied: the triage marks that pointed at them (an
    id SQLite may hand out again would inherit them), the link from a taught phrasing to the question it came
    from, and the weekly digest's text (in the outbox and in people's web inboxes). A phrasing the communications
    team taught stays: they made it part of the knowledge base, to keep until they forget it (then its words go
    with the rest, `_purge_curation`)."""
    for kind, table in (("unanswered", "unanswered"), ("feedback", "feedback")):
        db.execute(f"delete from kb_triage where kind = ? and item_id not in (select id from {table})", [kind])
        db.execute(
            f"update taught set source_id = null where source = ? and source_id is not null "
            f"and source_id not in (select id from {table})",
            [kind],
        )
    # An unanswered question's link to the asked row it came from, once that row is gone (its id could be reused).
    db.execute(
        "update unanswered set asked_id = null where asked_id is not null and asked_id not in (select id from asked)"
    )
    db.execute(
        "update outbox set params = '{}' where report_id is null and template in ('kb_digest', 'kb_review') "
        "and created_at < ? and status != 'pending'",
        [cutoff],
    )
    # The digest's and review reminders' copies in web inboxes are posted with report id 0 (no report), or null.
    db.execute("delete from web_messages where (report_id is null or report_id = 0) and created_at < ?", [cutoff])
    _purge_curation(db, cutoff)


REMOVED = "[removed under the retention policy]"


def _purge_curation(db: sqlite_utils.Database, cutoff: str) -> None:
    """What the communications team settled keeps its words only while they mean something: a phrasing they
    taught is part of the knowledge base until they forget it, but once forgotten (or a question dismissed) past
    the retention period, the question's words go from the taught list and the audit log. Who did what, and when,
    stays."""
    from knowledge import audit

    db.execute(
        "update taught set question = ? where status = 'forgotten' and ended_at < ? and question != ?",
        [REMOVED, cutoff, REMOVED],
    )
    db.execute(
        "update kb_audit set before = json_set(before, '$.question', ?) where action in (?, ?) and at < ? "
        "and before != '' and json_extract(before, '$.question') is not null "
        "and json_extract(before, '$.question') != ?",
        [REMOVED, audit.DISMISS, audit.FORGET, cutoff, REMOVED],
    )
    db.execute(
        "update kb_audit set after = json_set(after, '$.question', ?) where action in (?, ?) and at < ? "
        "and after != '' and json_extract(after, '$.question') is not null "
        "and json_extract(after, '$.question') != ? "
        "and cast(substr(target, 8) as integer) in (select id from taught where status = 'forgotten' and ended_at < ?)",
        [REMOVED, audit.TEACH, audit.NOT_COVERED, cutoff, REMOVED, cutoff],
    )


def purge_questions(
    db: sqlite_utils.Database, days: int, now: datetime | None = None, dry_run: bool = False
) -> dict[str, int]:
    """Delete questions, unanswered questions, feedback and conversation memory last written more than `days`
    ago. Returns how many rows each table lost (or would lose, with `dry_run`)."""
    cutoff = _iso((now or datetime.now(UTC)) - timedelta(days=days))
    counts = {}
    with transaction(db):
        for table, column in QUESTION_TABLES:
            where = f"{column} < ?"  # table and column names are the constants above, never input
            if dry_run:
                (counts[table],) = db.execute(f"select count(*) from {table} where {where}", [cutoff]).fetchone()
            else:
                counts[table] = db.execute(f"delete from {table} where {where}", [cutoff]).rowcount
        if not dry_run:
            _purge_copies(db, cutoff)
    if not dry_run:
        # Platform event ids are kept to answer each event once; retries come within minutes, so a day is plenty.
        # Teams card nonces stay: a card's button must never act twice, however late it is pressed again.
        day_ago = _iso((now or datetime.now(UTC)) - timedelta(days=DELIVERY_DAYS))
        db.execute(
            f"delete from deliveries where platform in ({','.join('?' * len(EVENT_IDS))}) and seen_at < ?",
            [*EVENT_IDS, day_ago],
        )
    if not dry_run and any(counts.values()):
        # What was deleted must not linger in the write-ahead log either (secure_delete zeroes the pages). Only
        # when something was: the scheduler runs this every minute, and a checkpoint waits on readers and writers.
        db.execute("pragma wal_checkpoint(PASSIVE)")
    if not dry_run and any(counts.values()):
        log.info("questions past retention deleted days=%s %s", days, " ".join(f"{t}={n}" for t, n in counts.items()))
    return counts
