"""Replies about reports: what recipients see (a minimal summary with actions), what the
reporter sees (reference, guidance, progress) and the lists behind /report status."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from chat import actions
from chat.model import Button, Form, FormField, Reply
from handlers.directory import Person
from handlers.reports.actions import OUTCOME_LABELS, OUTCOMES
from handlers.reports.form import CATEGORY_LABELS, MAX_NOTE, PLATFORM_LABELS

STATUS_LABELS = {"open": "Open — awaiting acknowledgement", "acknowledged": "Acknowledged", "resolved": "Resolved"}
FLAG_LABELS = {
    "manager_missing": "⚠️ The reporter's line manager is not in the staff directory — sent to the communications "
    "team instead.",
    "manager_left": "⚠️ The reporter's line manager has left the council — sent to the communications team instead.",
    "involves_management": "ℹ️ Involves the reporter's own management line — routed to the head of service and HR.",
    "reporter_not_in_directory": "⚠️ The reporter is not in the staff directory.",
    "head_of_service_missing": "⚠️ No head of service found for the reporter's service area.",
    "no_recipients": "⚠️ Nobody in the directory could be sent this report.",
    "confidential": "🔒 Confidential: the reporter asked that only the Communications team sees their name.",
    "line_undisclosed": "ℹ️ Someone in the reporter's management line is involved (not named) — sent to HR and the "
    "communications team, not the line.",
    "involves_named_line": "ℹ️ Someone in the reporter's management line is involved — sent to the next manager "
    "up and HR instead.",
    "no_manager_above": "⚠️ No manager above the person involved could be found — the communications team and HR "
    "have it.",
    "channel_skipped": "ℹ️ Not posted in the communications channel: someone involved is on the communications team.",
}
TEMPLATE_HEADINGS = {
    "new_report": "New report",
    "reminder": "Reminder: not yet acknowledged",
    "escalated": "Escalated: not acknowledged in time",
    "assigned": "Report assigned to you",
    "status": "Report",
    "unreachable": "Could not reach a recipient",
    "outcome_due": "Reminder: outcome due soon",
    "outcome_overdue": "Outcome overdue",
}
NAMED_LINE_CONFIDENTIAL = (
    "ℹ️ Someone in the reporter's management line is involved — as a confidential report it went to the "
    "communications team and HR only."
)
REPORTER_UNREACHABLE = (
    "⚠️ TED could not tell the reporter how this is going (no chat reached them): please contact them."
)
UNREACHABLE = "⚠️ {email} could not be reached in any chat (only their TED Web Chat inbox) — please make sure they know."
SUMMARY_CHARS = 280


def when(iso: str, tz: str = "Europe/London") -> str:
    if not iso:
        return ""
    return datetime.fromisoformat(iso).astimezone(ZoneInfo(tz)).strftime("%a %d %b %Y, %H:%M")


def summary_lines(report: dict) -> list[str]:
    links = json.loads(report["links"] or "[]")
    desc = report["description"]
    lines = [
        f"What: {CATEGORY_LABELS.get(report['category'], report['category'])}",
        f"Where: {PLATFORM_LABELS.get(report['platform_name'], report['platform_name'])}"
        + (f" — {report['account']}" if report["account"] else ""),
    ]
    if links:
        lines.append("Link(s): " + " ".join(links[:3]) + (" …" if len(links) > 3 else ""))
    if report["service_area"]:
        lines.append(f"Service area: {report['service_area']}")
    lines.append(f"Summary: {desc[:SUMMARY_CHARS]}{'…' if len(desc) > SUMMARY_CHARS else ''}")
    return lines


def recipient_reply(
    report: dict,
    template: str = "status",
    *,
    reported_by: str = "",
    involved: tuple[str, ...] = (),
    images: tuple[tuple[str, str], ...] = (),
) -> Reply:
    heading = TEMPLATE_HEADINGS.get(template, "Report")
    urgent = "🚨 SOMEONE MAY BE AT RISK OF HARM — please act now.\n" if report["at_risk"] else ""
    status = STATUS_LABELS.get(report["status"], report["status"])
    lines = [f"{urgent}{heading}: {report['ref']}", *([reported_by] if reported_by else []), *summary_lines(report)]
    if involved:
        lines.append("People involved (never sent this report): " + ", ".join(involved))
    lines.append(f"Status: {status}")
    if report["status"] == "open":
        lines.append(f"Please acknowledge by {when(report['ack_due_at'])}.")
    elif report["status"] == "acknowledged":
        lines.append(f"Acknowledged {when(report['acknowledged_at'])}.")
    else:
        lines.append(f"Resolved {when(report['resolved_at'])}: {OUTCOME_LABELS.get(report['outcome'], '')}")
    if report["status"] != "resolved" and report.get("resolve_due_at"):
        lines.append(f"Outcome due by {when(report['resolve_due_at'])}.")
    if report["status"] == "acknowledged" and report.get("snoozed_until"):
        # Stored as the start of the day after ("until the end of Wednesday"): said as the day it is.
        last = datetime.fromisoformat(report["snoozed_until"]) - timedelta(minutes=1)
        lines.append(f"Reminders paused until the end of {last.astimezone(ZoneInfo('Europe/London')):%a %d %b %Y}.")
    flags = json.loads(report["flags"] or "[]")
    for flag in flags:
        if flag == "involves_named_line" and "confidential" in flags:
            lines.append(NAMED_LINE_CONFIDENTIAL)  # confidential routing never goes up the line
        elif flag in FLAG_LABELS:
            lines.append(FLAG_LABELS[flag])
        elif flag == "unreachable:the reporter":
            lines.append(REPORTER_UNREACHABLE)
        elif flag.startswith("unreachable:"):
            lines.append(UNREACHABLE.format(email=flag.partition(":")[2]))
    ref = report["ref"]
    buttons: tuple[Button, ...] = (Button(actions.REPORT_DETAILS, "View details", ref),)
    if report["status"] != "resolved":
        buttons = (
            *([Button(actions.REPORT_ACK, "Acknowledge", ref, "primary")] if report["status"] == "open" else []),
            Button(actions.REPORT_NOTE, "Add note", ref),
            Button(actions.REPORT_REASSIGN, "Reassign", ref),
            *([Button(actions.REPORT_SNOOZE, "Snooze reminders", ref)] if report["status"] == "acknowledged" else []),
            Button(actions.REPORT_RESOLVE, "Resolve", ref, "danger"),
            *buttons,
        )
    links = tuple(u for u in json.loads(report["links"] or "[]") if u.startswith(("https://", "http://")))
    return Reply(
        "\n".join(lines),
        intent="report",
        buttons=buttons,
        report_ref=ref,
        report_status=report["status"],
        template=template,
        links=links,
        images=images,
    )


def reassigned_reply(report: dict, to_name: str) -> Reply:
    """An old copy after a reassignment: who has it now, and nothing else (no description, no buttons)."""
    return Reply(
        f"{report['ref']}: Reassigned to {to_name}.",
        intent="report",
        report_ref=report["ref"],
        report_status=report["status"],
        template="reassigned",
    )


def details_button(ref: str) -> tuple[Button, ...]:
    return (Button(actions.REPORT_DETAILS, "View details", ref),)


def reporter_confirmation(report: dict) -> Reply:
    if "no_recipients" in json.loads(report["flags"] or "[]"):
        return Reply(
            f"Your report is saved as {report['ref']}, but I couldn't find anyone in the staff directory "
            f"to send it to. Please tell the Communications Manager about it directly, quoting "
            f"{report['ref']}. If someone is in immediate danger, call 999.",
            intent="report",
            report_ref=report["ref"],
        )
    who = (
        "It has gone to the Communications team (and HR, without your name, if you asked for support or someone "
        "is at risk); nobody but the Communications team will see your name. "
        if report.get("confidential")
        else "It has gone to the right people. "
    )
    text = (
        f"Thank you — your report is {report['ref']}. {who}You'll hear from me when it is acknowledged "
        f"and when it is resolved.\n\n"
        f"When to expect to hear: acknowledgement by {when(report['ack_due_at'])}, and an outcome by "
        f"{when(report['resolve_due_at'])}.\n\n"
        f"While you wait: please don't engage with the poster. Support is available from HR and the staff "
        f"support programmes. If someone is in immediate danger, call 999.\n\n"
        f"Type “/report status” at any time to see where your reports stand."
    )
    return Reply(text, intent="report", report_ref=report["ref"], buttons=details_button(report["ref"]))


def reporter_update(report: dict, template: str) -> Reply:
    if template == "reporter_resolved":
        outcome = OUTCOME_LABELS.get(report["outcome"], "")
        text = f"Your report {report['ref']} has been resolved. Outcome: {outcome}. Thank you for reporting it."
    elif template == "reporter_overdue":
        text = (
            f"Your report {report['ref']} has not reached an outcome by {when(report['resolve_due_at'])}, "
            "the date I gave you. It is still being looked at, and the Communications team has been told. "
            "I'll tell you when it is resolved."
        )
    else:
        text = (
            f"Your report {report['ref']} has been acknowledged and is being looked at. "
            f"You should have an outcome by {when(report['resolve_due_at'])}; I'll tell you when it is "
            "resolved."
        )
    return Reply(text, intent="report", report_ref=report["ref"], buttons=details_button(report["ref"]))


def detail_reply(d: dict) -> Reply:
    """A report's details and history (handlers.reports.timeline.detail) as a message: "View details"."""
    lines = [f"{d['ref']} — {d['category_label']}", f"Status: {d['status_label']}"]
    who = d["reporter"]
    lines.append(f"Reported by: {who['name'] if who else 'withheld (confidential)'}")
    lines.append(f"Where: {d['platform_label']}" + (f" — {d['account']}" if d["account"] else ""))
    if d["service_area"]:
        lines.append(f"Service area: {d['service_area']}")
    if d["status"] != "resolved":
        lines.append(f"Acknowledgement due by {when(d['ack_due_at'])}; outcome due by {when(d['resolve_due_at'])}.")
    elif d["outcome_label"]:
        lines.append(f"Outcome: {d['outcome_label']}")
    lines.append(f"What happened: {d['description']}")
    lines.append("")
    lines.append("History:")
    for e in d["timeline"]:
        note = f" — {e['note']}" if e["note"] else ""
        lines.append(f"• {when(e['at'])}: {e['actor']} {e['action'].replace('_', ' ')}{note}")
    # changed=False: looking changes nothing, so it never spends a card's single-use token (Teams).
    return Reply(
        "\n".join(lines),
        intent="report",
        ephemeral=True,
        panel=True,
        report_ref=d["ref"],
        changed=False,
        report_status=d["status"],
        links=tuple(u for u in d["links"] if u.startswith(("https://", "http://"))),
    )


