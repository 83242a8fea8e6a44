"""Slow and broken clients, for every route of the one server (web chat, Slack, Teams).

- **Headers.** A connection must deliver a whole request line and headers within TED_HEADER_TIMEOUT_SECONDS of
  opening (or of its previous response), else it is closed. That is aiohttp's keep-alive timer, which since
  aiohttp 3.14.5 also runs from the moment a connection opens (`server_options()` sets it), so one setting
  covers a slow sender and an idle keep-alive connection alike.
- **Bodies.** A request's body must have arrived within TED_BODY_TIMEOUT_SECONDS of its headers. `body_deadline`
  arms a timer per request; when it fires before the body is complete, the body stream is failed with SlowClient,
  so whatever is reading it stops at once, and the client gets `408` and the connection is closed.
- **Clients that go away** mid-request are logged at INFO, one line with the method and path, no traceback: it
  is the client's doing, not a fault in TED.
"""

from __future__ import annotations

import asyncio
import logging

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger
from aiohttp.http_exceptions import HttpProcessingError

from bot.web.html import error_page
from core.settings import Settings
from handlers import messages

log = logging.getLogger("ted.server")


class SlowClient(Exception):
    """The request body did not arrive within TED_BODY_TIMEOUT_SECONDS."""


class PathOnlyAccessLogger(AbstractAccessLogger):
    """One line per request: method, path, status, size and time. Never the query string, where people's words
    go ("/api/admin/kb/clauses?q=…"), nor the referrer or user agent."""

    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        self.logger.info("%s %s %s %s %.3fs", request.method, request.path, response.status, response.body_length, time)


class MalformedRequests(logging.Filter):
    """aiohttp logs a request it could not parse (a header over 8 KB, a bad method, Content-Length beside
    Transfer-Encoding) at ERROR with a traceback and the start of the offending bytes. It is the client's doing,
    and those bytes may be anyone's words: one INFO line with the kind of problem instead."""

    def filter(self, record: logging.LogRecord) -> bool:
        # Only what the parser refused: a handler's own crash stays an ERROR with its traceback.
        if record.exc_info and record.levelno >= logging.ERROR and isinstance(record.exc_info[1], HttpProcessingError):
            kind = type(record.exc_info[1]).__name__
            record.msg, record.args = "refused a request it could not read (%s)", (kind,)
            record.exc_info = record.exc_text = None
            record.levelno, record.levelname = logging.INFO, "INFO"
        return True


logging.getLogger("aiohttp.server").addFilter(MalformedRequests())


def server_options(settings: Settings) -> dict:
    """Options for aiohttp's request handler (web.run_app, AppRunner, TestServer)."""
    return {"keepalive_timeout": settings.header_timeout_seconds, "access_log_class": PathOnlyAccessLogger}


@web.middleware
async def plain_errors(request: web.Request, handler) -> web.StreamResponse:
    """What the router itself answers (no such route, a method a route doesn't take) in TED's own words: JSON
    `{"error": …}` under /api/, the HTML error page elsewhere. Slack's and Teams' endpoints keep theirs when they
    are on; switched off, their addresses are like any other that doesn't exist."""
    try:
        return await handler(request)
    except web.HTTPException as exc:
        routed = getattr(request.match_info, "http_exception", None) is None  # a route of TED's took the request
        if exc.status < 400 or (routed and request.path.startswith(("/slack/", "/api/messages"))):
            raise
        message = messages.HTTP_ERRORS.get(exc.status, messages.WEB_ERROR)
        headers = {k: v for k, v in exc.headers.items() if k.lower() == "allow"}
        if request.path.startswith("/api/"):
            return web.json_response({"error": message}, status=exc.status, headers=headers)
        return web.Response(
            text=error_page(message, exc.status), status=exc.status, content_type="text/html", headers=headers
        )


def body_deadline(settings: Settings):
    seconds = settings.body_timeout_seconds

    @web.middleware
    async def guard(request: web.Request, handler) -> web.StreamResponse:
        late = {"fired": False}
        timer = None
        if request.body_exists and not request.content.is_eof():

            def too_slow() -> None:
                if not request.content.is_eof():
                    late["fired"] = True
                    request.content.set_exception(SlowClient())

            timer = asyncio.get_running_loop().call_later(seconds, too_slow)
        try:
            resp = await handler(request)
        except SlowClient:
            log.info(
                "client too slow: request body not received within %ss method=%s path=%s",
                seconds,
                request.method,
                request.path,
            )
            resp = web.json_response({"error": messages.WEB_TOO_SLOW}, status=408)
        except ConnectionError as exc:
            log.info(
                "client went away mid-request method=%s path=%s (%s)", request.method, request.path, type(exc).__name__
            )
            return web.Response(status=400)  # nobody is there to read it; aiohttp drops it quietly
        finally:
            if timer is not None:
                timer.cancel()
        if late["fired"]:
            # Answer, then close: the rest of the body may still be on its way, and aiohttp would otherwise wait
            # for it (reading a stream that now fails) before the connection could be used again.
            resp.force_close()
            await resp.prepare(request)
            await resp.write_eof()
            request.protocol.force_close()
        return resp

    return guard
