"""`/admin/knowledge`: the communications team curates the knowledge base (roles `admin`, `communications`,
`communications_manager`, as for /admin).

Documents with a life cycle (upload a draft, preview the clauses TED found, publish, retire, edit details, see
the history), teaching from real traffic (each unanswered question and 👎 answer with TED's best three clauses
as one-click choices, a clause search, *not covered* and *dismiss*; what was taught, with undo) and the audit
log. The page is a shell that bot/web/static/curation.js fills from the JSON API under /api/admin/kb/; every
write needs the session's CSRF token (`endpoint(write=True)`), and the operations are the same as the
`ted kb` commands' (knowledge.lifecycle, knowledge.teach, handlers.curation.queue).
"""

from __future__ import annotations

from aiohttp import web

from bot.web.admin import check_admin
from bot.web.doc_uploads import MAX_DOC_BYTES, parse_upload, read_upload
from bot.web.endpoint import WebChat, endpoint
from bot.web.html import page
from bot.web.identity import Identity
from bot.web.input import BadInput, clean_text, read_json
from core.db import row_id
from handlers.curation import queue
from knowledge import audit, lifecycle, teach, versions
from knowledge.impact import Impact, describe
from knowledge.lifecycle import CurationError

SHELL = (
    "<h1>Knowledge base</h1>"
    '<p class="lede">Upload and publish policies, teach TED from the questions staff really asked, and see every '
    'change. <a href="/admin">Back to TED admin</a></p>'
    '<p id="status" class="status" role="status" aria-live="polite"></p>'
    '<section aria-labelledby="h-docs"><h2 id="h-docs">Documents</h2><div id="documents"></div>'
    '<div id="history" hidden></div></section>'
    '<section aria-labelledby="h-upload"><h2 id="h-upload">Upload a policy</h2>'
    '<form id="upload-form" class="stack">'
    '<p><label for="upload-file">Policy document (.md, .txt, .html, .docx or .pdf, up to {mb} MB)</label> '
    '<input type="file" id="upload-file" name="file" required '
    'accept=".md,.markdown,.txt,.html,.htm,.docx,.pdf,text/plain,text/markdown,text/html,application/pdf,'
    'application/vnd.openxmlformats-officedocument.wordprocessingml.document"></p>'
    '<p><label for="upload-doc">This is</label> <select id="upload-doc" name="doc_id">'
    '<option value="">a new document</option></select></p>'
    '<p><button type="submit" class="btn primary">Upload and preview</button></p></form>'
    '<div id="preview" hidden></div></section>'
    '<section aria-labelledby="h-teach"><h2 id="h-teach">Teach TED from real questions</h2>'
    '<h3 id="h-unanswered">Questions TED couldn\'t answer</h3><div id="queue-unanswered"></div>'
    '<h3 id="h-down">Answers marked 👎</h3><div id="queue-feedback"></div></section>'
    '<section aria-labelledby="h-taught"><h2 id="h-taught">What TED was taught</h2><div id="taught"></div>'
    "</section>"
    '<section aria-labelledby="h-audit"><h2 id="h-audit">Changes</h2><div id="audit"></div></section>'
)


def documents(db) -> list[dict]:
    live = {
        d["id"]: d
        for d in db.query(
            "select id, title, owner, version, date, review_cycle, next_review, "
            "ingested_at, (select count(*) from clauses c where c.doc_id = d.id) as "
            "clause_count from documents d"
        )
    }
    out = []
    for r in versions.overview(db):
        cur, draft = r["current"], r["draft"]
        base = live.get(r["doc_id"]) or cur or draft
        out.append(
            {
                "doc_id": r["doc_id"],
                "status": r["status"],
                **{k: base.get(k) or "" for k in ("title", "owner", "version", "date", "review_cycle", "next_review")},
                "clause_count": base.get("clause_count") or 0,
                "seq": cur["seq"] if cur else None,
                "published_at": (cur or {}).get("published_at") or "",
                "published_by": (cur or {}).get("published_by") or "",
                "ended_at": (cur or {}).get("ended_at") or "",
                "draft": {k: draft[k] for k in ("id", "seq", "title", "clause_count", "created_at", "created_by")}
                if draft
                else None,
            }
        )
    return out


def _audit_json(entries: list[dict], names: dict[str, str] | None = None) -> list[dict]:
    """Each entry as stored, plus `what` (the action in words) and `who` (the person's name from the directory,
    where the actor is someone in it)."""
    names = names or {}
    return [
        {k: e[k] for k in ("id", "at", "actor", "action", "doc_id", "target")}
        | {"detail": audit.describe(e), "what": audit.what(e), "who": names.get(e["actor"], e["actor"])}
        for e in entries
    ]


