"""A report's details and history as one viewer may see them, and who may see them at all.

Viewers: the reporter (their own report: filed, acknowledged, reassigned, resolved with its outcome, and what TED
told them; never internal notes, escalations or snoozes), the report's current recipients and the Communications
team (everything; a confidential report's reporter is "withheld (confidential)" to anyone outside the
Communications team), and "all" (the command line, for IT and subject-access requests). Nobody else, and never
anyone the reporter named as involved or the report was routed around.
"""

from __future__ import annotations

import json

from handlers.directory import Person
from handlers.reports.actions import OUTCOME_LABELS
from handlers.reports.fields import report_fields
from handlers.reports.intake import ReportService

REPORTER, RECIPIENT, COMMS, ALL = "reporter", "recipient", "comms", "all"
WITHHELD = "withheld (confidential)"
REPORTER_SEES = {"filed", "acknowledged", "reassigned", "resolved", "told_reporter"}
TOLD = {
    "reporter_acknowledged": "told the reporter it was acknowledged",
    "reporter_resolved": "told the reporter it was resolved",
    "reporter_overdue": "told the reporter the outcome is late",
}
STATUS = {"open": "Open — awaiting acknowledgement", "acknowledged": "Acknowledged", "resolved": "Resolved"}


def viewer_kind(service: ReportService, report: dict | None, person: Person | None) -> str | None:
    """How `person` sees `report`: REPORTER, COMMS, RECIPIENT, or None (not at all)."""
    if report is None or person is None or not person.active:
        return None
    if report["reporter_email"] and person.email == report["reporter_email"]:
        return REPORTER
    if person.email in service.excluded(report):
        return None
    if person.is_comms:
        return COMMS
    if any(r["email"] == person.email for r in service.recipients(report["id"])):
        return RECIPIENT
    return None


def reporter_of(service: ReportService, report: dict, kind: str) -> dict | None:
    """{"name", "email"} of the reporter, or None when it is withheld from this kind of viewer."""
    if report["confidential"] and kind not in (REPORTER, COMMS, ALL):
        return None
    email = report["reporter_email"] or ""
    person = service.directory.get(email) if email else None
    if person is not None:
        return {"name": person.name, "email": person.email, "service_area": person.service_area}
    if report["purged_at"]:
        return {"name": "removed under the retention policy", "email": "", "service_area": ""}
    who = f"{report['reporter_platform'].title()} user {report['reporter_user_id']}".strip()
    return {"name": f"{who} (not in the staff directory)", "email": email, "service_area": ""}


def reported_by(service: ReportService, report: dict, kind: str) -> str:
    """The "Reported by: NAME (SERVICE AREA)" line of a copy of the report."""
    who = reporter_of(service, report, kind)
    if who is None:
        return f"Reported by: {WITHHELD}"
    area = f" ({who['service_area']})" if who["service_area"] else ""
    mark = " — confidential: only the Communications team sees this name" if report["confidential"] else ""
    return f"Reported by: {who['name']}{area}{mark}"


def name_of(service: ReportService, actor: str) -> str:
    if actor == "ted":
        return "TED"
    if actor == "cli":
        return "TED (command line)"
    if actor == "reporter":
        return "the reporter"
    person = service.directory.get(actor) if "@" in actor else None
    return person.name if person else "someone not in the staff directory"


def _entry(service: ReportService, report: dict, e: dict, kind: str) -> dict | None:
    action, detail = e["action"], e["detail"] or ""
    if kind == REPORTER and action not in REPORTER_SEES:
        return None
    actor = e["actor"]
    if report["reporter_email"] and actor == report["reporter_email"] and reporter_of(service, report, kind) is None:
        name = WITHHELD
    elif actor.count(":") == 1 and "@" not in actor and action == "filed":
        name = (
            WITHHELD
            if report["confidential"] and kind not in (REPORTER, COMMS, ALL)
            else "someone not in the staff directory"
        )
    else:
        name = name_of(service, actor)
    note = ""
    if action == "reassigned":
        note = f"to {name_of(service, detail)}"
    elif action == "resolved":
        outcome, _, text = detail.partition(":")
        note = f"Outcome: {OUTCOME_LABELS.get(outcome.strip(), outcome.strip())}"
        if kind != REPORTER and text.strip():
            note += f" — {text.strip()}"
    elif action == "told_reporter":
        note = TOLD.get(detail, detail)
    elif action == "filed":
        note = detail if kind == ALL else ""
    else:
        note = detail
    return {"at": e["at"], "actor": name, "action": action, "note": note}


def timeline(service: ReportService, report: dict, kind: str) -> list[dict]:
    out = (_entry(service, report, e, kind) for e in service.events(report["id"]))
    return [e for e in out if e is not None]


def web_uploads(attachments: str | None) -> list[dict]:
    """Screenshots stored by the web chat ({"name", "url"}); Slack keeps its own files."""
    try:
        items = json.loads(attachments or "[]")
    except ValueError:
        return []
    return [
        {"name": str(a.get("name", "")), "url": a["url"]}
        for a in items
        if isinstance(a, dict) and str(a.get("url", "")).startswith("/uploads/")
    ]


def detail(service: ReportService, report: dict, kind: str) -> dict:
    """The report as `kind` of viewer sees it (GET /api/reports/<ref>, /reports/<ref>, "View details")."""
    names = [name_of(service, e) for e in json.loads(report.get("involved") or "[]")]
    out = {
        **report_fields(report, STATUS),
        "confidential": bool(report.get("confidential")),
        "account": report["account"],
        "links": json.loads(report["links"] or "[]"),
        "description": report["description"],
        "attachments": web_uploads(report["attachments"]),
        "involved": names,
        "line_undisclosed": bool(report.get("line_undisclosed")),
        "reporter": None,
        "viewer": kind,
        "timeline": timeline(service, report, kind),
    }
    who = reporter_of(service, report, kind)
    out["reporter"] = {"name": who["name"], "email": who["email"]} if who else None
    if kind != REPORTER:
        out["snoozed_until"] = report.get("snoozed_until") or ""
        out["recipients"] = [name_of(service, r["email"]) for r in service.recipients(report["id"])]
    return out
