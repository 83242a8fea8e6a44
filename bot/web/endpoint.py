"""What every web route shares: the WebChat state, `endpoint()`, polite problems and the security headers.

Every route goes through `endpoint()`, which works out who is asking (bot/web/identity.py), checks the CSRF
token on anything that changes state, turns bad input into a polite JSON (or HTML) error instead of a 500,
and logs failures by route and exception type only, never what anyone typed.
"""

from __future__ import annotations

import functools
import logging
import os
import sqlite3
import traceback
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

from aiohttp import web

from bot.guard import SlowClient
from bot.pool import HandlerPool
from bot.web.html import FOOTER, error_page
from bot.web.identity import COOKIE, LOCAL, PROXY, Identity, WebIdentity
from bot.web.input import BadInput
from bot.web.sender import WebSender
from bot.web.uploads import UploadStore, default_folder
from core.problems import Problem
from handlers import messages
from handlers.reports.inbox import WebInbox

log = logging.getLogger("ted.web")

STATIC = Path(__file__).resolve().parent / "static"
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
PLATFORM_PATHS = ("/slack/", "/api/messages")  # Slack's and Teams' own endpoints keep their own headers


class WebChat:
    """What the web routes share: TED itself, who is asking, where screenshots go, and people's inboxes (with
    the outbox's sender that fills them)."""

    def __init__(self, ted, pool: HandlerPool | None = None):
        self.ted = ted
        self.pool = pool or HandlerPool(ted, workers=0)  # where questions and actions are answered (bot/pool.py)
        self.identity = WebIdentity(ted.settings, ted.directory)
        self.inbox = WebInbox(ted.db)
        self.sender = WebSender(self.inbox)
        s = ted.settings
        if s.web_upload_dir and Path(s.web_upload_dir).exists() and not Path(s.web_upload_dir).is_dir():
            raise Problem(
                f"TED_WEB_UPLOADS is {s.web_upload_dir}, which is a file, not a folder: point it at a folder "
                "(TED creates it when it is missing)"
            )
        self.uploads = UploadStore(
            Path(s.web_upload_dir) if s.web_upload_dir else default_folder(ted.db),
            ted.db,
            quota_count=s.upload_quota_count,
            quota_mb=s.upload_quota_mb,
        )
        writable(self.uploads.folder)
        if adopted := self.uploads.adopt():
            log.info("uploads: %s screenshot(s) stored before the uploads ledger are now in it", adopted)
        self.chat_page = (STATIC / "chat.html").read_text("utf-8").replace("<!--footer-->", FOOTER)

    def sweep_uploads(self) -> int:
        """The scheduler's step: remove screenshots no report kept within TED_UPLOAD_ORPHAN_HOURS."""
        hours = self.ted.settings.upload_orphan_hours
        removed = self.uploads.sweep(
            self.ted.reports.clock() - timedelta(hours=hours),
            lambda upload_id: bool(self.ted.reports.with_attachment(upload_id)),
        )
        if removed:
            log.info("uploads: removed %s screenshot(s) no report kept within %s hours", removed, hours)
        return removed


WEB = web.AppKey("ted.web", WebChat)
Handler = Callable[[web.Request, WebChat, Identity], Awaitable[web.StreamResponse]]


def problem(exc: BadInput, html: bool = False) -> web.Response:
    if html:
        return web.Response(text=error_page(exc.message, exc.status), status=exc.status, content_type="text/html")
    body = {"error": exc.message, **({"field": exc.field} if exc.field else {})}
    return web.json_response(body, status=exc.status)


def same_site_json(request: web.Request, w: WebChat) -> None:
    """For a POST that carries no CSRF token (`/api/ask`): refuse what another site's page could make a browser
    send. Browsers send text/plain, form and multipart bodies cross-site without asking first (a "simple"
    request); JSON needs a CORS preflight, which TED never grants. A foreign Origin, or Sec-Fetch-Site:
    cross-site, is refused outright. A script with no Origin header (curl, another server) is not a browser."""
    if request.content_type != "application/json":
        log.info("refused: %s is not JSON path=%s", request.content_type, request.path)
        raise BadInput(messages.WEB_JSON_ONLY, 415)
    origin = request.headers.get("Origin")
    if request.headers.get("Sec-Fetch-Site", "").lower() == "cross-site" or (
        origin is not None
        and _netloc(origin)
        not in {_netloc(f"{request.scheme}://{request.host}"), _netloc(w.ted.settings.public_url)} - {""}
    ):
        log.info("refused: cross-site request path=%s", request.path)
        raise BadInput(messages.WEB_CROSS_SITE, 403)


def _netloc(url: str) -> str:
    """ "https://Intranet.example:443/x" -> "intranet.example" (default ports dropped); "" for anything else."""
    try:
        u = urlsplit(url.strip())
        port = u.port
    except ValueError:
        return ""
    if u.scheme not in ("http", "https") or not u.hostname:
        return ""
    default = {"http": 80, "https": 443}[u.scheme]
    host = f"[{u.hostname}]" if ":" in u.hostname else u.hostname
    return host if port in (None, default) else f"{host}:{port}"