def _names(db) -> dict[str, str]:
    return {r["email"]: r["name"] for r in db.query("select email, name from people")}


def kb_data(ted) -> dict:
    return {
        "documents": documents(ted.db),
        "queue": queue.items(ted.db, ted.answerer.index),
        "taught": teach.taught(ted.db),
        "audit": _audit_json(audit.entries(ted.db, limit=50), _names(ted.db)),
    }


def _curate(fn):
    """A curation route: the communications team only; a refused change is a polite 400 and changes nothing."""

    async def route(request: web.Request, w: WebChat, who: Identity) -> web.Response:
        check_admin(w, who)
        try:
            return await fn(request, w, who)
        except CurationError as exc:
            raise BadInput(str(exc), field=exc.field) from exc

    route.__name__ = route.__qualname__ = fn.__name__
    route.__doc__ = fn.__doc__
    return route


def _int(value: object, what: str = "id") -> int:
    n = row_id(value)
    if n is None:
        raise BadInput(f"That {what} isn't one TED knows (ids are whole numbers from 1).")
    return n


def _kind(body: dict) -> tuple[str, int]:
    kind = body.get("kind")
    if kind not in queue.KINDS:
        raise BadInput("Which list is that question on? (kind must be unanswered or feedback)", field="kind")
    return kind, _int(body.get("id"))