def status_list(reports: list[dict], heading: str, empty: str) -> Reply:
    if not reports:
        return Reply(empty, intent="report", ephemeral=True)
    lines = [heading]
    for r in reports:
        due = f", due {when(r['ack_due_at'])}" if r["status"] == "open" else ""
        lines.append(
            f"• {r['ref']} — {CATEGORY_LABELS.get(r['category'], r['category'])} — "
            f"{STATUS_LABELS.get(r['status'], r['status'])}{due}"
        )
    return Reply("\n".join(lines), intent="report", ephemeral=True, report_refs=tuple(r["ref"] for r in reports))


def note_form(ref: str, errors: dict | None = None, note: str = "") -> Form:
    """`note`: what was typed, given back with the error that stopped it (nothing typed is lost)."""
    return Form(
        actions.REPORT_NOTE_SUBMIT,
        f"Note on {ref}"[:24],
        (FormField("note", "Note", "multiline", required=True, value=note, max_length=MAX_NOTE),),
        submit_label="Add note",
        private_metadata=ref,
        errors=errors or {},
    )


def reassign_form(ref: str, people: list[Person], errors: dict | None = None) -> Form:
    # Everyone, managers and the communications team first: each platform lists as many as it can show (Slack 100,
    # Teams 150, the web chat all).
    options = tuple((p.email, f"{p.name} ({p.service_area})" if p.service_area else p.name) for p in people)
    return Form(
        actions.REPORT_REASSIGN_SUBMIT,
        f"Reassign {ref}"[:24],
        (FormField("to", "Reassign to", "select", options, required=True),),
        submit_label="Reassign",
        private_metadata=ref,
        errors=errors or {},
    )


def resolve_form(ref: str, errors: dict | None = None, values: dict | None = None) -> Form:
    v = values or {}
    return Form(
        actions.REPORT_RESOLVE_SUBMIT,
        f"Resolve {ref}"[:24],
        (
            FormField("outcome", "Outcome", "select", OUTCOMES, required=True, value=v.get("outcome", "")),
            FormField("note", "Note (optional)", "multiline", max_length=MAX_NOTE, value=v.get("note", "")),
        ),
        submit_label="Resolve",
        private_metadata=ref,
        errors=errors or {},
    )


def snooze_form(ref: str, errors: dict | None = None) -> Form:
    return Form(
        actions.REPORT_SNOOZE_SUBMIT,
        f"Snooze {ref}"[:24],
        (
            FormField(
                "until",
                "Pause reminders until",
                "date",
                required=True,
                hint="At most 10 working days ahead. Reminders and escalation resume after this date.",
            ),
            FormField("reason", "Reason", "multiline", required=True, max_length=500),
        ),
        submit_label="Snooze",
        private_metadata=ref,
        errors=errors or {},
    )
