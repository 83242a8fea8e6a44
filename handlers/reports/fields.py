"""A report's facts as the JSON every view of it shares (the admin list, the CSV, a report's detail page)."""

from __future__ import annotations

from handlers.reports.actions import OUTCOME_LABELS
from handlers.reports.form import CATEGORY_LABELS, PLATFORM_LABELS


def report_fields(report: dict, status_labels: dict[str, str]) -> dict:
    """Reference, category, the social site, service area, status and deadlines, each code with its label;
    never the description or who is involved (each view adds what its viewer may see)."""
    return {
        "ref": report["ref"],
        "created_at": report["created_at"],
        "category": report["category"],
        "category_label": CATEGORY_LABELS.get(report["category"], report["category"]),
        "platform": report["platform_name"],
        "platform_label": PLATFORM_LABELS.get(report["platform_name"], report["platform_name"]),
        "service_area": report["service_area"],
        "status": report["status"],
        "status_label": status_labels.get(report["status"], report["status"]),
        "ack_due_at": report["ack_due_at"],
        "resolve_due_at": report.get("resolve_due_at") or "",
        "acknowledged_at": report["acknowledged_at"] or "",
        "resolved_at": report["resolved_at"] or "",
        "outcome": report["outcome"] or "",
        "outcome_label": OUTCOME_LABELS.get(report["outcome"] or "", ""),
        "at_risk": bool(report["at_risk"]),
    }
