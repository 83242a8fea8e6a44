"""The web chat's conversation routes: questions, button presses and form submissions, screenshots,
and the `POST /api/ask` contract answer.

Questions and actions go through the same router as Slack and Teams (platform "web", the person's email
as user id, the browser session as conversation id, so follow-ups are read in context). After an action
the outbox is run once, so a report filed or acknowledged here reaches web inboxes straight away rather
than on the worker's next tick. The answering itself runs in TED's handler pool (bot/pool.py), off the event loop.
"""

from __future__ import annotations

import asyncio
import logging
import re

from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError

from bot.web.endpoint import WebChat, endpoint, require_person, same_site_json
from bot.web.identity import PLATFORM, Identity
from bot.web.input import MAX_TEXT, BadInput, clean_form, clean_text, read_json
from bot.web.render import reply_json
from bot.web.uploads import UploadError
from chat import actions
from chat.model import WEB, Action, Message, Reply
from handlers import messages
from handlers.reports.actions import ReportActions

log = logging.getLogger("ted.web")

_COMMAND = re.compile(r"^(/[a-z]+)(?:\s+(.*))?$", re.S)


FILING = (actions.REPORT_OPEN, actions.REPORT_SUBMIT)  # a guest is asked who they are before either


def choose_first() -> Reply:
    """A guest (local mode, nobody chosen yet) who wants to file a report: who are they? Reports go to the
    reporter's line manager, so the web chat needs to know."""
    return Reply(messages.WEB_PICK_FIRST_TO_REPORT, intent="report", ephemeral=True)


def split_command(text: str, known: dict) -> tuple[str, str]:
    """ "/report status" -> ("/report", "status") when /report is a command TED knows; else ("", text)."""
    m = _COMMAND.match(text)
    if m and m.group(1) in known:
        return m.group(1), (m.group(2) or "").strip()
    return "", text


_CONVERSATION = re.compile(r"^[A-Za-z0-9_-]{1,40}$")


def conversation_of(who: Identity, body: dict) -> str:
    """The conversation a message belongs to: the session's, or, when the page names one (`conversation`, a fresh
    id each time the page loads), that page's. A reloaded page starts a new conversation, so nothing typed before
    it, and no longer on screen, is read into the next question."""
    page = body.get("conversation")
    if isinstance(page, str) and _CONVERSATION.match(page):
        return f"{who.session.sid}:{page}"
    return who.session.sid


@endpoint(write=True)
async def chat(request: web.Request, w: WebChat, who: Identity) -> web.Response:
    require_person(w, who)
    body = await read_json(request)
    text = clean_text(body.get("text"), MAX_TEXT, "question").strip()
    if not text:
        raise BadInput(messages.EMPTY_QUESTION)
    command, rest = split_command(text, w.ted.router.commands)
    if command == "/report" and not who.email and rest.lower() not in {"help"}:
        return web.json_response({"replies": [reply_json(choose_first())]})
    msg = Message(
        platform=PLATFORM,
        user_id=who.user_id,
        text=rest,
        conversation_id=conversation_of(who, body),
        surface=WEB,
        command=command,
    )
    replies = await w.pool.message(msg)
    return web.json_response({"replies": [reply_json(r) for r in replies]})


@endpoint(write=True)
async def action(request: web.Request, w: WebChat, who: Identity) -> web.Response:
    require_person(w, who)
    body = await read_json(request)
    action_id = clean_text(body.get("action_id"), 100, "action")
    if action_id not in w.ted.router.actions:
        raise BadInput(messages.WEB_UNKNOWN_ACTION)
    value = clean_text(body.get("value"), MAX_TEXT, "value")
    form, files = clean_form(body.get("form"))
    for name, ids in files.items():
        try:
            form[name] = w.uploads.attachments(ids, who.user_id)
        except UploadError as exc:
            raise BadInput(str(exc), field=name) from exc
    if action_id in FILING and not who.email:
        return web.json_response({"replies": [reply_json(choose_first())]})
    act = Action(
        platform=PLATFORM,
        user_id=who.user_id,
        action_id=action_id,
        value=value,
        conversation_id=conversation_of(who, body),
        form=form,
    )
    replies = await w.pool.action(act)
    await deliver_now(w)
    return web.json_response({"replies": [reply_json(r) for r in replies]})


async def deliver_now(w: WebChat) -> None:
    """Deliver at once so web inboxes fill straight away. With only the web chat on (every sender an inbox),
    that is a few database writes, done before answering; with Slack or Teams on, their HTTP calls must not hold
    the browser up (a slow answer invites a second submit), so delivery runs in the background. Either way the
    action itself is already stored, and the background worker retries whatever fails."""

    async def run() -> None:
        try:
            await w.ted.outbox.run_once()
        except Exception as exc:
            log.warning("outbox run after a web action failed: %s", type(exc).__name__)

    if all(s.inbox for s in w.ted.outbox.senders):
        await run()
    else:
        task = asyncio.ensure_future(run())
        _background.add(task)
        task.add_done_callback(_background.discard)


