"""`GET /healthz`: is TED able to do its job? For the load balancer and whoever watches TED.

It asks the database one cheap question (how many notifications are waiting, and since when), which proves the
file can be read; once a minute it also runs SQLite's quick_check, so a damaged page anywhere says "failing". It
says the outbox is behind when more than TED_HEALTH_OUTBOX_MAX notifications wait or one has waited longer than
TED_HEALTH_OUTBOX_MINUTES (Slack or Teams unreachable, the worker stuck). `200 {"ok": true, …}` or
`503 {"ok": false, "why": "…"}`; never a report's contents.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from datetime import datetime

from aiohttp import web

from core.db import refused_write
from handlers.reports import outbox

log = logging.getLogger("ted.health")


INTEGRITY_EVERY_SECONDS = 60.0  # SQLite's quick_check reads every page: once a minute at most, not per probe
# A cache of this process's last quick_check per database file (a probe's cost, not TED's state).
_integrity: dict[str, tuple[float, str]] = {}  # database file -> (when checked, "" or what is wrong)


def damage(db) -> str:
    """ "" when SQLite's quick_check finds the file sound (checked at most once a minute), else what it found."""
    now = time.monotonic()
    key = str(db.execute("pragma database_list").fetchone()[2] or id(db))
    when, found = _integrity.get(key, (-INTEGRITY_EVERY_SECONDS, ""))
    if now - when >= INTEGRITY_EVERY_SECONDS:
        rows = db.execute("pragma quick_check(1)").fetchall()
        found = "" if rows and rows[0][0] == "ok" else str(rows[0][0] if rows else "no answer")[:200]
        _integrity[key] = (now, found)
    return found


def check(ted) -> tuple[bool, dict]:
    s = ted.settings
    try:
        queued, oldest = outbox.backlog(ted.db)
        found = damage(ted.db)
        if found:
            raise sqlite3.DatabaseError(f"quick_check: {found}")
        if refused := refused_write(ted.db):  # reading works; writing, lately, did not (a full disk, say)
            raise sqlite3.OperationalError(f"a write was refused in the last few minutes ({refused})")
    except sqlite3.Error as exc:
        log.warning("health: the database did not answer error=%s", type(exc).__name__)
        return False, {
            "ok": False,
            "why": f"the database did not answer ({type(exc).__name__}: {exc})",
            "database": "failing",
        }
    now = ted.reports.clock()
    waited = (now - datetime.fromisoformat(oldest)).total_seconds() / 60 if oldest else 0.0
    body = {"database": "ok", "outbox": {"queued": queued, "oldest_minutes": round(max(waited, 0.0), 1)}}
    why = ""
    if queued > s.health_outbox_max:
        why = (
            f"{queued} notifications are waiting to be sent (more than {s.health_outbox_max}): check that "
            "Slack and Teams are reachable and the log for outbox errors"
        )
    elif waited > s.health_outbox_minutes:
        why = (
            f"a notification has waited {waited:.0f} minutes to be sent (more than "
            f"{s.health_outbox_minutes:g}): check that Slack and Teams are reachable and the log for outbox errors"
        )
    if why:
        return False, {"ok": False, "why": why, **body}
    return True, {"ok": True, **body}


def health_route(ted):
    async def health(_: web.Request) -> web.Response:
        ok, body = check(ted)
        return web.json_response(body, status=200 if ok else 503, headers={"Cache-Control": "no-store"})

    return health
