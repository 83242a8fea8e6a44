"""`/admin` for the communications team (roles `admin`, `communications`, `communications_manager`):
open reports with their deadline status and actions, unanswered questions, feedback, and the state of the
knowledge base. `GET /api/admin` returns the same as JSON.

The action buttons are the recipients' own (Acknowledge, Add note, Reassign, Resolve) and are pressed
through `POST /api/action`, so the same handlers authorise them as on Slack and Teams.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta

from aiohttp import web

from bot.web import oversight
from bot.web.endpoint import WebChat, endpoint
from bot.web.html import esc, page
from bot.web.identity import LOCAL, Identity
from bot.web.input import BadInput
from bot.web.render import button_json
from chat.actions import REPORT_DETAILS
from handlers import messages
from handlers.ask.conversation import list_feedback
from handlers.ask.service import unanswered
from handlers.reports import overview
from handlers.reports.actions import ReportActions
from handlers.reports.form import CATEGORY_LABELS, PLATFORM_LABELS
from handlers.reports.views import STATUS_LABELS, recipient_reply, when
from knowledge.store import list_documents

log = logging.getLogger("ted.web.admin")
DUE_SOON = timedelta(hours=2)
LIMIT = 50


_DEALT = {"taught": "taught to a clause", "not_covered": "marked not covered", "dismissed": "dismissed"}


def deadline(report: dict, now: datetime) -> dict:
    if report["status"] == "acknowledged":
        return {"key": "acknowledged", "label": f"Acknowledged {when(report['acknowledged_at'])}"}
    due = datetime.fromisoformat(report["ack_due_at"])
    if due <= now:
        return {"key": "overdue", "label": f"Overdue — was due {when(report['ack_due_at'])}"}
    if due - now <= DUE_SOON:
        return {"key": "due_soon", "label": f"Due soon — by {when(report['ack_due_at'])}"}
    return {"key": "on_time", "label": f"Due by {when(report['ack_due_at'])}"}


def web_uploads(attachments: str | None, ref: str = "") -> list[dict]:
    """Screenshots attached in the web chat (Slack's own files stay in Slack)."""
    try:
        items = json.loads(attachments or "[]")
    except ValueError as exc:
        log.warning("report %s: its attachments are unreadable error=%s", ref, type(exc).__name__)
        return []
    return [
        {"name": str(a.get("name", "")), "url": a["url"]}
        for a in items
        if isinstance(a, dict) and str(a.get("url", "")).startswith("/uploads/")
    ]


def admin_data(ted, now: datetime | None = None, viewer: str = "") -> dict:
    now = now or ted.reports.clock()
    people = {p.email: p.name for p in ted.directory.everyone(include_left=True)}
    acts = ReportActions(ted.reports)
    person = ted.directory.get(viewer) if viewer else None
    reports = []
    for r in ted.reports.unresolved():
        if viewer in ted.reports.excluded(r):
            continue  # nobody sees a report they are named in, or that was routed around them
        # The screenshots and the buttons only for someone who may act on it (an IT admin sees the queue, not
        # the evidence: GET /uploads/<id> would refuse them anyway). No viewer: TED's own callers, all of it.
        handles = not viewer or acts.can_act(r, person)
        reports.append(
            {
                "ref": r["ref"],
                "category_label": CATEGORY_LABELS.get(r["category"], r["category"]),
                "where": PLATFORM_LABELS.get(r["platform_name"], r["platform_name"]),
                "service_area": r["service_area"],
                "created": when(r["created_at"]),
                "status": r["status"],
                "status_label": STATUS_LABELS[r["status"]],
                "deadline": deadline(r, now),
                "at_risk": bool(r["at_risk"]),
                "recipients": [people.get(x["email"], x["email"]) for x in ted.reports.recipients(r["id"])],
                "attachments": web_uploads(r["attachments"], r["ref"]) if handles else [],
                "buttons": [button_json(b) for b in recipient_reply(r).buttons if b.action_id != REPORT_DETAILS]
                if handles
                else [],
                "link": f"/reports/{r['ref']}",
            }
        )
    meta = dict(ted.db.execute("select key, value from kb_meta").fetchall())
    docs = [
        {
            k: d[k]
            for k in ("id", "title", "version", "owner", "review_cycle", "next_review", "clause_count", "ingested_at")
        }
        for d in list_documents(ted.db)
    ]
    # What the communications team did about each unanswered question (knowledge/teach, handlers/curation/queue).
    dealt = {
        r[0]: _DEALT.get(r[1], r[1])
        for r in ted.db.execute("select item_id, outcome from kb_triage where kind = 'unanswered'")
    }
    return {
        "open_reports": reports,
        "overdue": sum(1 for r in reports if r["deadline"]["key"] == "overdue"),
        "unanswered": [
            {k: u[k] for k in ("asked_at", "channel", "question", "best_doc", "best_clause", "confidence")}
            | {"dealt_with": dealt.get(u["id"], "")}
            for u in unanswered(ted.db, LIMIT)
        ],
        "feedback": [
            {k: f[k] for k in ("given_at", "channel", "question", "doc_id", "clause", "helpful", "reason")}
            for f in list_feedback(ted.db, LIMIT)
        ],
        "knowledge": {
            "documents": docs,
            "last_ingest": meta.get("last_ingest", ""),
            "revision": meta.get("revision", ""),
        },
        "metrics": overview.metrics(ted.reports, viewer),
    }


def _table(caption: str, heads: tuple[str, ...], rows: list[str], empty: str) -> str:
    if not rows:
        return f'<p class="muted">{esc(empty)}</p>'
    th = "".join(f'<th scope="col">{esc(h)}</th>' for h in heads)
    return (
        f'<div class="table-wrap"><table><caption class="vh">{esc(caption)}</caption><thead><tr>{th}</tr>'
        f"</thead><tbody>{''.join(rows)}</tbody></table></div>"
    )


def _td(*cells: str) -> str:
    return "<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>"


def admin_html(data: dict, who: Identity, csrf: str, extra: str = "") -> str:
    reports = []
    for r in data["open_reports"]:
        buttons = "".join(
            f'<button type="button" class="btn {esc(b["style"])}" data-action-id="{esc(b["action_id"])}" '
            f'data-value="{esc(b["value"])}">{esc(b["label"])}<span class="vh"> {esc(r["ref"])}</span></button>'
            for b in r["buttons"]
        )
        risk = '<strong class="badge overdue">At risk of harm</strong> ' if r["at_risk"] else ""
        shots = "".join(f'<br><a href="{esc(a["url"])}">{esc(a["name"])}</a>' for a in r["attachments"])
        reports.append(
            _td(
                f'<strong>{esc(r["ref"])}</strong><br><span class="muted">{esc(r["created"])}</span>',
                f'{risk}{esc(r["category_label"])}<br><span class="muted">{esc(r["where"])}'
                f"{' · ' + esc(r['service_area']) if r['service_area'] else ''}</span>{shots}",
                f'<span class="badge {esc(r["deadline"]["key"])}">{esc(r["deadline"]["label"])}</span>',
                esc(", ".join(r["recipients"])),
                f'<div class="actions">{buttons}</div>',
            )
        )
    unanswered_rows = [
        _td(esc(when(u["asked_at"])), esc(u["channel"]), esc(u["question"]), esc(u["dealt_with"] or "waiting"))
        for u in data["unanswered"]
    ]
    feedback_rows = [
        _td(
            esc(when(f["given_at"])),
            "👍 Helpful" if f["helpful"] else "👎 Not helpful",
            esc(f["clause"] or "—"),
            esc(f["question"]),
            esc(f["reason"] or ""),
        )
        for f in data["feedback"]
    ]
    kb = data["knowledge"]
    doc_rows = [
        _td(
            f'<a href="/policy/{esc(d["id"])}">{esc(d["title"])}</a>',
            esc(d["version"] or "—"),
            esc(d["review_cycle"] or "—"),
            esc(d["next_review"] or "not set"),
            esc(d["clause_count"]),
            esc(when(d["ingested_at"]) if d["ingested_at"] else "—"),
        )
        for d in kb["documents"]
    ]
    n, overdue = len(data["open_reports"]), data["overdue"]
    main = (
        "<h1>TED admin</h1>"
        f'<p class="lede">{n} open report{"s" if n != 1 else ""}'
        f"{f', {overdue} overdue' if overdue else ''}.</p>"
        '<p id="status" class="status" role="status" aria-live="polite"></p>'
        '<section aria-labelledby="h-open"><h2 id="h-open">Open reports</h2>'
        + _table("Open reports", ("Reference", "What", "Deadline", "Sent to", "Actions"), reports, "No open reports.")
        + '</section><section aria-labelledby="h-unanswered"><h2 id="h-unanswered">Unanswered questions</h2>'
        + _table(
            "Unanswered questions",
            ("When", "Where", "Question", "Dealt with"),
            unanswered_rows,
            "Nothing unanswered yet.",
        )
        + '</section><section aria-labelledby="h-feedback"><h2 id="h-feedback">Feedback</h2>'
        + _table("Feedback", ("When", "Rating", "Clause", "Question", "Reason"), feedback_rows, "No feedback yet.")
        + '</section><section aria-labelledby="h-kb"><h2 id="h-kb">Knowledge base</h2>'
        '<p><a href="/admin/knowledge">Curate the knowledge base</a>: upload and publish policies, teach TED '
        "from unanswered questions and 👎 answers.</p>"
        f"<p>Last ingest: {esc(when(kb['last_ingest']) if kb['last_ingest'] else 'never')} · "
        f"revision {esc(kb['revision'] or '0')}</p>"
        + _table(
            "Documents",
            ("Policy", "Version", "Review cycle", "Next review", "Clauses", "Loaded"),
            doc_rows,
            "No documents.",
        )
        + "</section>"
        + extra
    )
    return page("Admin", main, scripts=("/static/admin.js",), meta={"csrf-token": csrf}, signed_in_as=who.name)


def check_admin(w: WebChat, who: Identity) -> None:
    if not who.email:
        raise BadInput(messages.WEB_PICK_FIRST if w.identity.mode == LOCAL else messages.WEB_NOT_SIGNED_IN, 401)
    if not who.is_admin:
        raise BadInput(messages.WEB_NOT_ADMIN, 403)


@endpoint(html=True)
async def admin_page(request: web.Request, w: WebChat, who: Identity) -> web.Response:
    check_admin(w, who)
    html = admin_html(
        admin_data(w.ted, viewer=who.email),
        who,
        w.identity.csrf_token(who),
        oversight.admin_sections(w.ted, who.email, request),
    )
    return web.Response(text=html, content_type="text/html")


@endpoint()
async def admin_api(request: web.Request, w: WebChat, who: Identity) -> web.Response:
    check_admin(w, who)
    return web.json_response(admin_data(w.ted, viewer=who.email))
