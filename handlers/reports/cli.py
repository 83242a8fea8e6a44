"""`ted directory …` and `ted reports …`: the communications team's and IT's command line."""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

from core.problems import Problem
from handlers.ask.privacy import purge_questions
from handlers.directory import DirectoryError, manager_warnings, parse_csv
from handlers.reports import escalation, timeline
from handlers.reports.actions import OUTCOME_LABELS
from handlers.reports.views import STATUS_LABELS, summary_lines, when


def directory_command(ted, args: argparse.Namespace) -> int:
    if args.action == "list":
        for p in ted.directory.everyone(include_left=True):
            left = "" if p.active else "  (left)"
            print(f"{p.email:35} {p.name:25} {p.service_area:20} {';'.join(sorted(p.roles))}{left}")
        return 0
    if not args.file:
        print("ted directory import: which file? e.g. `ted directory import staff.csv`", file=sys.stderr)
        return 2
    try:
        rows = parse_csv(Path(args.file).read_text("utf-8"))
    except FileNotFoundError:
        print(f"ted directory import: {args.file}: no such file (nothing was changed).", file=sys.stderr)
        return 1
    except IsADirectoryError:
        print(f"ted directory import: {args.file} is a folder, not a CSV file (nothing was changed).", file=sys.stderr)
        return 1
    except UnicodeDecodeError as exc:
        print(
            f"ted directory import: {args.file} is not UTF-8 text (byte {exc.start}); save it as UTF-8 CSV "
            "(nothing was changed).",
            file=sys.stderr,
        )
        return 1
    except OSError as exc:
        print(f"ted directory import: cannot read {args.file} ({exc.strerror}; nothing was changed).", file=sys.stderr)
        return 1
    except DirectoryError as exc:
        print(f"ted directory import: {args.file}: {exc} (nothing was changed).", file=sys.stderr)
        return 1
    counts = ted.directory.import_rows(rows)
    for warning in manager_warnings(rows):
        print(f"ted directory import: note: {warning}.", file=sys.stderr)
    print(
        f"Directory imported: {counts['added']} added, {counts['updated']} updated, {counts['unchanged']} unchanged, "
        f"{counts['left']} marked as left."
    )
    return 0


def reports_command(ted, args: argparse.Namespace) -> int:
    svc = ted.reports
    if args.action == "list":
        where, params = ("where status = ?", [args.status]) if args.status else ("", [])
        rows = list(ted.db.query(f"select * from reports {where} order by id desc", params))
        if args.json:
            print(json.dumps([_public(r) for r in rows], indent=2))
            return 0
        if not rows:
            print("No reports.")
        for r in rows:
            due = f"  due {when(r['ack_due_at'])}" if r["status"] == "open" else ""
            print(f"{r['ref']}  {STATUS_LABELS[r['status']]:32} {r['category']:17} {when(r['created_at'])}{due}")
        return 0
    if args.action in ("show", "hold", "release"):
        report = svc.by_ref(args.ref or "")
        if report is None:
            print(f"ted reports {args.action}: no report {args.ref!r}", file=sys.stderr)
            return 1
        if args.action != "show":
            escalation.set_legal_hold(svc, report["ref"], args.action == "hold", "cli")
            print(f"{report['ref']}: legal hold {'on' if args.action == 'hold' else 'off'}.")
            return 0
        if args.json:
            print(
                json.dumps(
                    {
                        **report,
                        "recipients": svc.recipients(report["id"], False),
                        "events": svc.events(report["id"]),
                        "timeline": timeline.timeline(svc, report, timeline.ALL),
                    },
                    indent=2,
                )
            )
            return 0
        print(f"{report['ref']} — {STATUS_LABELS[report['status']]}")
        if report["outcome"]:
            print(f"Outcome: {OUTCOME_LABELS.get(report['outcome'], report['outcome'])}")
        if report["legal_hold"]:
            print("Legal hold: on (kept past the retention period until released)")
        print("\n".join(summary_lines(report)))
        print(f"Reporter: {report['reporter_email'] or report['reporter_user_id']}")
        print("Recipients: " + ", ".join(f"{r['email']} ({r['role']})" for r in svc.recipients(report["id"], False)))
        for e in timeline.timeline(svc, report, timeline.ALL):
            print(f"  {when(e['at'])}  {e['actor']:30} {e['action']}  {e['note']}")
        return 0
    if args.action == "export":
        if not args.email:
            print("ted reports export: --email is required", file=sys.stderr)
            return 2
        if not _EMAILISH.match(args.email.strip()):
            print(
                f"ted reports export: {args.email!r} is not an email address; give the person's address as the "
                "directory has it (nothing was exported)",
                file=sys.stderr,
            )
            return 2
        found = export_person(ted, args.email)
        print(json.dumps(found, indent=2, ensure_ascii=False))
        if found.get("directory") is None:  # a typo would otherwise read as "we hold nothing about them"
            print(
                f"ted reports export: note: {args.email.strip().lower()} is not in the staff directory; check the "
                "address before sending an empty export (ids on Slack and Teams are found only through it)",
                file=sys.stderr,
            )
        return 0
    if args.action == "purge":
        refs = escalation.purge(svc, dry_run=args.dry_run, forget_attachments=ted.forget_attachments)
        verb = "Would purge" if args.dry_run else "Purged"
        print(
            f"{verb} {len(refs)} report(s) older than {ted.settings.retention_days} days"
            + (f": {', '.join(refs)}" if refs else ".")
        )
        days = ted.settings.question_retention_days
        counts = purge_questions(ted.db, days, svc.clock(), dry_run=args.dry_run)
        verb = "Would delete" if args.dry_run else "Deleted"
        print(
            f"{verb} questions and feedback older than {days} days: "
            + ", ".join(f"{n} {QUESTION_TABLE_NAMES[t]}" for t, n in counts.items())
            + "."
        )
        return 0
    if args.action == "tick":
        refs = escalation.tick(svc)
        print(f"Escalated {len(refs)} report(s)" + (f": {', '.join(refs)}" if refs else "."))
        return 0
    raise AssertionError(f"unhandled action {args.action}")