@endpoint(html=True)
@_curate
async def knowledge_page(request: web.Request, w: WebChat, who: Identity) -> web.Response:
    html = page(
        "Knowledge base",
        SHELL.replace("{mb}", str(MAX_DOC_BYTES // (1024 * 1024))),
        scripts=("/static/curation.js",),
        meta={"csrf-token": w.identity.csrf_token(who)},
        signed_in_as=who.name,
    )
    return web.Response(text=html, content_type="text/html")


@endpoint()
@_curate
async def kb_api(request: web.Request, w: WebChat, who: Identity) -> web.Response:
    return web.json_response(kb_data(w.ted))


@endpoint(write=True)
@_curate
async def upload_draft(request: web.Request, w: WebChat, who: Identity) -> web.Response:
    name, data, fields = await read_upload(request)
    doc = await parse_upload(name, data)
    doc_id = fields.get("doc_id", "").strip()
    row = await w.pool.run(
        lambda ted: lifecycle.preview(
            lifecycle.create_draft(ted.db, doc, who.email, doc_id, new_only=not doc_id), ted.db
        )
    )
    return web.json_response(row, status=201)


@endpoint()
@_curate
async def draft_preview(request: web.Request, w: WebChat, who: Identity) -> web.Response:
    return web.json_response(lifecycle.preview(lifecycle.draft_for(w.ted.db, _int(request.match_info["id"])), w.ted.db))


@endpoint(write=True)
@_curate
async def publish_draft(request: web.Request, w: WebChat, who: Identity) -> web.Response:
    ref = _int(request.match_info["id"])
    # Publishing encodes the new version's passages: on a worker, never on the loop every channel is served from.
    row = await w.pool.run(lambda ted: lifecycle.publish(ted.db, ref, who.email, ted.answerer.index.embedder))
    return web.json_response({"published": {k: v for k, v in row.items() if k != "content"}})


@endpoint(write=True)
@_curate
async def discard_draft(request: web.Request, w: WebChat, who: Identity) -> web.Response:
    row = lifecycle.discard(w.ted.db, _int(request.match_info["id"]), who.email)
    return web.json_response({"discarded": {k: v for k, v in row.items() if k != "content"}})


async def _details(request: web.Request, who: Identity, w: WebChat, ref: str | int) -> web.Response:
    body = await read_json(request)
    unknown = sorted(k for k in body if k not in versions.DETAILS)
    if unknown:  # a typo ("review_date") would otherwise be a 200 that changed nothing
        raise BadInput(
            f"“{unknown[0]}” is not a detail TED keeps: use {', '.join(versions.DETAILS)}.", field=unknown[0]
        )
    changes = {k: clean_text(body[k], 400, k) for k in versions.DETAILS if k in body}
    return web.json_response({"details": lifecycle.edit_details(w.ted.db, ref, changes, who.email)})


@endpoint(write=True)
@_curate
async def draft_details(request: web.Request, w: WebChat, who: Identity) -> web.Response:
    return await _details(request, who, w, _int(request.match_info["id"]))


@endpoint(write=True)
@_curate
async def document_details(request: web.Request, w: WebChat, who: Identity) -> web.Response:
    return await _details(request, who, w, request.match_info["doc"])


@endpoint(write=True)
@_curate
async def retire_document(request: web.Request, w: WebChat, who: Identity) -> web.Response:
    doc = request.match_info["doc"]
    await w.pool.run(lambda ted: lifecycle.retire(ted.db, doc, who.email))
    return web.json_response({"retired": request.match_info["doc"]})


@endpoint(write=True)
@_curate
async def restore_version(request: web.Request, w: WebChat, who: Identity) -> web.Response:
    """An earlier version (superseded or retired) as the draft waiting for its document: a mistaken publish or
    retire undone in the browser, as `ted kb restore` does. Published, it is live again."""
    doc = request.match_info["doc"]
    body = await read_json(request)
    seq, force = _int(body.get("version"), "version"), body.get("force") is True

    def work(ted) -> dict:
        return lifecycle.preview(lifecycle.restore(ted.db, doc, seq, who.email, force=force), ted.db)

    return web.json_response(await w.pool.run(work), status=201)


@endpoint()
@_curate
async def document_history(request: web.Request, w: WebChat, who: Identity) -> web.Response:
    doc = request.match_info["doc"]
    rows = versions.history(w.ted.db, doc)
    if not rows:
        raise BadInput("There is no document with that id.", 404)
    changes = _audit_json(audit.entries(w.ted.db, doc), _names(w.ted.db))
    return web.json_response({"doc_id": doc, "versions": rows, "changes": changes})


@endpoint()
@_curate
async def clause_search(request: web.Request, w: WebChat, who: Identity) -> web.Response:
    text = clean_text(request.query.get("q", ""), 500, "search")
    return web.json_response({"clauses": queue.search_clauses(w.ted.answerer.index, text)})


def _question(db, body: dict) -> tuple[str, str, int]:
    """(question, kind, item id) of a teach request: an item on the list, or a question typed in."""
    if body.get("question") is not None and body.get("kind") is None:
        return clean_text(body["question"], 500, "question"), "", 0
    kind, item_id = _kind(body)
    return queue.item(db, kind, item_id)["question"], kind, item_id


@endpoint(write=True)
@_curate
async def teach_clause(request: web.Request, w: WebChat, who: Identity) -> web.Response:
    body = await read_json(request)
    doc, clause = clean_text(body.get("doc_id"), 100, "document"), clean_text(body.get("clause"), 50, "clause")

    def work(ted) -> dict:  # encodes the phrasing and re-asks recent questions: on a worker
        question, kind, item_id = _question(ted.db, body)
        impact, emb = Impact(ted.answerer, [question]), ted.answerer.index.embedder
        if kind:
            tid = queue.answer_with(ted.db, kind, item_id, doc, clause, who.email, emb)
        else:
            tid = teach.teach(ted.db, clause, question, who.email, doc, source="web", embedder=emb)
        changed = impact.changes()
        return {"taught": tid, "changed": changed, "note": describe(changed)}

    return web.json_response(await w.pool.run(work), status=201)


@endpoint(write=True)
@_curate
async def teach_not_covered(request: web.Request, w: WebChat, who: Identity) -> web.Response:
    body = await read_json(request)
    doc = clean_text(body.get("doc_id"), 100, "document")

    def work(ted) -> dict:  # encodes the example and re-asks recent questions: on a worker
        question, kind, item_id = _question(ted.db, body)
        impact, emb = Impact(ted.answerer, [question]), ted.answerer.index.embedder
        if kind:
            tid = queue.not_covered(ted.db, kind, item_id, who.email, doc, emb)
        else:
            tid = teach.not_covered(ted.db, question, who.email, doc, source="web", embedder=emb)
        changed = impact.changes()
        return {"taught": tid, "changed": changed, "note": describe(changed)}

    return web.json_response(await w.pool.run(work), status=201)


@endpoint(write=True)
@_curate
async def dismiss_item(request: web.Request, w: WebChat, who: Identity) -> web.Response:
    kind, item_id = _kind(await read_json(request))
    queue.dismiss(w.ted.db, kind, item_id, who.email)
    return web.json_response({"dismissed": item_id})


@endpoint(write=True)
@_curate
async def forget_taught(request: web.Request, w: WebChat, who: Identity) -> web.Response:
    ref = _int(request.match_info["id"])
    row = await w.pool.run(lambda ted: teach.forget(ted.db, ref, who.email))
    return web.json_response({"forgotten": row["id"]})
