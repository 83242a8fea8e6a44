"""The scheduler's work: re-escalate unacknowledged reports, and purge old closed ones.

`tick()` is idempotent and catches up: after downtime it handles every report whose deadline
passed while TED was down, in one pass.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from core.db import transaction
from handlers.reports import deadlines, outbox
from handlers.reports.actions import announce
from handlers.reports.intake import COMMS_CHANNEL, ReportService
from handlers.reports.routing import first_above, management_line

log = logging.getLogger("ted.escalation")

PURGED = "[removed under the retention policy]"


def tick(service: ReportService, now: datetime | None = None) -> list[str]:
    """Escalate every open report past its acknowledgement deadline. Returns their refs."""
    now = now or service.clock()
    db = service.db
    stamp = outbox.iso(now)
    due = list(
        db.query(
            "select * from reports where status = 'open' and ack_due_at <= ? and "
            "(snoozed_until is null or snoozed_until <= ?) order by id",
            [stamp, stamp],
        )
    )
    done = []
    for report in due:
        level = report["escalation_level"] + 1
        with transaction(db):
            existing = {r["email"] for r in service.recipients(report["id"], active_only=False)}
            added = []
            for p in escalation_targets(service, report):
                if p.email not in existing:
                    existing.add(p.email)
                    added.append(p.email)
                    db["report_recipients"].insert(
                        {
                            "report_id": report["id"],
                            "email": p.email,
                            "role": "escalation",
                            "reason": f"not acknowledged in time (level {level})",
                            "added_at": outbox.iso(now),
                            "active": 1,
                        }
                    )
                    outbox.enqueue(
                        db,
                        now,
                        report["id"],
                        outbox.DM,
                        "escalated",
                        recipient=p.email,
                        dedupe_key=f"{report['id']}:escalated:{level}:{p.email}",
                    )
            for r in service.recipients(report["id"]):
                if r["email"] not in added:
                    outbox.enqueue(
                        db,
                        now,
                        report["id"],
                        outbox.DM,
                        "reminder",
                        recipient=r["email"],
                        dedupe_key=f"{report['id']}:reminder:{level}:{r['email']}",
                    )
            if "channel_skipped" not in json.loads(report["flags"] or "[]"):
                outbox.enqueue(
                    db,
                    now,
                    report["id"],
                    outbox.CHANNEL,
                    "escalated",
                    recipient=COMMS_CHANNEL,
                    dedupe_key=f"{report['id']}:escalated:{level}:channel",
                )
            if report["at_risk"]:
                next_due = now + timedelta(minutes=service.settings.at_risk_ack_minutes)
            else:
                next_due = service.hours.add(now, service.settings.reminder_hours)
            db["reports"].update(report["id"], {"escalation_level": level, "ack_due_at": outbox.iso(next_due)})
            announce(service, report["id"], now, f"escalated{level}")
            service.audit(report["id"], "ted", "escalated", f"level {level}; added {','.join(added) or 'nobody'}")
        log.info("escalated report id=%s level=%s added=%s", report["id"], level, len(added))
        done.append(report["ref"])
    deadlines.tick(service, now)
    return done


def escalation_targets(service: ReportService, report: dict) -> list:
    """The head of service (of the reported service area, else the reporter's own) and the Communications
    Manager; never the reporter, nor anyone named as involved or routed around (a head of service who is: the
    first manager above them who isn't)."""
    d = service.directory
    reporter = d.get(report["reporter_email"]) if report["reporter_email"] else None
    excluded = service.excluded(report) | {report["reporter_email"]}
    if reporter is not None and report.get("line_undisclosed"):
        # "Someone in my management line": the line as it is now, not only as it was when filed (a new head of
        # service is in the line too).
        excluded |= {p.email for p in management_line(d, reporter)}
    heads = []
    for area in (report["service_area"], reporter.service_area if reporter else ""):
        if area and not heads:
            heads = d.with_role("head_of_service", area)
    out = []
    for p in heads:
        if p.email in excluded and p.email in set(json.loads(report.get("involved") or "[]")):
            p = first_above(d, p, excluded)
        if p is not None and p.email not in excluded:
            out.append(p)
    return out + [p for p in d.with_role("communications_manager") if p.email not in excluded]


def purge(
    service: ReportService,
    now: datetime | None = None,
    dry_run: bool = False,
    forget_attachments: Callable[[list[dict]], None] | None = None,
) -> list[str]:
    """Remove personal content from reports resolved more than the retention period ago, unless
    they are on legal hold. The report's reference, dates, category, platform, service area, outcome and who
    handled it stay.
    `forget_attachments` deletes stored screenshots (the web chat's files) before the record goes."""
    now = now or service.clock()
    cutoff = outbox.iso(now - timedelta(days=service.settings.retention_days))
    db = service.db
    rows = list(
        db.query(
            "select id, ref, attachments from reports where status = 'resolved' and resolved_at <= ? "
            "and legal_hold = 0 and purged_at is null",
            [cutoff],
        )
    )
    if dry_run:
        return [r["ref"] for r in rows]
    done = []
    for r in rows:
        with transaction(db):
            # Looked at again inside the transaction: a legal hold put on since the list was read (a long purge,
            # `ted reports hold` from a shell meanwhile) keeps the report whole, screenshots and all.
            still = db.execute(
                "select attachments from reports where id = ? and legal_hold = 0 and purged_at is null", [r["id"]]
            ).fetchone()
            if still is None:
                continue
            db.execute(
                "update reports set description = ?, links = '[]', account = '', attachments = '[]', "
                "source_question = '', reporter_user_id = '', reporter_email = '', involved = '[]', excluded = '[]', "
                # what the reporter said of themselves (at risk, wanting HR's support, someone in their line), and
                # flags that name people: with the routing below, enough to tell who reported
                "at_risk = 0, wants_hr = 0, involves_management = 0, line_undisclosed = 0, flags = '[]', "
                "purged_at = ? where id = ?",  # involved: the people named, as personal as the description
                [PURGED, outbox.iso(now), r["id"]],
            )
            db.execute(
                "update report_events set detail = ? where report_id = ? and action in "
                "('note', 'resolved', 'snoozed', 'filed', 'reassigned', 'escalated')",
                [PURGED, r["id"]],
            )
            # Why each person got it ("the reporter's line manager", "asked for HR support") points at the reporter
            # through the staff directory; that they handled it is their own work and stays.
            db.execute("update report_recipients set role = 'recipient', reason = '' where report_id = ?", [r["id"]])
            db.execute(
                "update report_events set actor = 'reporter' where report_id = ? and action = 'filed'", [r["id"]]
            )
            # Copies of the report in web inboxes go; copies in Slack/Teams are re-rendered from the purged
            # record, and the reporter's own messages are forgotten.
            db.execute("delete from web_messages where report_id = ?", [r["id"]])
            db.execute(
                "delete from report_messages where report_id = ? and (platform = 'web' or email in ('', 'reporter'))",
                [r["id"]],
            )
            announce(service, r["id"], now, "purged")
            service.audit(r["id"], "ted", "purged", f"retention {service.settings.retention_days} days")
        done.append(r["ref"])
        if forget_attachments:  # after the record let go of them; a screenshot another report holds stays
            files = [a for a in json.loads(still[0] or "[]") if isinstance(a, dict)]
            forget_attachments(
                [a for a in files if not any(o["id"] != r["id"] for o in service.with_attachment(str(a.get("id"))))]
            )
    return done


def set_legal_hold(service: ReportService, ref: str, on: bool, actor: str) -> bool:
    report = service.by_ref(ref)
    if report is None:
        return False
    with transaction(service.db):
        service.db["reports"].update(report["id"], {"legal_hold": int(on)})
        service.audit(report["id"], actor, "legal_hold_on" if on else "legal_hold_off")
    return True