QUESTION_TABLE_NAMES = {
    "asked": "questions asked",
    "unanswered": "unanswered questions",
    "feedback": "feedback",
    "threads": "conversation memories",
}


def _public(r: dict) -> dict:
    return {k: r[k] for k in ("ref", "status", "category", "created_at", "ack_due_at", "escalation_level")}


_EMAILISH = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def export_person(ted, email: str) -> dict:
    """Everything TED holds about one person, for a subject access request."""
    email = email.strip().lower()
    person = ted.db.execute("select * from people where email = ?", [email]).fetchone()
    cols = [c.name for c in ted.db["people"].columns]
    filed = list(ted.db.query("select * from reports where reporter_email = ?", [email]))
    received = list(
        ted.db.query(
            "select r.ref, x.role, x.reason, x.added_at from report_recipients x "
            "join reports r on r.id = x.report_id where x.email = ?",
            [email],
        )
    )
    actions = list(
        ted.db.query(
            "select r.ref, e.at, e.action, e.detail from report_events e join reports r "
            "on r.id = e.report_id where e.actor = ?",
            [email],
        )
    )
    messages = list(ted.db.query("select report_id, created_at, reply from web_messages where email = ?", [email]))
    # Reports in which someone named them as involved: that they were named, when and in what kind of report (the
    # report's words are the reporter's, about them: for the DPO to review before release, as with any third party).
    named = [
        {"ref": r["ref"], "created_at": r["created_at"], "category": r["category"], "status": r["status"]}
        for r in ted.db.query("select ref, created_at, category, status, involved from reports")
        if email in json.loads(r["involved"] or "[]")
    ]
    entry = dict(zip(cols, person, strict=True)) if person else {}
    # The person's ids on each platform: questions and feedback are keyed by those, not by email.
    ids = [("web", email)] + [
        (p, entry.get(c) or "") for p, c in (("slack", "slack_user_id"), ("teams", "teams_user_id"))
    ]
    ids = [(p, i) for p, i in ids if i]
    where = " or ".join("(platform = ? and user_id = ?)" for _ in ids) or "0"
    flat = [x for pair in ids for x in pair]
    # Questions and feedback may be stored under a pseudonym (TED_PSEUDONYMISE_QUESTIONS): look for those too.
    if not ted.conversations.ids.can_find_all():
        raise Problem(
            "some questions are stored under a pseudonym made with a key this command doesn't have, so the export "
            "would leave them out: run it with the server's settings (the same TED_PSEUDONYM_KEY, or none if the "
            "server has none)"
        )
    stored = [(p, s) for p, i in ids for s in ted.conversations.ids.every_form(p, i)]
    where_q = " or ".join("(platform = ? and user_id = ?)" for _ in stored) or "0"
    flat_q = [x for pair in stored for x in pair]
    asked = list(
        ted.db.query(f"select asked_at, platform, question, intent, clause from asked where {where_q}", flat_q)
    )
    where_fb = where_q.replace("platform", "channel")
    feedback = list(
        ted.db.query(
            f"select given_at, channel, question, clause, helpful, reason from feedback where {where_fb}", flat_q
        )
    )
    where_rep = where.replace("platform", "reporter_platform").replace("user_id", "reporter_user_id")
    by_id = list(ted.db.query(f"select * from reports where reporter_email != ? and ({where_rep})", [email, *flat]))
    for r in filed + by_id:
        # The person's own reports with what was done about them: the notes recipients added and the outcome.
        r["notes"] = [
            {"at": e["at"], "by": timeline.name_of(ted.reports, e["actor"]), "note": text}
            for e in ted.reports.events(r["id"])
            if (
                text := e["detail"]
                if e["action"] == "note"
                else e["detail"].partition(":")[2].strip()
                if e["action"] == "resolved"
                else ""
            )
        ]
        r["outcome_label"] = OUTCOME_LABELS.get(r["outcome"] or "", "")
        r["timeline"] = timeline.timeline(ted.reports, r, timeline.REPORTER)
    teams_id = entry.get("teams_user_id") or ""
    db = ted.db
    # What Teams told TED about them (their ids, and the stored conversation reference, which holds their name).
    teams = (
        list(db.query("select * from teams_users where user_id = ? or aad_object_id = ?", [teams_id, teams_id]))
        + list(
            db.query(
                "select conversation_id, kind, tenant_id, team_id, user_id, aad_object_id, reference, updated_at "
                "from teams_conversations where user_id = ? or aad_object_id = ?",
                [teams_id, teams_id],
            )
        )
        if teams_id and db["teams_users"].exists()
        else []
    )
    uploads = list(db.query("select id, size, uploaded_at, kept from uploads where owner = ?", [email]))
    curation = list(db.query("select at, action, doc_id, target, before, after from kb_audit where actor = ?", [email]))
    taught = list(
        db.query(
            "select id, kind, doc_id, clause, question, status, added_at, ended_at from taught "
            "where added_by = ? or ended_by = ?",
            [email, email],
        )
    )
    notifications = list(
        db.query(
            "select o.created_at, o.template, o.status, r.ref from outbox o left join reports r on r.id = o.report_id "
            "where o.recipient = ?",
            [email],
        )
    )
    return {
        "notice": export_notice(ted.settings, ted.reports.clock()),
        "email": email,
        "directory": entry or None,
        "reports_filed": filed + by_id,
        "reports_received": received,
        "reports_naming_them": named,
        "actions_taken": actions,
        "web_messages": messages,
        "questions_asked": asked,
        "feedback_given": feedback,
        "teams_references": teams,
        "screenshots_uploaded": uploads,
        "notifications_sent": notifications,
        "curation_actions": curation,
        "questions_taught": taught,
    }