_background: set[asyncio.Task] = set()  # keeps fire-and-forget deliveries referenced until they finish


@endpoint(cookie=False)
async def ask(request: web.Request, w: WebChat, who: Identity) -> web.Response:
    """The contract answer (README "The JSON answer"). Session-less, so no CSRF token (it changes nothing but
    the question logs); instead only JSON from TED's own origin, or from a script, is answered."""
    same_site_json(request, w)
    require_person(w, who)
    body = await read_json(request)
    if not isinstance(body.get("question"), str):
        raise BadInput('Send JSON like {"question": "…"}.')
    question = clean_text(body["question"], MAX_TEXT, "question")
    return web.json_response((await w.pool.ask(question, PLATFORM)).to_json())


MULTIPART_SLACK = 64 * 1024  # room for the multipart framing and a field or two beside the file
MAX_PARTS = 5


@endpoint(write=True)
async def upload(request: web.Request, w: WebChat, who: Identity) -> web.Response:
    require_person(w, who)
    if not who.email:  # a screenshot only goes with a report, and a guest files none
        raise BadInput(messages.WEB_PICK_FIRST, 401, "file")
    # Refused before a byte of the body is read: too big by its own account, or the person's hour is used up.
    if (request.content_length or 0) > w.uploads.max_bytes + MULTIPART_SLACK:
        raise BadInput(messages.WEB_UPLOAD_TOO_BIG.format(mb=w.uploads.max_bytes // (1024 * 1024)), 413, "file")
    try:
        w.uploads.allowance(who.user_id)
    except UploadError as exc:
        raise BadInput(str(exc), exc.status, "file") from exc
    try:
        reader = await request.multipart()
        part = await reader.next()
        for _ in range(MAX_PARTS):
            if part is None or (part.name == "file" and part.filename):
                break
            await part.release()
            part = await reader.next()
        else:
            part = None
    except (AssertionError, KeyError, ValueError, HttpProcessingError) as exc:  # not multipart, or malformed
        raise BadInput(messages.WEB_UPLOAD_NONE) from exc
    if part is None:
        raise BadInput(messages.WEB_UPLOAD_NONE)
    try:
        meta = await w.uploads.save(part, who.user_id)
    except UploadError as exc:
        raise BadInput(str(exc), exc.status, "file") from exc
    return web.json_response({k: meta[k] for k in ("id", "name", "mimetype", "size")}, status=201)


def may_see(w: WebChat, who: Identity, meta: dict) -> bool:
    if meta.get("owner") == who.user_id:
        return True
    reports = w.ted.reports.with_attachment(meta["id"])
    if who.person is not None and who.person.active and who.person.is_comms:
        if not any(who.email in w.ted.reports.excluded(r) for r in reports):
            return True  # the communications team sees screenshots, except on a report they are named in
    if who.person is None:
        return False
    acts = ReportActions(w.ted.reports)
    return any(acts.can_act(r, who.person) for r in reports)


@endpoint(write=True)
async def remove_upload(request: web.Request, w: WebChat, who: Identity) -> web.Response:
    """ "Remove" beside a screenshot in the report form: the uploader's own file, on no report yet, is deleted
    now, not left for the sweep (TED_UPLOAD_ORPHAN_HOURS). Anyone else's, or one a report holds, is not theirs
    to remove: 404, as for a file that isn't there."""
    meta = w.uploads.meta(request.match_info["id"])
    if meta is None or meta.get("owner") != who.user_id or w.ted.reports.with_attachment(meta["id"]):
        raise BadInput(messages.WEB_NOT_FOUND, 404)
    w.uploads.remove(meta["id"])
    log.info("upload removed by its uploader id=%s", meta["id"])
    return web.json_response({"removed": meta["id"]})


@endpoint()
async def uploaded_file(request: web.Request, w: WebChat, who: Identity) -> web.Response:
    meta = w.uploads.meta(request.match_info["id"])
    path = w.uploads.data_path(meta["id"]) if meta else None
    if meta is None or path is None or not may_see(w, who, meta):
        raise BadInput(messages.WEB_NOT_FOUND, 404)
    return web.Response(
        body=path.read_bytes(),
        content_type=meta["mimetype"],
        headers={
            "Content-Disposition": "inline",
            "Cache-Control": "private, no-store",
            "Content-Security-Policy": "default-src 'none'; sandbox",
        },
    )