WRITE_TYPES = ("application/json", "multipart/form-data")  # what TED's pages send; nothing else changes anything
LOOPBACK = {"localhost", "127.0.0.1", "[::1]", "::1"}


def host_ok(request: web.Request, w: WebChat) -> bool:
    """In local mode (people pick who they are) on a loopback address, TED answers only to loopback names and
    TED_PUBLIC_URL's: another site's page whose name was pointed at 127.0.0.1 (DNS rebinding) gets nothing, its
    Origin matching its Host or not. On any other address the names it is reached by are the network's business
    (and its proxy's)."""
    s = w.ted.settings
    if w.identity.mode != LOCAL or s.host.strip("[]") not in {h.strip("[]") for h in LOOPBACK}:
        return True
    name, public = _hostname(f"http://{request.host}"), _hostname(s.public_url)
    return name in LOOPBACK or (bool(public) and name == public)


def _hostname(url: str) -> str:
    """ "http://[::1]:8080" -> "::1"; "" for anything that is no URL."""
    try:
        return (urlsplit(url.strip()).hostname or "").lower()
    except ValueError:
        return ""


def require_person(w: WebChat, who: Identity) -> None:
    """In proxy mode nothing happens without a signed-in person; locally, guests may ask questions."""
    if w.identity.mode == PROXY and not who.email:
        raise BadInput(messages.WEB_NOT_SIGNED_IN, 401)


def endpoint(write: bool = False, html: bool = False, cookie: bool = True):
    """Wrap a route: identity, CSRF for writes (`write=True`), polite errors, the session cookie."""

    def deco(fn: Handler):
        @functools.wraps(fn)
        async def handler(request: web.Request) -> web.StreamResponse:
            w = request.app[WEB]
            who = w.identity.identify(request)
            try:
                if not host_ok(request, w):
                    log.info("refused: a Host this TED is not served under path=%s", request.path)
                    raise BadInput(messages.WEB_WRONG_HOST, 421)
                if write:
                    require_person(w, who)  # in proxy mode, nobody signed in is told so before anything else
                    if not w.identity.csrf_ok(who, request):
                        log.info("refused: no valid CSRF token method=%s path=%s", request.method, request.path)
                        raise BadInput(messages.WEB_CSRF, 403)
                    if request.body_exists and request.content_type not in WRITE_TYPES:
                        log.info("refused: %s body path=%s", request.content_type, request.path)
                        raise BadInput(messages.WEB_JSON_BODY, 415)
                resp = await fn(request, w, who)
            except BadInput as exc:
                resp = problem(exc, html)
            except (web.HTTPException, SlowClient, ConnectionError):  # bot/guard.py answers these
                raise
            except sqlite3.Error as exc:  # a full disk, a read-only or damaged database: say so, not "went wrong"
                log.error(
                    "web route could not use the database method=%s path=%s error=%s sqlite=%s",
                    request.method,
                    request.path,
                    type(exc).__name__,
                    getattr(exc, "sqlite_errorname", ""),
                )
                resp = problem(BadInput(messages.WEB_STORAGE, 503), html)
            except Exception as exc:  # a bug: answer politely, log where (never the request's content)
                log.error(
                    "web route failed method=%s path=%s error=%s\n%s",
                    request.method,
                    request.path,
                    type(exc).__name__,
                    "".join(traceback.format_tb(exc.__traceback__)),
                )
                resp = problem(BadInput(messages.WEB_ERROR, 500), html)
            if cookie and who.fresh and COOKIE not in resp.cookies:
                w.identity.set_cookie(resp, who)
            return resp

        return handler

    return deco


async def security_headers(request: web.Request, response: web.StreamResponse) -> None:
    if request.path.startswith(PLATFORM_PATHS):
        return
    h = response.headers
    h.setdefault("X-Content-Type-Options", "nosniff")
    h.setdefault("Referrer-Policy", "same-origin")
    if response.content_type == "text/html":
        h.setdefault("Content-Security-Policy", CSP)
        h.setdefault("X-Frame-Options", "DENY")
    else:  # JSON, files: nothing in them runs, and no page may frame them
        h.setdefault("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'")
    if request.path.startswith("/api/") or response.content_type == "text/html":
        h.setdefault("Cache-Control", "no-store")


def writable(folder: Path) -> None:
    """The screenshots folder exists (made if missing) and TED can write to it: found at start, not by the first
    person who attaches a screenshot to a report."""
    probe = folder / f".ted-write-check-{os.getpid()}"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise Problem(
            f"TED cannot write screenshots to {folder} ({exc.strerror}): make it writable by the user TED runs "
            "as, or point TED_WEB_UPLOADS at a folder that is"
        ) from exc