def export_notice(settings, now) -> dict:
    """What the export covers and what it does not, and how to complain: sent with every subject access export."""
    return {
        "title": "Everything TED holds about this person (UK GDPR Article 15, subject access)",
        "generated_at": now.isoformat(timespec="seconds"),
        "controller": "Tendring District Council",
        "covers": [
            "the staff directory entry",
            "reports filed (by email or by Slack/Teams id)",
            "reports sent to this person",
            "reports in which someone named them as involved (reference, date, category, status)",
            "actions and notes they took on reports",
            "escalation messages in their TED Web Chat inbox",
            "questions asked and feedback given on any platform, including any stored under a pseudonym",
            "what Microsoft Teams told TED about them (ids and the stored conversation reference, with their name)",
            "screenshots they uploaded (ids, sizes and dates; the files go with this export)",
            "notifications TED sent them (when, which kind, about which report; their words are rendered from the "
            "report, listed above)",
            "changes they made to the knowledge base (the audit log) and questions they taught or forgot",
        ],
        "does_not_cover": [
            "the list of questions TED could not answer, which keeps no record of who asked (the "
            "person's own questions, answered or not, are under questions_asked)",
            "reports in which the person is only mentioned in the words of the description (search them by name)",
            "reviewing third parties' data: the notes recipients added to the person's own reports, and the "
            "report notifications in their web inbox (which quote reports they were sent, naming the reporter and "
            "the people involved), are included and may name others; the DPO reviews them before the export is "
            "released",
            "conversation memory (the last question in a chat, used for follow-ups for 10 minutes), which is kept "
            "by chat, not by person, and deleted with the questions",
            "screenshot files (listed under each report's attachments; send them with this export)",
            "messages held by Slack or Microsoft Teams themselves (ask the council's IT team)",
            "anything already deleted under the retention periods below",
        ],
        "retention": {
            "questions_feedback_and_conversation_memory_days": settings.question_retention_days,
            "report_personal_content_days_after_resolution": settings.retention_days,
        },
        "pseudonymised_questions": settings.pseudonymise_questions,
        "how_to_complain": (
            f"Contact {settings.dpo_contact} first: the council will acknowledge a complaint within "
            "30 days. You can also complain to the Information Commissioner's Office (ICO): "
            "https://ico.org.uk/make-a-complaint/ or 0303 123 1113."
        ),
        "privacy_notice": f"{settings.base_url}/privacy",
    }
