"""What the communications team oversees: reports filtered by status, category, service area and lateness, the
same as CSV (no description or anything the reporter wrote), and per-category response times in working time.
Nobody is shown a report they are named in, or that was routed around them."""

from __future__ import annotations

import csv
import io
import statistics
from datetime import datetime

from handlers.reports import outbox
from handlers.reports.fields import report_fields
from handlers.reports.form import CATEGORIES, CATEGORY_LABELS
from handlers.reports.intake import ReportService
from handlers.reports.views import STATUS_LABELS

STATUSES = ("open", "acknowledged", "resolved")
CSV_COLUMNS = (
    "ref",
    "created",
    "category",
    "platform",
    "service_area",
    "status",
    "acknowledged_at",
    "resolved_at",
    "outcome",
)


def is_overdue(report: dict, now: datetime) -> bool:
    """Past its acknowledgement deadline (still open, or already escalated) or its outcome deadline."""
    if report["status"] == "resolved":
        return False
    stamp = outbox.iso(now)
    late_ack = report["status"] == "open" and (report["escalation_level"] > 0 or report["ack_due_at"] <= stamp)
    return late_ack or bool(report.get("resolve_due_at")) and report["resolve_due_at"] <= stamp


def select(
    service: ReportService,
    viewer: str,
    status: str = "",
    category: str = "",
    service_area: str = "",
    overdue: bool = False,
    now: datetime | None = None,
) -> list[dict]:
    """Reports matching the filters, newest first. `status` "" means every report not yet resolved, "all" every
    report; `service_area` is the service area the report concerns."""
    now = now or service.clock()
    where, params = [], []
    if status == "all":
        pass
    elif status:
        where.append("status = ?")
        params.append(status)
    else:
        where.append("status != 'resolved'")
    if category:
        where.append("category = ?")
        params.append(category)
    if service_area:
        where.append("lower(service_area) = lower(?)")
        params.append(service_area)
    sql = "select * from reports" + (" where " + " and ".join(where) if where else "") + " order by id desc"
    rows = [r for r in service.db.query(sql, params) if viewer not in service.excluded(r)]
    return [r for r in rows if is_overdue(r, now)] if overdue else rows


def row_json(report: dict, now: datetime) -> dict:
    return {
        **report_fields(report, STATUS_LABELS),
        "overdue": is_overdue(report, now),
        "confidential": bool(report.get("confidential")),
        "link": f"/reports/{report['ref']}",
    }


def to_csv(reports: list[dict]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for r in reports:
        writer.writerow(
            [
                r["ref"],
                r["created_at"],
                r["category"],
                r["platform_name"],
                r["service_area"],
                r["status"],
                r["acknowledged_at"] or "",
                r["resolved_at"] or "",
                r["outcome"] or "",
            ]
        )
    return out.getvalue()


def metrics(service: ReportService, viewer: str = "") -> dict:
    """Per category id: how many reports, the median working hours to acknowledge and working days to resolve
    (None when none has been). A report `viewer` is named in (or routed around) is not counted: its count and
    timings would tell them it exists."""
    hours = service.hours
    out = {}
    rows = [r for r in service.db.query("select * from reports") if not viewer or viewer not in service.excluded(r)]
    for category, _ in CATEGORIES:
        mine = [r for r in rows if r["category"] == category]
        ack = [
            hours.between(datetime.fromisoformat(r["created_at"]), datetime.fromisoformat(r["acknowledged_at"]))
            for r in mine
            if r["acknowledged_at"]
        ]
        done = [
            hours.between(datetime.fromisoformat(r["created_at"]), datetime.fromisoformat(r["resolved_at"]))
            / hours.day_hours
            for r in mine
            if r["resolved_at"]
        ]
        out[category] = {
            "label": CATEGORY_LABELS[category],
            "count": len(mine),
            "median_hours_to_acknowledge": round(statistics.median(ack), 2) if ack else None,
            "median_days_to_resolve": round(statistics.median(done), 2) if done else None,
        }
    return out
