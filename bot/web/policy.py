"""`GET /policy/<doc>`: a policy as a readable page, one heading per section and an anchor per clause.

The anchor is the clause number itself (`id="5.13"`), so Slack and Teams answers can link straight to a
clause: handlers/ask/chat.py builds f"{TED_PUBLIC_URL}/policy/{doc}#{clause}". Clause text is verbatim; the
short titles are TED's enrichment and are shown as such.
"""

from __future__ import annotations

from aiohttp import web

from bot.web.endpoint import WebChat, endpoint
from bot.web.html import esc, page
from bot.web.identity import Identity
from bot.web.render import policy_path
from handlers import messages
from knowledge.answer import document_name
from knowledge.model import Document
from knowledge.store import list_documents, load_document


def _meta_line(doc: Document) -> str:
    parts = [
        doc.publisher,
        doc.version,
        f"Owner: {doc.owner}" if doc.owner else "",
        f"Review: {doc.review_cycle}" if doc.review_cycle else "",
        f"Next review: {doc.next_review}" if doc.next_review else "",
    ]
    return " · ".join(esc(p) for p in parts if p)


def _groups(doc: Document) -> list[tuple[str, str, list]]:
    """(section number, heading, clauses) in document order."""
    titles = {s.number: s.title for s in doc.sections}
    out: list[tuple[str, str, list]] = []
    for c in doc.clauses:
        key = c.section or c.heading
        if not out or out[-1][0] != key:
            title = titles.get(c.section) or c.heading.split(" › ")[-1] or "Other"
            out.append((key, f"{c.section}. {title}" if c.section in titles else title, []))
        out[-1][2].append(c)
    return out


def policy_html(doc: Document, others: list[dict]) -> str:
    groups = _groups(doc)
    toc = "".join(f'<li><a href="#section-{esc(key)}">{esc(head)}</a></li>' for key, head, _ in groups)
    body = []
    for key, head, clauses in groups:
        items = "".join(
            f'<div class="clause" id="{esc(c.number)}"><h3><a class="num" href="#{esc(c.number)}">'
            f"{esc(c.number)}</a>{' ' + esc(c.title) if c.title else ''}</h3>"
            + "".join(f"<p>{esc(p)}</p>" for p in c.text.split("\n") if p.strip())
            + "</div>"
            for c in clauses
        )
        body.append(
            f'<section aria-labelledby="section-{esc(key)}"><h2 id="section-{esc(key)}">{esc(head)}</h2>'
            f"{items}</section>"
        )
    more = "".join(
        f'<li><a href="{esc(policy_path(d["id"]))}">{esc(d["title"])}</a></li>' for d in others if d["id"] != doc.id
    )
    main = (
        f'<p class="crumbs"><a href="/">TED</a> › Policies</p><h1>{esc(doc.title)}</h1>'
        f'<p class="meta">{_meta_line(doc)}</p>'
        '<p class="hint">Clause text is quoted exactly from the policy; the short clause titles are TED\'s, '
        "to help you find your way. Link to any clause with its number, e.g. <code>#5.13</code>.</p>"
        f'<nav class="toc" aria-label="Sections"><h2>Contents</h2><ol>{toc}</ol></nav>'
        + "".join(body)
        + (f'<nav aria-label="Other policies"><h2>Other policies</h2><ul>{more}</ul></nav>' if more else "")
    )
    return page(document_name(doc.title, doc.version), main)  # named as the answers that link here name it


def list_html(docs: list[dict], message: str = "") -> str:
    items = "".join(
        f'<li><a href="{esc(policy_path(d["id"]))}">{esc(d["title"])}</a> '
        f'<span class="muted">{esc(d.get("version") or "")}</span></li>'
        for d in docs
    )
    lede = f'<p class="lede">{esc(message)}</p>' if message else ""
    return page("Policies", f"<h1>Policies TED knows</h1>{lede}<ul>{items or '<li>None yet.</li>'}</ul>")


@endpoint(html=True, cookie=False)
async def policy_index(request: web.Request, w: WebChat, who: Identity) -> web.Response:
    docs = list_documents(w.ted.db)
    bundled = [d["id"] for d in docs if d["format"] == "json"]  # shipped in knowledge/policies/, not ingested
    if bundled or len(docs) == 1:
        raise web.HTTPFound(policy_path(bundled[0] if bundled else docs[0]["id"]))
    return web.Response(text=list_html(docs), content_type="text/html")


@endpoint(html=True, cookie=False)
async def policy_page(request: web.Request, w: WebChat, who: Identity) -> web.Response:
    doc = load_document(w.ted.db, request.match_info["doc"])
    docs = list_documents(w.ted.db)
    if doc is None:
        return web.Response(text=list_html(docs, messages.WEB_NO_POLICY), status=404, content_type="text/html")
    return web.Response(text=policy_html(doc, docs), content_type="text/html")
