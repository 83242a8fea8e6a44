"""Filing a report: one transaction holds the report, its recipients (handlers/reports/routing.py decides who),
its audit entry and every notification, before the reporter is told it was received. And the queries over
reports that the chat, the web and the command line share.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import sqlite_utils

from core.db import transaction
from core.settings import Settings
from handlers.directory import Directory, Person
from handlers.reports import outbox, routing
from handlers.reports.routing import Route
from handlers.reports.workhours import WorkingHours

log = logging.getLogger("ted.reports")

DUPLICATE_SECONDS = 600  # the same form from the same person within this is the same report
COMMS_CHANNEL = "comms_channel"  # outbox recipient meaning "the communications team's channel"

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(UTC)


class ReportService:
    def __init__(
        self, db: sqlite_utils.Database, directory: Directory, settings: Settings, clock: Clock = system_clock
    ):
        self.db = db
        self.directory = directory
        self.settings = settings
        self.clock = clock
        self.hours = WorkingHours.parse(settings.working_hours, settings.timezone)

    # -- routing --------------------------------------------------------------------------------
    def route(self, reporter: Person | None, report: dict) -> Route:
        return routing.plan(self.directory, reporter, report)

    def ack_due(self, now: datetime, category: str, at_risk: bool) -> datetime:
        if at_risk:
            return now + timedelta(minutes=self.settings.at_risk_ack_minutes)
        return self.hours.add(now, self.settings.ack_hours_for(category))

    def resolve_due(self, now: datetime, category: str) -> datetime:
        return self.hours.add_days(now, self.settings.resolve_days_for(category))

    # -- filing ----------------------------------------------------------------------------------
    def next_ref(self, year: int) -> str:
        row = self.db.execute("select last from report_counters where year = ?", [year]).fetchone()
        n = (row[0] if row else 0) + 1
        self.db["report_counters"].upsert({"year": year, "last": n}, pk="year")
        return f"TED-{year}-{n:04d}"

    def _just_filed(self, reporter: Person | None, platform: str, user_id: str, clean: dict, route, now) -> dict | None:
        """The report this person filed with the very same form in the last DUPLICATE_SECONDS, if any."""
        same = {
            "category": clean["category"],
            "platform_name": clean["platform_name"],
            "links": json.dumps(clean["links"]),
            "account": clean["account"],
            "seen_at": clean["seen_at"],
            "description": clean["description"],
            "attachments": json.dumps(clean["attachments"]),
            "at_risk": int(clean["at_risk"]),
            "wants_hr": int(clean["wants_hr"]),
            "confidential": int(bool(clean.get("confidential"))),
            "line_undisclosed": int(bool(clean.get("line_undisclosed"))),
            "involved": json.dumps(route.involved),
            "excluded": json.dumps(route.never),
        }
        if reporter:
            same["reporter_email"] = reporter.email
        else:
            same |= {"reporter_platform": platform, "reporter_user_id": user_id}
        where = " and ".join(f"{k} = ?" for k in same)
        since = outbox.iso(now - timedelta(seconds=DUPLICATE_SECONDS))
        row = self.db.execute(
            f"select id from reports where created_at >= ? and {where} order by id desc limit 1",
            [since, *same.values()],
        ).fetchone()
        return self.get(row[0]) if row else None

    def file(
        self, reporter: Person | None, platform: str, user_id: str, clean: dict, source_question: str = ""
    ) -> dict:
        """Store the report, its recipients, its audit entry and every notification, in one
        transaction, before anyone is told it was received. Returns the stored report."""
        now = self.clock()
        route = self.route(reporter, clean)
        with transaction(self.db):
            if (same := self._just_filed(reporter, platform, user_id, clean, route, now)) is not None:
                # The same form sent twice (a double click, a retried request): one report, told once.
                log.info("report sent again within %ss; kept as %s", DUPLICATE_SECONDS, same["ref"])
                return same
            ref = self.next_ref(now.astimezone(UTC).year)
            rid = (
                self.db["reports"]
                .insert(
                    {
                        "ref": ref,
                        "created_at": outbox.iso(now),
                        "reporter_email": reporter.email if reporter else "",
                        "reporter_platform": platform,
                        "reporter_user_id": user_id,
                        "category": clean["category"],
                        "platform_name": clean["platform_name"],
                        "links": json.dumps(clean["links"]),
                        "account": clean["account"],
                        "seen_at": clean["seen_at"],
                        "service_area": clean["service_area"] or (reporter.service_area if reporter else ""),
                        "description": clean["description"],
                        "attachments": json.dumps(clean["attachments"]),
                        "at_risk": int(clean["at_risk"]),
                        "wants_hr": int(clean["wants_hr"]),
                        "involves_management": int(
                            bool({"line_undisclosed", "involves_named_line"} & set(route.flags))
                        ),
                        "confidential": int(bool(clean.get("confidential"))),
                        "involved": json.dumps(route.involved),
                        "excluded": json.dumps(route.never),
                        "line_undisclosed": int(bool(clean.get("line_undisclosed"))),
                        "status": "open",
                        "outcome": "",
                        "ack_due_at": outbox.iso(self.ack_due(now, clean["category"], clean["at_risk"])),
                        "resolve_due_at": outbox.iso(self.resolve_due(now, clean["category"])),
                        "escalation_level": 0,
                        "flags": json.dumps(route.flags),
                        "legal_hold": 0,
                        "source_question": source_question[:2000],
                    }
                )
                .last_pk
            )
            for email, role, reason in route.recipients:
                self.db["report_recipients"].insert(
                    {
                        "report_id": rid,
                        "email": email,
                        "role": role,
                        "reason": reason,
                        "added_at": outbox.iso(now),
                        "active": 1,
                    }
                )
                outbox.enqueue(
                    self.db, now, rid, outbox.DM, "new_report", recipient=email, dedupe_key=f"{rid}:new:{email}"
                )
            if route.channel:
                outbox.enqueue(
                    self.db,
                    now,
                    rid,
                    outbox.CHANNEL,
                    "new_report",
                    recipient=COMMS_CHANNEL,
                    dedupe_key=f"{rid}:new:channel",
                )
            self.audit(
                rid,
                reporter.email if reporter else f"{platform}:{user_id}",
                "filed",
                f"recipients={','.join(e for e, _, _ in route.recipients)} flags={','.join(route.flags)}",
            )
        log.info(
            "report filed id=%s ref=%s recipients=%s flags=%s", rid, ref, len(route.recipients), ",".join(route.flags)
        )
        return self.get(rid)

    # -- reading --------------------------------------------------------------------------------
    def get(self, report_id: int) -> dict | None:
        rows = list(self.db.query("select * from reports where id = ?", [report_id]))
        return rows[0] if rows else None

    def by_ref(self, ref: str) -> dict | None:
        rows = list(self.db.query("select * from reports where ref = ?", [ref.strip().upper()]))
        return rows[0] if rows else None

    def recipients(self, report_id: int, active_only: bool = True) -> list[dict]:
        """Who holds the report. `active_only`: those who still do, and have not left the council since (a leaver
        is reminded of nothing and acts on nothing; the channel and people outside the directory stay)."""
        if not active_only:
            return list(self.db["report_recipients"].rows_where("report_id = ?", [report_id], order_by="added_at"))
        return list(
            self.db.query(
                "select r.* from report_recipients r left join people p on p.email = r.email "
                "where r.report_id = ? and r.active = 1 and coalesce(p.active, 1) = 1 order by r.added_at",
                [report_id],
            )
        )

    def for_reporter(self, email: str, platform: str, user_id: str) -> list[dict]:
        return list(
            self.db.query(
                "select * from reports where (reporter_email = ? and ? != '') or "
                "(reporter_platform = ? and reporter_user_id = ?) order by id desc limit 20",
                [email, email, platform, user_id],
            )
        )

    def unresolved(self) -> list[dict]:
        """Every report not yet resolved, the soonest deadline first (what the communications team oversees)."""
        return list(self.db.query("select * from reports where status != 'resolved' order by ack_due_at"))

    def with_attachment(self, upload_id: str) -> list[dict]:
        """The reports a stored screenshot (its upload id) is attached to."""
        rows = self.db.query("select * from reports where attachments like ?", [f"%{upload_id}%"])
        return [
            r
            for r in rows
            if upload_id in {a.get("id") for a in json.loads(r["attachments"] or "[]") if isinstance(a, dict)}
        ]

    def excluded(self, report: dict) -> set[str]:
        """Who must never receive, see or act on the report: the people the reporter named, and the management
        line it was routed around (a report from before these were stored: the reporter's line manager)."""
        if report.get("excluded") is not None:
            return set(json.loads(report["excluded"] or "[]"))
        if not report["involves_management"] or not report["reporter_email"]:
            return set()
        reporter = self.directory.get(report["reporter_email"])
        return {reporter.manager_email} if reporter and reporter.manager_email else set()

    def open_for(self, person: Person) -> list[dict]:
        if person.is_comms:
            return [r for r in self.unresolved() if person.email not in self.excluded(r)]
        return list(
            self.db.query(
                "select r.* from reports r join report_recipients x on x.report_id = r.id "
                "where x.email = ? and x.active = 1 and r.status != 'resolved' order by r.ack_due_at",
                [person.email],
            )
        )

    def events(self, report_id: int) -> list[dict]:
        return list(self.db["report_events"].rows_where("report_id = ?", [report_id], order_by="id"))

    def audit(self, report_id: int, actor: str, action: str, detail: str = "") -> None:
        self.db["report_events"].insert(
            {
                "report_id": report_id,
                "at": outbox.iso(self.clock()),
                "actor": actor,
                "action": action,
                "detail": detail[:2000],
            }
        )
