"""What recipients do with a report — acknowledge, note, reassign, resolve — each authorised
against the report it touches, audited, and announced through the outbox."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date

from core.db import transaction
from handlers.directory import Person
from handlers.reports import outbox
from handlers.reports.form import MAX_NOTE
from handlers.reports.intake import ReportService

log = logging.getLogger("ted.reports")

OUTCOMES = (
    ("removed", "Content removed / account reported to the platform"),
    ("responded", "Responded in line with council policy"),
    ("no_action", "Reviewed: no action needed"),
    ("hr", "Passed to HR"),
    ("police", "Passed to the police"),
    ("other", "Other (see note)"),
)
OUTCOME_LABELS = dict(OUTCOMES)
MAX_SNOOZE_DAYS = 10  # working days


def announce(service: ReportService, report_id: int, now, tag: str, reporter_template: str = "") -> None:
    """Refresh every recipient's copy of the report in place (never the reporter's own messages: they get new
    ones); tell the reporter when it matters, and note that in the report's history."""
    for m in service.db["report_messages"].rows_where("report_id = ? and email != ?", [report_id, outbox.REPORTER]):
        outbox.enqueue(
            service.db,
            now,
            report_id,
            outbox.UPDATE,
            "status",
            recipient=m["email"],
            target=str(m["id"]),
            dedupe_key=f"{report_id}:update:{m['id']}:{tag}",
        )
    if reporter_template and outbox.enqueue(
        service.db,
        now,
        report_id,
        outbox.DM,
        reporter_template,
        recipient=outbox.REPORTER,
        dedupe_key=f"{report_id}:{reporter_template}",
    ):
        service.audit(report_id, "ted", "told_reporter", reporter_template)


class NotAllowed(Exception):
    """The person may not act on this report. Nothing was changed."""


@dataclass(frozen=True)
class Outcome:
    report: dict
    message: str
    changed: bool = True


KEPT_ROLES = ("communications_manager", "communications", "hr")  # keep their copy whoever holds it


