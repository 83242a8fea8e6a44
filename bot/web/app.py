"""TED Web Chat: the intranet's "Talk to TED" page, its JSON API, the policy pages, /admin, /admin/knowledge,
/accessibility and /privacy.

`mount_web(app, ted)` adds the one route table below to the one aiohttp server (bot/server.py); README.md has
the API table. The shared endpoint machinery (identity, CSRF, polite errors, headers) is in bot/web/endpoint.py.
"""

from __future__ import annotations

import logging

from aiohttp import web

from bot.pool import HandlerPool
from bot.web import account, admin, chat, curation, notices, policy, reports
from bot.web.endpoint import STATIC, WEB, Identity, WebChat, endpoint, security_headers
from bot.workers import SCHEDULED

log = logging.getLogger("ted.web")


@endpoint(html=True)
async def index(request: web.Request, w: WebChat, who: Identity) -> web.Response:
    return web.Response(text=w.chat_page, content_type="text/html")


def mount_web(app: web.Application, ted, pool: HandlerPool | None = None) -> WebChat:
    """The web chat's routes, and its sender for report notifications (people's web inboxes). Questions and
    actions are answered in `pool` (bot/pool.py; inline on `ted` when none is given)."""
    w = WebChat(ted, pool)
    app[WEB] = w
    ted.outbox.senders.append(w.sender)
    app.setdefault(SCHEDULED, []).append(w.sweep_uploads)
    r = app.router
    r.add_get("/", index)
    r.add_static("/static/", STATIC, append_version=False)
    # The chat itself
    r.add_post("/api/chat", chat.chat)
    r.add_post("/api/action", chat.action)
    r.add_post("/api/ask", chat.ask)
    r.add_post("/api/uploads", chat.upload)
    r.add_get("/uploads/{id}", chat.uploaded_file)
    r.add_post("/api/uploads/{id}/remove", chat.remove_upload)
    # Who is asking, their reports and their inbox
    r.add_get("/api/me", account.me)
    r.add_get("/api/people", account.people)
    r.add_post("/api/identity", account.identity)
    r.add_get("/api/reports/mine", account.my_reports)
    r.add_get("/api/reports/{ref}", reports.report_api)
    r.add_get("/reports/{ref}", reports.report_page)
    r.add_get("/api/inbox", account.inbox)
    # The policy pages
    r.add_get("/policy", policy.policy_index)
    r.add_get("/policy/", policy.policy_index)
    r.add_get("/policy/{doc}", policy.policy_page)
    # The accessibility statement and the privacy notice (linked from every page's footer)
    r.add_get("/accessibility", notices.accessibility_page)
    r.add_get("/privacy", notices.privacy_page)
    # Admin
    r.add_get("/admin", admin.admin_page)
    r.add_get("/api/admin", admin.admin_api)
    # Knowledge-base curation (the communications team): documents, teaching, the audit log
    r.add_get("/admin/knowledge", curation.knowledge_page)
    r.add_get("/api/admin/kb", curation.kb_api)
    r.add_post("/api/admin/kb/drafts", curation.upload_draft)
    r.add_get("/api/admin/kb/drafts/{id}", curation.draft_preview)
    r.add_post("/api/admin/kb/drafts/{id}/publish", curation.publish_draft)
    r.add_post("/api/admin/kb/drafts/{id}/discard", curation.discard_draft)
    r.add_post("/api/admin/kb/drafts/{id}/details", curation.draft_details)
    r.add_post("/api/admin/kb/documents/{doc}/details", curation.document_details)
    r.add_post("/api/admin/kb/documents/{doc}/retire", curation.retire_document)
    r.add_get("/api/admin/kb/documents/{doc}/history", curation.document_history)
    r.add_post("/api/admin/kb/documents/{doc}/restore", curation.restore_version)
    r.add_get("/api/admin/kb/clauses", curation.clause_search)
    r.add_post("/api/admin/kb/teach", curation.teach_clause)
    r.add_post("/api/admin/kb/not-covered", curation.teach_not_covered)
    r.add_post("/api/admin/kb/dismiss", curation.dismiss_item)
    r.add_post("/api/admin/kb/taught/{id}/forget", curation.forget_taught)
    # Reports oversight (the communications and admin roles)
    r.add_get("/api/admin/reports", reports.admin_reports)
    r.add_get("/api/admin/reports.csv", reports.admin_reports_csv)
    app.on_response_prepare.append(security_headers)
    log.info("web chat on: identity %s mode, uploads in %s", w.identity.mode, w.uploads.folder)
    return w
