"""Outcome deadlines: the date a reporter is told to expect an outcome by (`TED_RESOLVE_DAYS` working days from
filing), a reminder to the handlers when that day opens, and when it passes: the handlers and the
Communications team reminded, the reporter told. Snoozed reminders wait until the snooze ends and working time
begins; the reporter is told on time whatever the snooze. Run by the scheduler (handlers/reports/escalation.tick),
idempotent.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime

from core.db import transaction
from handlers.reports import outbox
from handlers.reports.intake import COMMS_CHANNEL, ReportService

log = logging.getLogger("ted.escalation")


def _handlers(service: ReportService, report: dict) -> list[str]:
    never = service.excluded(report) | {report["reporter_email"]}
    return [r["email"] for r in service.recipients(report["id"]) if r["email"] not in never]


def fill_missing(service: ReportService) -> int:
    """Give an outcome deadline to every open report filed before TED set them (a database from a release before
    reports v2): counted from when it was filed, as a report filed today is. Returns how many it gave one."""
    db = service.db
    rows = list(
        db.query(
            "select id, created_at, category from reports where status != 'resolved' and purged_at is null "
            "and (resolve_due_at is null or resolve_due_at = '')"
        )
    )
    with transaction(db):
        for r in rows:
            due = service.resolve_due(datetime.fromisoformat(r["created_at"]), r["category"])
            # The reporter was never given this date, so they are never told it passed ("the date I gave you"):
            # marked as told. The handlers' reminders and the overdue notice to the communications team go as usual.
            db["reports"].update(r["id"], {"resolve_due_at": outbox.iso(due), "reporter_overdue_at": outbox.iso(due)})
    if rows:
        log.info("outcome deadlines set for %s reports filed before they were kept", len(rows))
    return len(rows)


def tick(service: ReportService, now: datetime) -> list[str]:
    """Send the outcome reminders and notices that are due. Returns the refs of reports now overdue."""
    db = service.db
    stamp = outbox.iso(now)
    fill_missing(service)
    rows = list(
        db.query(
            "select * from reports where status != 'resolved' and resolve_due_at is not null "
            "and resolve_due_at != '' and purged_at is null order by id"
        )
    )
    overdue = []
    for r in rows:
        due = datetime.fromisoformat(r["resolve_due_at"])
        # A snooze ends at midnight after its last day; what it held back waits for working time (a Monday
        # 09:00, not the stroke of Saturday), like any reminder TED sends on time.
        snoozed = bool(r["snoozed_until"]) and now < service.hours.add(datetime.fromisoformat(r["snoozed_until"]), 0)
        rid = r["id"]
        with transaction(db):
            if not r["resolve_reminded_at"] and service.hours.opening(due) <= now < due and not snoozed:
                for email in _handlers(service, r):
                    outbox.enqueue(
                        db, now, rid, outbox.DM, "outcome_due", recipient=email, dedupe_key=f"{rid}:outcome_due:{email}"
                    )
                db["reports"].update(rid, {"resolve_reminded_at": stamp})
                service.audit(rid, "ted", "outcome_reminder", "the outcome is due today")
            if now < due:
                continue
            if not r["reporter_overdue_at"]:
                db["reports"].update(rid, {"reporter_overdue_at": stamp})
                if outbox.enqueue(
                    db,
                    now,
                    rid,
                    outbox.DM,
                    "reporter_overdue",
                    recipient=outbox.REPORTER,
                    dedupe_key=f"{rid}:reporter_overdue",
                ):
                    service.audit(rid, "ted", "told_reporter", "reporter_overdue")
            if not r["resolve_overdue_at"] and not snoozed:
                never = service.excluded(r) | {r["reporter_email"]}
                comms = service.directory.with_role("communications_manager") + service.directory.with_role(
                    "communications"
                )
                people = _handlers(service, r) + [p.email for p in comms if p.email not in never]
                for email in dict.fromkeys(people):
                    outbox.enqueue(
                        db,
                        now,
                        rid,
                        outbox.DM,
                        "outcome_overdue",
                        recipient=email,
                        dedupe_key=f"{rid}:outcome_overdue:{email}",
                    )
                if "channel_skipped" not in json.loads(r["flags"] or "[]"):
                    outbox.enqueue(
                        db,
                        now,
                        rid,
                        outbox.CHANNEL,
                        "outcome_overdue",
                        recipient=COMMS_CHANNEL,
                        dedupe_key=f"{rid}:outcome_overdue:channel",
                    )
                db["reports"].update(rid, {"resolve_overdue_at": stamp})
                service.audit(rid, "ted", "outcome_overdue", f"reminded {len(set(people))}")
                log.info("outcome overdue report id=%s reminded=%s", rid, len(set(people)))
                overdue.append(r["ref"])
    return overdue
