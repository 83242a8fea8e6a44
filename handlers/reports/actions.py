"""What recipients do with a report — acknowledge, note, reassign, resolve — each authorised
against the report it touches, audited, and announced through the outbox."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from core.db import transaction
from handlers.directory import Person
from handlers.reports import outbox
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


class NotAllowed(Exception):
    """The person may not act on this report. Nothing was changed."""


@dataclass(frozen=True)
class Outcome:
    report: dict
    message: str
    changed: bool = True


class ReportActions:
    def __init__(self, service: ReportService):
        self.s = service
        self.db = service.db

    def can_act(self, report: dict | None, actor: Person | None) -> bool:
        if report is None or actor is None or not actor.active:
            return False
        if report["reporter_email"] and actor.email == report["reporter_email"]:
            return False  # nobody handles their own report
        if actor.email in self._routed_around(report):
            return False  # nor one that was routed around them
        if actor.is_comms:
            return True
        return any(r["email"] == actor.email for r in self.s.recipients(report["id"]))

    def _check(self, report: dict | None, actor: Person | None) -> dict:
        if not self.can_act(report, actor):
            log.info("refused action report=%s actor=%s", report and report["id"], actor and actor.email)
            raise NotAllowed()
        return report

    def _announce(self, report_id: int, now, tag: str, reporter_template: str = "") -> None:
        """Refresh every message about the report in place; tell the reporter when it matters."""
        for m in self.db["report_messages"].rows_where("report_id = ?", [report_id]):
            outbox.enqueue(self.db, now, report_id, outbox.UPDATE, "status", recipient=m["email"],
                           target=str(m["id"]), dedupe_key=f"{report_id}:update:{m['id']}:{tag}")
        if reporter_template:
            outbox.enqueue(self.db, now, report_id, outbox.DM, reporter_template, recipient="reporter",
                           dedupe_key=f"{report_id}:{reporter_template}")

    def _routed_around(self, report: dict) -> set[str]:
        if not report["involves_management"] or not report["reporter_email"]:
            return set()
        reporter = self.s.directory.get(report["reporter_email"])
        return {reporter.manager_email} if reporter and reporter.manager_email else set()

    def acknowledge(self, report: dict | None, actor: Person | None) -> Outcome:
        report = self._check(report, actor)
        if report["status"] != "open":
            return Outcome(report, f"{report['ref']} was already {report['status']}.", changed=False)
        now = self.s.clock()
        with transaction(self.db):
            self.db["reports"].update(report["id"], {"status": "acknowledged", "acknowledged_at": outbox.iso(now),
                                                     "acknowledged_by": actor.email})
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
            return Outcome(report, "I couldn't find that person in the staff directory, so nothing changed.",
                           changed=False)
        if target.email == report["reporter_email"] or target.email in self._routed_around(report):
            return Outcome(report, "That person can't be given this report (they filed it, or it was routed "
                                   "around them), so nothing changed.", changed=False)
        if report["status"] == "resolved":
            return Outcome(report, f"{report['ref']} is already resolved, so nothing changed.", changed=False)
        now = self.s.clock()
        with transaction(self.db):
            self.db["report_recipients"].upsert(
                {"report_id": report["id"], "email": target.email, "role": "assignee",
                 "reason": f"reassigned by {actor.name}", "added_at": outbox.iso(now), "active": 1},
                pk=("report_id", "email"))
            if not actor.is_comms and actor.email != target.email:
                self.db.execute("update report_recipients set active = 0 where report_id = ? and email = ?",
                                [report["id"], actor.email])
            self.s.audit(report["id"], actor.email, "reassigned", target.email)
            outbox.enqueue(self.db, now, report["id"], outbox.DM, "assigned", recipient=target.email,
                           dedupe_key=f"{report['id']}:assigned:{target.email}:{outbox.iso(now)}")
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
            changes = {"status": "resolved", "resolved_at": outbox.iso(now), "resolved_by": actor.email,
                       "outcome": outcome}
            if not report["acknowledged_at"]:
                changes.update(acknowledged_at=outbox.iso(now), acknowledged_by=actor.email)
            self.db["reports"].update(report["id"], changes)
            self.s.audit(report["id"], actor.email, "resolved", f"{outcome}: {note.strip()[:1900]}")
            self._announce(report["id"], now, "resolve", "reporter_resolved")
        return Outcome(self.s.get(report["id"]), f"{report['ref']} is resolved. The reporter has been told.")