class ReportActions:
    def __init__(self, service: ReportService):
        self.s = service
        self.db = service.db

    def can_act(self, report: dict | None, actor: Person | None) -> bool:
        if report is None or actor is None or not actor.active:
            return False
        if report["reporter_email"] and actor.email == report["reporter_email"]:
            return False  # nobody handles their own report
        if actor.email in self.s.excluded(report):
            return False  # nor one they are named in, or that was routed around them
        if actor.is_comms:
            return True
        return any(r["email"] == actor.email for r in self.s.recipients(report["id"]))

    def _check(self, report: dict | None, actor: Person | None) -> dict:
        if not self.can_act(report, actor):
            # Ids only: an email here would tie a confidential report to whoever pressed (its reporter, say).
            log.info("refused action report=%s actor_in_directory=%s", report and report["id"], actor is not None)
            raise NotAllowed()
        return report

    def _announce(self, report_id: int, now, tag: str, reporter_template: str = "") -> None:
        announce(self.s, report_id, now, tag, reporter_template)

    def acknowledge(self, report: dict | None, actor: Person | None) -> Outcome:
        report = self._check(report, actor)
        if report["status"] != "open":
            return Outcome(report, f"{report['ref']} was already {report['status']}.", changed=False)
        now = self.s.clock()
        with transaction(self.db):
            # Read again inside the write transaction: two people pressing at once act once.
            if (fresh := self.s.get(report["id"]))["status"] != "open":
                return Outcome(fresh, f"{report['ref']} was already {fresh['status']}.", changed=False)
            self.db["reports"].update(
                report["id"],
                {"status": "acknowledged", "acknowledged_at": outbox.iso(now), "acknowledged_by": actor.email},
            )
            self.s.audit(report["id"], actor.email, "acknowledged")
            self._announce(report["id"], now, "ack", "reporter_acknowledged")
        return Outcome(self.s.get(report["id"]), f"You acknowledged {report['ref']}. The reporter has been told.")

    def add_note(self, report: dict | None, actor: Person | None, note: str) -> Outcome:
        report = self._check(report, actor)
        note = note.strip()
        if not note:
            return Outcome(report, "The note was empty, so nothing was added.", changed=False)
        now = self.s.clock()
        with transaction(self.db):
            self.s.audit(report["id"], actor.email, "note", note[:2000])
            self._announce(report["id"], now, f"note{now.timestamp()}")
        return Outcome(self.s.get(report["id"]), f"Note added to {report['ref']}.")

    def reassign(self, report: dict | None, actor: Person | None, to_email: str) -> Outcome:
        report = self._check(report, actor)
        target = self.s.directory.get(to_email.strip()) if to_email.strip() else None
        if target is None or not target.active:
            return Outcome(
                report, "I couldn't find that person in the staff directory, so nothing changed.", changed=False
            )
        if target.email == report["reporter_email"] or target.email in self.s.excluded(report):
            return Outcome(
                report,
                "That person can't be given this report (they filed it, or it was routed "
                "around them), so nothing changed.",
                changed=False,
            )
        if report["status"] == "resolved":
            return Outcome(report, f"{report['ref']} is already resolved, so nothing changed.", changed=False)
        holders = {r["email"] for r in self.s.recipients(report["id"])}
        if report.get("assigned_to") == target.email or (target.email == actor.email and actor.email in holders):
            who = "you" if target.email == actor.email else target.name
            return Outcome(report, f"{report['ref']} is already with {who}, so nothing changed.", changed=False)
        now = self.s.clock()
        with transaction(self.db):
            had = self.db.execute(
                "select role from report_recipients where report_id = ? and email = ?", [report["id"], target.email]
            ).fetchone()
            if had and had[0] in KEPT_ROLES:
                # The Communications Manager or HR given it keep their part: reassigned away later, they still
                # hold their copy, their reminders and View details.
                self.db.execute(
                    "update report_recipients set active = 1 where report_id = ? and email = ?",
                    [report["id"], target.email],
                )
            else:
                self.db["report_recipients"].upsert(
                    {
                        "report_id": report["id"],
                        "email": target.email,
                        "role": "assignee",
                        "reason": f"reassigned by {actor.name}",
                        "added_at": outbox.iso(now),
                        "active": 1,
                    },
                    pk=("report_id", "email"),
                )
            # The report moves: whoever held it for the reporter's line or area (the presser, an earlier assignee,
            # an escalation) no longer does. The communications team and HR keep their copies.
            self.db.execute(
                f"update report_recipients set active = 0 where report_id = ? and email != ? and role not in "
                f"({', '.join('?' * len(KEPT_ROLES))})",
                [report["id"], target.email, *KEPT_ROLES],
            )
            self.db["reports"].update(report["id"], {"assigned_to": target.email})
            # Every copy so far now says "Reassigned to …" (no description, no buttons); the new one is whole.
            self.db.execute(
                "update report_messages set reassigned_to = ? where report_id = ? and email != ?",
                [target.email, report["id"], outbox.REPORTER],
            )
            self.s.audit(report["id"], actor.email, "reassigned", target.email)
            outbox.enqueue(
                self.db,
                now,
                report["id"],
                outbox.DM,
                "assigned",
                recipient=target.email,
                dedupe_key=f"{report['id']}:assigned:{target.email}:{outbox.iso(now)}",
            )
            self._announce(report["id"], now, f"reassign{now.timestamp()}")
        return Outcome(self.s.get(report["id"]), f"{report['ref']} is now with {target.name}.")

    def resolve(self, report: dict | None, actor: Person | None, outcome: str, note: str = "") -> Outcome:
        report = self._check(report, actor)
        if outcome not in OUTCOME_LABELS:
            return Outcome(report, "Please choose an outcome.", changed=False)
        if report["status"] == "resolved":
            return Outcome(report, f"{report['ref']} was already resolved.", changed=False)
        now = self.s.clock()
        with transaction(self.db):
            if (fresh := self.s.get(report["id"]))["status"] == "resolved":  # someone else's press came first
                return Outcome(fresh, f"{report['ref']} was already resolved.", changed=False)
            report = fresh
            changes = {
                "status": "resolved",
                "resolved_at": outbox.iso(now),
                "resolved_by": actor.email,
                "outcome": outcome,
            }
            if not report["acknowledged_at"]:
                changes.update(acknowledged_at=outbox.iso(now), acknowledged_by=actor.email)
            self.db["reports"].update(report["id"], changes)
            self.s.audit(report["id"], actor.email, "resolved", f"{outcome}: {note.strip()[:MAX_NOTE]}")
            self._announce(report["id"], now, "resolve", "reporter_resolved")
        return Outcome(self.s.get(report["id"]), f"{report['ref']} is resolved. The reporter has been told.")

    def snooze_until(self, text: str) -> tuple[date | None, str]:
        """A snooze date from a form: (the date, "") or (None, what is wrong with it)."""
        hours = self.s.hours
        today = hours.local_date(self.s.clock())
        latest = hours.add_working_days(today, MAX_SNOOZE_DAYS)
        try:
            until = date.fromisoformat(str(text or "").strip())
        except ValueError:
            return None, "Please give a date like 2026-11-23."
        if until <= today:
            return None, "Please choose a date after today."
        if until > latest:
            return None, f"Reminders can be paused for at most {MAX_SNOOZE_DAYS} working days (until {latest:%d %b})."
        return until, ""

    def snooze(self, report: dict | None, actor: Person | None, until: date, reason: str) -> Outcome:
        """Pause reminders and escalation on an acknowledged report until the end of `until`."""
        report = self._check(report, actor)
        reason = reason.strip()
        if report["status"] != "acknowledged":
            return Outcome(
                report,
                f"Reminders can be paused only on an acknowledged report; {report['ref']} is "
                f"{report['status']}, so nothing changed.",
                changed=False,
            )
        if not reason:
            return Outcome(report, "Please give a reason, so nothing changed.", changed=False)
        now = self.s.clock()
        with transaction(self.db):
            self.db["reports"].update(report["id"], {"snoozed_until": outbox.iso(self.s.hours.midnight_after(until))})
            self.s.audit(report["id"], actor.email, "snoozed", f"until {until.isoformat()}: {reason[:1900]}")
            self._announce(report["id"], now, f"snooze{now.timestamp()}")
        return Outcome(
            self.s.get(report["id"]), f"Reminders on {report['ref']} are paused until the end of {until:%A %d %B}."
        )
