"""What /admin shows of the communications team's report oversight (bot/web/admin.py adds it below its own
tables): filters, the filtered reports each linking to its page (/reports/<ref>), the CSV link and response-time
metrics per category. The same data is JSON at /api/admin/reports and CSV at /api/admin/reports.csv
(bot/web/reports.py)."""

from __future__ import annotations

from aiohttp import web

from bot.web.html import esc
from bot.web.input import BadInput
from handlers.reports import overview
from handlers.reports.form import CATEGORIES
from handlers.reports.views import when

OVERDUE = ' <strong class="badge overdue">Overdue</strong>'


def filters(request: web.Request) -> dict:
    q = request.query
    status = q.get("status", "").strip()
    if status not in ("", "all", *overview.STATUSES):
        raise BadInput("Please choose a status: open, acknowledged, resolved or all.", field="status")
    category = q.get("category", "").strip()
    if category and category not in dict(CATEGORIES):
        raise BadInput("Please choose a category from the report form.", field="category")
    return {
        "status": status,
        "category": category,
        "service_area": q.get("service_area", "").strip()[:100],
        "overdue": q.get("overdue", "").strip() in ("1", "true", "yes", "on"),
    }


def _options(name: str, chosen: str, options: list[tuple[str, str]]) -> str:
    opts = "".join(
        f'<option value="{esc(v)}"{" selected" if v == chosen else ""}>{esc(label)}</option>' for v, label in options
    )
    return f'<select id="f-{name}" name="{name}">{opts}</select>'


def admin_sections(ted, viewer: str, request: web.Request) -> str:
    """The filters, the filtered reports (each linking to its page), the CSV link and the metrics, for /admin."""
    try:
        f = filters(request)
    except BadInput:
        f = {"status": "", "category": "", "service_area": "", "overdue": False}
    now = ted.reports.clock()
    rows = overview.select(ted.reports, viewer, now=now, **f)
    statuses = [("", "Not yet resolved"), ("all", "All"), *[(s, s.title()) for s in overview.STATUSES]]
    areas = [("", "Any")] + [(a, a) for a in ted.directory.service_areas()]
    form = (
        '<form class="filters" method="get" action="/admin" aria-label="Filter reports">'
        f'<div><label for="f-status">Status</label>{_options("status", f["status"], statuses)}</div>'
        f'<div><label for="f-category">Category</label>'
        f"{_options('category', f['category'], [('', 'Any'), *CATEGORIES])}</div>"
        f'<div><label for="f-service_area">Service area</label>'
        f"{_options('service_area', f['service_area'], areas)}</div>"
        f'<div class="single-check"><input type="checkbox" id="f-overdue" name="overdue" value="1"'
        f'{" checked" if f["overdue"] else ""}><label for="f-overdue">Overdue only</label></div>'
        '<div><button type="submit" class="btn primary">Show</button></div></form>'
    )
    body = "".join(
        f'<tr><td><a href="{esc(r["link"])}">{esc(r["ref"])}</a></td><td>{esc(r["category_label"])}</td>'
        f"<td>{esc(r['service_area'] or '—')}</td><td>{esc(r['status_label'])}"
        f"{OVERDUE if r['overdue'] else ''}</td>"
        f"<td>{esc(when(r['resolve_due_at']) if r['status'] != 'resolved' else r['outcome_label'])}</td></tr>"
        for r in (overview.row_json(x, now) for x in rows)
    )
    table = (
        (
            '<div class="table-wrap"><table id="reports-filtered"><caption class="vh">Reports</caption><thead><tr>'
            + "".join(
                f'<th scope="col">{h}</th>'
                for h in ("Reference", "What", "Service area", "Status", "Outcome due / outcome")
            )
            + f"</tr></thead><tbody>{body}</tbody></table></div>"
        )
        if rows
        else '<p class="muted">No reports match.</p>'
    )
    m = overview.metrics(ted.reports, viewer)
    mrows = "".join(
        f'<tr><th scope="row">{esc(v["label"])}</th><td>{v["count"]}</td>'
        f"<td>{esc('—' if v['median_hours_to_acknowledge'] is None else v['median_hours_to_acknowledge'])}"
        f"</td><td>{esc('—' if v['median_days_to_resolve'] is None else v['median_days_to_resolve'])}</td>"
        f"</tr>"
        for v in m.values()
    )
    return (
        '<section aria-labelledby="h-reports"><h2 id="h-reports">All reports</h2>'
        + form
        + table
        + f'<p><a href="/api/admin/reports.csv?{esc(request.query_string)}">Download as CSV</a></p></section>'
        '<section aria-labelledby="h-metrics"><h2 id="h-metrics">Response times</h2>'
        '<div class="table-wrap"><table id="metrics"><caption class="vh">Response times by category</caption>'
        '<thead><tr><th scope="col">Category</th><th scope="col">Reports</th>'
        '<th scope="col">Median working hours to acknowledge</th>'
        '<th scope="col">Median working days to resolve</th></tr></thead>'
        f"<tbody>{mrows}</tbody></table></div></section>"
    )
