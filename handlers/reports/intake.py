"""Filing a report and deciding who hears about it.

Routing follows the Social Media Policy: content that disparages the council goes to the
reporter's manager, the relevant service-area manager and the Communications Service (5.12);
abuse goes to the line manager and the Communications Manager (7.2), with HR support (7.3)
when the reporter asks. A report involving the reporter's own management line skips that
manager for the head of service and HR; a missing or departed manager falls back to the
communications team, and the report says so.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import sqlite_utils

from core.db import transaction
from core.settings import Settings
from handlers.directory import Directory, Person
from handlers.reports import outbox
from handlers.reports.form import ABUSE
from handlers.reports.workhours import WorkingHours

log = logging.getLogger("ted.reports")

COMMS_CHANNEL = "comms_channel"  # outbox recipient meaning "the communications team's channel"

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(UTC)


@dataclass
class Route:
    recipients: list[tuple[str, str, str]] = field(default_factory=list)  # (email, role, reason)
    flags: list[str] = field(default_factory=list)
    exclude: set[str] = field(default_factory=set)  # the reporter; a manager a report is routed around

    def add(self, person: Person | None, role: str, reason: str) -> None:
        if person and person.active and person.email not in self.exclude \
                and person.email not in {e for e, _, _ in self.recipients}:
            self.recipients.append((person.email, role, reason))


class ReportService:
    def __init__(self, db: sqlite_utils.Database, directory: Directory, settings: Settings,
                 clock: Clock = system_clock):
        self.db = db
        self.directory = directory
        self.settings = settings
        self.clock = clock
        self.hours = WorkingHours.parse(settings.working_hours, settings.timezone)

    # -- routing --------------------------------------------------------------------------------
    def route(self, reporter: Person | None, report: dict) -> Route:
        r = Route()
        d = self.directory
        if reporter:
            r.exclude.add(reporter.email)
        comms_managers = d.with_role("communications_manager")
        area = report.get("service_area") or (reporter.service_area if reporter else "")
        manager = d.get(reporter.manager_email) if reporter and reporter.manager_email else None
        if reporter is None:
            r.flags.append("reporter_not_in_directory")
        elif report["involves_management"]:
            # Conflict of interest: route around the reporter's own management line.
            r.flags.append("involves_management")
            if reporter.manager_email:
                r.exclude.add(reporter.manager_email)
            own_area = reporter.service_area or area
            heads = d.with_role("head_of_service", own_area) if own_area else []
            if not heads:
                r.flags.append("head_of_service_missing")
            for p in heads:
                r.add(p, "head_of_service", "the report involves the reporter's management line")
            for p in d.with_role("hr"):
                r.add(p, "hr", "the report involves the reporter's management line")
        elif manager is None or not manager.active:
            r.flags.append("manager_missing" if manager is None else "manager_left")
        else:
            r.add(manager, "line_manager", "the reporter's line manager")
        category = report["category"]
        if category == "disparaging" and not report["involves_management"]:
            for p in d.with_role("service_area_manager", area) if area else []:
                r.add(p, "service_area_manager", f"manager of the {area} service area")
        for p in comms_managers:
            r.add(p, "communications_manager", "the Communications Manager")
        if report["wants_hr"] or (category in ABUSE and report["at_risk"]):
            for p in d.with_role("hr"):
                r.add(p, "hr", "the reporter asked for HR support" if report["wants_hr"] else "someone is at risk")
        if not any(role == "line_manager" for _, role, _ in r.recipients) or not comms_managers:
            # Whoever else is missing, the communications team always hears.
            for p in d.with_role("communications"):
                r.add(p, "communications", "the communications team")
        if not r.recipients:
            r.flags.append("no_recipients")
            log.warning("report has nobody to go to: the directory has no communications team")
        return r

    def ack_due(self, now: datetime, category: str, at_risk: bool) -> datetime:
        if at_risk:
            return now + timedelta(minutes=self.settings.at_risk_ack_minutes)
        return self.hours.add(now, self.settings.ack_hours_for(category))

    # -- filing ----------------------------------------------------------------------------------
    def next_ref(self, year: int) -> str:
        row = self.db.execute("select last from report_counters where year = ?", [year]).fetchone()
        n = (row[0] if row else 0) + 1
        self.db["report_counters"].upsert({"year": year, "last": n}, pk="year")
        return f"TED-{year}-{n:04d}"

    def file(self, reporter: Person | None, platform: str, user_id: str, clean: dict,
             source_question: str = "") -> dict:
        """Store the report, its recipients, its audit entry and every notification, in one
        transaction, before anyone is told it was received. Returns the stored report."""
        now = self.clock()
        route = self.route(reporter, clean)
        with transaction(self.db):
            ref = self.next_ref(now.astimezone(UTC).year)
            rid = self.db["reports"].insert({
                "ref": ref, "created_at": outbox.iso(now),
                "reporter_email": reporter.email if reporter else "", "reporter_platform": platform,
                "reporter_user_id": user_id, "category": clean["category"], "platform_name": clean["platform_name"],
                "links": json.dumps(clean["links"]), "account": clean["account"], "seen_at": clean["seen_at"],
                "service_area": clean["service_area"] or (reporter.service_area if reporter else ""),
                "description": clean["description"], "attachments": json.dumps(clean["attachments"]),
                "at_risk": int(clean["at_risk"]), "wants_hr": int(clean["wants_hr"]),
                "involves_management": int(clean["involves_management"]), "status": "open", "outcome": "",
                "ack_due_at": outbox.iso(self.ack_due(now, clean["category"], clean["at_risk"])),
                "escalation_level": 0, "flags": json.dumps(route.flags), "legal_hold": 0,
                "source_question": source_question[:2000],
            }).last_pk
            for email, role, reason in route.recipients:
                self.db["report_recipients"].insert({"report_id": rid, "email": email, "role": role,
                                                     "reason": reason, "added_at": outbox.iso(now), "active": 1})
                outbox.enqueue(self.db, now, rid, outbox.DM, "new_report", recipient=email,
                               dedupe_key=f"{rid}:new:{email}")
            outbox.enqueue(self.db, now, rid, outbox.CHANNEL, "new_report", recipient=COMMS_CHANNEL,
                           dedupe_key=f"{rid}:new:channel")
            self.audit(rid, reporter.email if reporter else f"{platform}:{user_id}", "filed",
                       f"recipients={','.join(e for e, _, _ in route.recipients)} flags={','.join(route.flags)}")
        log.info("report filed id=%s ref=%s recipients=%s flags=%s", rid, ref, len(route.recipients),
                 ",".join(route.flags))
        return self.get(rid)

    # -- reading --------------------------------------------------------------------------------
    def get(self, report_id: int) -> dict | None:
        rows = list(self.db.query("select * from reports where id = ?", [report_id]))
        return rows[0] if rows else None

    def by_ref(self, ref: str) -> dict | None:
        rows = list(self.db.query("select * from reports where ref = ?", [ref.strip().upper()]))
        return rows[0] if rows else None

    def recipients(self, report_id: int, active_only: bool = True) -> list[dict]:
        where = "report_id = ?" + (" and active = 1" if active_only else "")
        return list(self.db["report_recipients"].rows_where(where, [report_id], order_by="added_at"))

    def for_reporter(self, email: str, platform: str, user_id: str) -> list[dict]:
        return list(self.db.query(
            "select * from reports where (reporter_email = ? and ? != '') or "
            "(reporter_platform = ? and reporter_user_id = ?) order by id desc limit 20",
            [email, email, platform, user_id]))

    def unresolved(self) -> list[dict]:
        """Every report not yet resolved, the soonest deadline first (what the communications team oversees)."""
        return list(self.db.query("select * from reports where status != 'resolved' order by ack_due_at"))

    def with_attachment(self, upload_id: str) -> list[dict]:
        """The reports a stored screenshot (its upload id) is attached to."""
        rows = self.db.query("select * from reports where attachments like ?", [f"%{upload_id}%"])
        return [r for r in rows if upload_id in {a.get("id") for a in json.loads(r["attachments"] or "[]")
                                                 if isinstance(a, dict)}]

    def open_for(self, person: Person) -> list[dict]:
        if person.is_comms:
            return self.unresolved()
        return list(self.db.query(
            "select r.* from reports r join report_recipients x on x.report_id = r.id "
            "where x.email = ? and x.active = 1 and r.status != 'resolved' order by r.ack_due_at", [person.email]))

    def events(self, report_id: int) -> list[dict]:
        return list(self.db["report_events"].rows_where("report_id = ?", [report_id], order_by="id"))

    def audit(self, report_id: int, actor: str, action: str, detail: str = "") -> None:
        self.db["report_events"].insert({"report_id": report_id, "at": outbox.iso(self.clock()), "actor": actor,
                                         "action": action, "detail": detail[:2000]})
