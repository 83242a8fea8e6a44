"""A report's own page and its JSON, and the communications team's report list, CSV and metrics.

- `GET /api/reports/<ref>` and `/reports/<ref>`: the report and its history as this person may see them
  (handlers/reports/timeline.py): its reporter, current recipients and the Communications team; 403 for anyone
  else (never someone named as involved), 404 for an unknown reference.
- `GET /api/admin/reports` and `GET /api/admin/reports.csv`: for the communications and admin roles, filtered by
  `status`, `category`, `service_area` (the one the report concerns) and `overdue=1`.
  What /admin shows of these is in bot/web/oversight.py.
"""

from __future__ import annotations

import logging

from aiohttp import web

from bot.web.admin import check_admin
from bot.web.endpoint import WebChat, endpoint, require_person
from bot.web.html import esc, page
from bot.web.identity import Identity
from bot.web.input import BadInput
from bot.web.oversight import filters
from handlers import messages
from handlers.reports import overview, timeline
from handlers.reports.views import when

log = logging.getLogger("ted.web.reports")


def _detail(w: WebChat, who: Identity, ref: str) -> dict:
    require_person(w, who)
    report = w.ted.reports.by_ref(ref)
    if report is None:
        raise BadInput(messages.WEB_NOT_FOUND, 404)
    kind = timeline.viewer_kind(w.ted.reports, report, who.person)
    if kind is None:
        log.info("refused report view report=%s", report["id"])
        raise BadInput(messages.NOT_ALLOWED_TO_VIEW, 403)
    return timeline.detail(w.ted.reports, report, kind)


@endpoint()
async def report_api(request: web.Request, w: WebChat, who: Identity) -> web.Response:
    return web.json_response(_detail(w, who, request.match_info["ref"]))


@endpoint(html=True)
async def report_page(request: web.Request, w: WebChat, who: Identity) -> web.Response:
    d = _detail(w, who, request.match_info["ref"])
    return web.Response(text=page(d["ref"], detail_html(d), signed_in_as=who.name), content_type="text/html")


def detail_html(d: dict) -> str:
    who = d["reporter"]
    facts = [
        ("What", d["category_label"]),
        ("Where", d["platform_label"] + (f" — {d['account']}" if d["account"] else "")),
        ("Service area", d["service_area"] or "—"),
        ("Status", d["status_label"]),
        ("Reported by", f"{who['name']}" if who else timeline.WITHHELD),
        ("Filed", when(d["created_at"])),
    ]
    if d["status"] == "resolved":
        facts.append(("Outcome", d["outcome_label"] or "—"))
    else:
        facts += [("Acknowledgement due", when(d["ack_due_at"])), ("Outcome due", when(d["resolve_due_at"]))]
    if d["involved"]:
        facts.append(("People involved", ", ".join(d["involved"])))
    if d.get("recipients"):
        facts.append(("With", ", ".join(d["recipients"])))
    dl = "".join(f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in facts)
    links = "".join(
        f'<li><a href="{esc(u)}" rel="noopener noreferrer nofollow">{esc(u)}</a></li>'
        for u in d["links"]
        if u.startswith(("https://", "http://"))
    )
    shots = "".join(
        f'<a href="{esc(a["url"])}"><img src="{esc(a["url"])}" alt="Screenshot: {esc(a["name"])}"></a>'
        for a in d["attachments"]
    )
    events = "".join(
        f'<li><time datetime="{esc(e["at"])}">{esc(when(e["at"]))}</time> — <strong>{esc(e["actor"])}</strong> '
        f"{esc(e['action'].replace('_', ' '))}{' — ' + esc(e['note']) if e['note'] else ''}</li>"
        for e in d["timeline"]
    )
    return (
        f"<h1>Report {esc(d['ref'])}</h1>"
        + ('<p class="badge overdue">At risk of harm</p>' if d["at_risk"] else "")
        + f'<dl class="facts">{dl}</dl>'
        + f'<section aria-labelledby="h-what"><h2 id="h-what">What happened</h2><p>{esc(d["description"])}</p>'
        + (f'<ul class="report-links">{links}</ul>' if links else "")
        + (f'<div class="shots">{shots}</div>' if shots else "")
        + "</section>"
        + '<section aria-labelledby="h-history"><h2 id="h-history">History</h2>'
        + f'<ol class="timeline">{events}</ol></section><p><a href="/">Back to TED</a></p>'
    )


# -- the communications team's view ---------------------------------------------------------------------------
@endpoint()
async def admin_reports(request: web.Request, w: WebChat, who: Identity) -> web.Response:
    check_admin(w, who)
    now = w.ted.reports.clock()
    rows = overview.select(w.ted.reports, who.email, now=now, **filters(request))
    return web.json_response({"reports": [overview.row_json(r, now) for r in rows]})


@endpoint()
async def admin_reports_csv(request: web.Request, w: WebChat, who: Identity) -> web.Response:
    check_admin(w, who)
    f = filters(request)
    f["status"] = f["status"] or "all"  # an export is of every report unless asked otherwise
    rows = overview.select(w.ted.reports, who.email, **f)
    return web.Response(
        text=overview.to_csv(rows),
        content_type="text/csv",
        charset="utf-8",
        headers={"Content-Disposition": 'attachment; filename="ted-reports.csv"'},
    )
