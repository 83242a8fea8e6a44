"""Each copy of a report, rendered for whoever holds it.

Copies differ by viewer: "Reported by: NAME (SERVICE AREA)" for the Communications team (and its channel), and for
everyone else unless the report is confidential ("Reported by: withheld (confidential)"); after a reassignment,
every copy sent before it says only "Reassigned to NAME". The reporter's own messages are never a recipient's copy.
"""

from __future__ import annotations

import json

from chat.model import Reply
from handlers.reports import outbox
from handlers.reports.intake import COMMS_CHANNEL, ReportService
from handlers.reports.timeline import COMMS, RECIPIENT, name_of, reported_by, web_uploads
from handlers.reports.views import reassigned_reply, recipient_reply, reporter_update

REPORTER_TEMPLATES = ("reporter_acknowledged", "reporter_resolved", "reporter_overdue")


def viewer_of(service: ReportService, viewer: str) -> str:
    """How a copy's holder is shown the reporter: the comms channel and the Communications team see everything."""
    if viewer == COMMS_CHANNEL:
        return COMMS
    person = service.directory.get(viewer) if viewer and "@" in viewer else None
    return COMMS if person and person.is_comms else RECIPIENT


def copy_for(service: ReportService, report: dict, template: str, viewer: str) -> Reply:
    """The whole copy of `report` that `viewer` (an email, or the comms channel) is sent."""
    involved = tuple(name_of(service, e) for e in json.loads(report.get("involved") or "[]"))
    images = tuple((a["name"], a["url"]) for a in web_uploads(report["attachments"]))
    return recipient_reply(
        report,
        template,
        reported_by=reported_by(service, report, viewer_of(service, viewer)),
        involved=involved,
        images=images,
    )


def render(service: ReportService, row: dict, report: dict) -> Reply:
    """The reply an outbox row delivers, from the report's current state."""
    if row["template"] in REPORTER_TEMPLATES:
        return reporter_update(report, row["template"])
    if row["kind"] == outbox.UPDATE:
        msg = outbox.posted_message(service.db, row)
        if msg is not None and msg["email"] == outbox.REPORTER:
            # A row queued before reporter copies were left alone: the reporter sees where it stands instead.
            return reporter_update(
                report, "reporter_resolved" if report["status"] == "resolved" else "reporter_acknowledged"
            )
        if msg is not None and msg.get("reassigned_to"):
            return reassigned_reply(report, name_of(service, msg["reassigned_to"]))
    return copy_for(service, report, row["template"], row["recipient"])
