"""TED on Slack: Bolt's async app at POST /slack/events (or over Socket Mode), holding TED's router.

Every HTTP request's signature is checked on its raw bytes before anything parses it
(https://docs.slack.dev/authentication/verifying-requests-from-slack) and a signed body of the wrong shape
is refused (bot.slack.payload); Bolt then acks within Slack's 3 seconds and runs the listener. Listeners
turn payloads into Message/Action (bot.slack.inbound), ask the router (in TED's handler pool, bot/pool.py, off the
event loop, so acks are never queued behind an answer), and deliver the replies
(bot.slack.delivery). A replayed modal submission and a second "Share" of the same answer are dropped, and so
is a copy of any signed request already accepted (bot.slack.payload.ReplayGuard).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import re

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.request.async_internals import build_async_context
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.errors import SlackApiError
from slack_sdk.signature import SignatureVerifier

from bot.http_body import read_bounded
from bot.pool import HandlerPool
from bot.slack import payload as slack_payload
from bot.slack.client import SlackNotifier, make_web_client
from bot.slack.delivery import Delivery
from bot.slack.forms import modal_errors, modal_view, wrap_metadata
from bot.slack.inbound import (
    action_from_block_actions,
    action_from_view_submission,
    message_from_command,
    message_from_event,
)
from bot.slack.render import home_view
from bot.slack.sender import SlackSender
from chat import actions
from chat.model import Button, Form, Reply
from handlers import messages
from handlers.reports.retry import RetryPolicy
from knowledge.answer import document_name
from knowledge.store import list_documents

log = logging.getLogger("ted.slack")

HTTP, SOCKET = "Slack HTTP", "Slack Socket Mode"
ACK_BUDGET_SECONDS = 2.5  # a modal submission is acked by then, answered or not (Slack allows 3 s)
MAX_BODY = 1024 * 1024  # Slack payloads carry whole messages and views; far above them, far below harm
# Bolt's app logger; also its app name, which Bolt uses as a logger name and configures from this one,
# so it must not be "ted" (that would copy this logger's level onto all of TED's logs).
BOLT_LOGGER = "ted.slack.bolt"
# These log request and response bodies (what people wrote, report contents) at DEBUG: never below INFO.
QUIET_LOGGERS = ("slack_sdk", "slack_bolt", BOLT_LOGGER)


class _NoBodies(logging.Filter):
    """Bolt logs an unhandled request's body, which holds what people wrote; TED's logs carry ids only.

    It also reads SLACK_BOT_TOKEN from the environment by itself and warns that it is unused beside
    the client TED gives it (built from the same setting); that warning is noise and is dropped."""

    def filter(self, record: logging.LogRecord) -> bool:
        text = str(record.msg)
        if text.startswith("As you gave `client` as well"):
            return False
        if text.startswith("Unhandled request"):
            record.msg, record.args = "Unhandled Slack request (body not logged)", ()
        return True


def _bolt_logger() -> logging.Logger:
    logger = logging.getLogger(BOLT_LOGGER)
    if not any(isinstance(f, _NoBodies) for f in logger.filters):
        logger.addFilter(_NoBodies())
    return logger


def quiet_slack_libraries() -> None:
    """Keep Slack's libraries at INFO or above whatever TED_LOG_LEVEL says (TED's logs carry ids only)."""
    level = max(logging.INFO, logging.getLogger().getEffectiveLevel())
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(level)


def _view_key(body: dict) -> str:
    """A submission's identity: the modal's id and what was in it (so a replay matches, a changed answer not)."""
    view = body.get("view") or {}
    state = json.dumps(view.get("state") or {}, sort_keys=True)
    return f"{view['id']}:{hashlib.sha256(state.encode()).hexdigest()[:32]}" if view.get("id") else ""


def slack_mode(settings) -> str:
    """HTTP when the bot token and signing secret are set; Socket Mode instead when the app token is too."""
    if not settings.slack_bot_token:
        return ""
    if settings.slack_app_token:
        return SOCKET
    return HTTP if settings.slack_signing_secret else ""


class SlackAdapter:
    def __init__(self, ted, policy: RetryPolicy | None = None, pool: HandlerPool | None = None):
        s = ted.settings
        self.ted = ted
        self.pool = pool or HandlerPool(ted, workers=0)  # where the router's handlers run (bot/pool.py)
        self.mode = slack_mode(s)
        quiet_slack_libraries()  # before Bolt copies its logger's level to the loggers it makes
        self.client = make_web_client(s.slack_bot_token, s.slack_api_url, policy)
        self.notifier = SlackNotifier(self.client, policy)
        self.delivery = Delivery(self.notifier)
        self.bot_user_id = ""
        self.socket: AsyncSocketModeHandler | None = None
        self.verifier = SignatureVerifier(s.slack_signing_secret) if s.slack_signing_secret else None
        self.replays = slack_payload.ReplayGuard()
        # process_before_response=False: Bolt acks first and runs the listener after (Slack's 3-second rule).
        self.bolt = AsyncApp(
            client=self.client,
            signing_secret=s.slack_signing_secret,
            request_verification_enabled=True,
            process_before_response=False,
            logger=_bolt_logger(),
            name=BOLT_LOGGER,
        )
        app = self.bolt
        app.event("message")(self.on_message_event)
        app.event("app_mention")(self.on_message_event)
        app.event("app_home_opened")(self.on_home_opened)
        app.event(re.compile(".*"))(self.on_other_event)
        app.command(re.compile(r"^/.+"))(self.on_command)
        app.action(re.compile(".*"))(self.on_block_action)
        app.view(re.compile(".*"))(self.on_view_submission)
        # Interactions TED does not act on (a shortcut added to the app in Slack's settings, a modal closed with
        # notify_on_close): acknowledged, so Slack shows nobody an error, and dropped.
        app.shortcut(re.compile(".*"))(self.on_other_interaction)
        app.view_closed(re.compile(".*"))(self.on_other_interaction)

    # -- listeners -------------------------------------------------------------------------------
    async def on_message_event(self, body: dict, event: dict, context) -> None:
        event_id = body.get("event_id", "")
        parsed = message_from_event(event, event_id, context.bot_user_id or self.bot_user_id)
        if parsed is None:
            return
        msg, route = parsed
        if not self.ted.conversations.first_delivery("slack", event_id):
            log.info("slack duplicate delivery event_id=%s", event_id)
            return
        log.info("slack message event_id=%s surface=%s channel=%s", event_id, msg.surface, msg.conversation_id)
        await self.delivery.deliver(await self.pool.message(msg), route)

    async def on_home_opened(self, event: dict) -> None:
        if event.get("tab", "home") != "home" or not event.get("user"):
            return
        policies = [document_name(r["title"], r.get("version") or "") for r in list_documents(self.ted.db)]
        view = home_view(messages.CAPABILITIES, messages.SLACK_HOME_ASK, messages.SLACK_HOME_REPORT, policies)
        try:
            await self.notifier.publish_home(event["user"], view)
        except SlackApiError as exc:
            log.warning("slack views.publish failed error=%s", exc.response.get("error"))

    async def on_other_event(self) -> None:
        """Events TED does not act on are acknowledged and dropped."""

    async def on_other_interaction(self, ack, body: dict) -> None:
        await ack()
        log.info("slack interaction not acted on type=%s", body.get("type", ""))

    async def on_command(self, ack, body: dict) -> None:
        await ack()
        msg, route = message_from_command(body, self.bot_user_id)
        log.info("slack command=%s channel=%s", msg.command, msg.conversation_id)
        await self.delivery.deliver(await self.pool.message(msg), route)

    async def on_block_action(self, ack, body: dict) -> None:
        await ack()
        parsed = action_from_block_actions(body)
        if parsed is None:
            return
        act, route = parsed
        log.info("slack action=%s channel=%s message=%s", act.action_id, act.conversation_id, act.message_id)
        replies = await self.pool.action(act)
        shared = next((str(r.asked_id) for r in replies if r.shared_by), None)
        if shared is not None and not self.ted.conversations.first_delivery("slack-share", shared):
            log.info("slack share repeated asked_id=%s; already posted", shared)
            return
        await self.delivery.deliver(replies, route)

    async def on_view_submission(self, ack, body: dict) -> None:
        """A submitted modal. Inline errors and a next form go back in the ack (Slack's only way to keep
        the modal open: https://docs.slack.dev/surfaces/modals#updating_response); anything else closes it.
        The same submission twice (a replay, a double-click) is acted on once; the second just closes."""
        key = _view_key(body)
        if not self.ted.conversations.first_delivery("slack-view", key):
            log.info("slack form submission repeated view=%s; already acted on", key.partition(":")[0])
            await ack()
            return
        act, route = action_from_view_submission(body)
        log.info("slack form=%s submitted", act.action_id)
        job = asyncio.ensure_future(self.pool.action(act))
        try:
            # Slack waits 3 s for the ack; the workers may be busy with other answers.
            replies = await asyncio.wait_for(asyncio.shield(job), ACK_BUDGET_SECONDS)
        except TimeoutError:
            await ack()  # close the modal now; what the submission says back arrives as messages
            log.info("slack form=%s acked before its answer was ready", act.action_id)
            replies = await job
            # The modal is closed: a form that came back (with mistakes, or a next step) can't be shown in it.
            # Say so privately, with what was typed, so nothing is lost and the same answers can be sent again.
            if any(r.form is not None for r in replies):
                self.ted.conversations.forget_delivery("slack-view", key)
            out = [r if r.form is None else form_not_sent(r.form) for r in replies]
            await self.delivery.deliver(out, route)
            return
        form_reply = next((r for r in replies if r.form is not None), None)
        if form_reply is None:
            await ack()
        elif form_reply.form.errors:
            self.ted.conversations.forget_delivery("slack-view", key)  # the same answers are checked again
            await ack(response_action="errors", errors=modal_errors(form_reply.form))
        else:
            meta = wrap_metadata(form_reply.form.private_metadata, route.metadata())
            await ack(response_action="update", view=modal_view(form_reply.form, form_reply.text, meta))
        await self.delivery.deliver([r for r in replies if r is not form_reply], route)

    # -- lifecycle -------------------------------------------------------------------------------
    async def verify_token(self) -> bool:
        """auth.test at startup, as Bolt's sync App does: a wrong token shows in the log at once."""
        try:
            resp = await self.client.auth_test()
        except SlackApiError as exc:
            log.error(
                "Slack rejected SLACK_BOT_TOKEN (auth.test error=%s); Slack answers will fail",
                exc.response.get("error"),
            )
            return False
        except Exception as exc:  # Slack unreachable: keep serving the web chat; Bolt retries auth per request
            log.error(
                "Slack could not be reached for auth.test (%s); Slack answers will fail until it can",
                type(exc).__name__,
            )
            return False
        self.bot_user_id = str(resp.get("user_id", ""))
        log.info("slack connected team=%s bot_user=%s", resp.get("team_id"), self.bot_user_id)
        return True

    async def on_startup(self, _app: web.Application) -> None:
        await self.verify_token()
        if self.mode == SOCKET:
            self.socket = AsyncSocketModeHandler(
                self.bolt, self.ted.settings.slack_app_token, web_client=self.client, logger=_bolt_logger()
            )
            try:
                await self.socket.connect_async()
            except Exception as exc:  # keep the web chat up; the log says why Slack is not
                log.error("Slack Socket Mode could not connect: %s", type(exc).__name__)

    async def on_cleanup(self, _app: web.Application) -> None:
        if self.socket is not None:
            await self.socket.close_async()

    async def handle_http(self, request: web.Request) -> web.StreamResponse:
        """POST /slack/events: events, slash commands and interactivity all arrive here."""
        raw = await read_bounded(request, MAX_BODY)
        if raw is None:
            return web.Response(status=413)
        if self.verifier is None or not slack_payload.signed(
            self.verifier,
            raw,
            request.headers.get("X-Slack-Request-Timestamp", ""),
            request.headers.get("X-Slack-Signature", ""),
        ):
            return web.json_response({"error": "invalid request"}, status=401)
        if not self.replays.first_time(request.headers.get("X-Slack-Signature", "")):
            # The very same signed request again: a copy replayed inside Slack's window. Acked, not acted on.
            log.warning("slack request refused (replayed) signature seen before")
            return web.Response(status=200)
        try:
            text = raw.decode("utf-8")
            body, problem = slack_payload.parse(text, request.content_type)
        except UnicodeDecodeError:
            problem = "not utf-8"
        if not problem:
            bolt_req = AsyncBoltRequest(
                body=text,
                query=request.query_string,
                headers={k: request.headers.getall(k) for k in request.headers.keys()},
            )
            if bolt_req.body != body:  # Bolt misread a form that mentions "payload": give it the body as sent
                bolt_req.body = body
                bolt_req.context = build_async_context(AsyncBoltContext({}), body)
            try:
                return await to_aiohttp_response(await self.bolt.async_dispatch(bolt_req))
            except Exception as exc:  # Bolt could not read a signed payload: Slack's mistake, not a crash
                problem = f"unreadable ({type(exc).__name__})"
        log.warning("slack request refused (400) problem=%s", problem)
        return web.json_response({"error": "bad request"}, status=400)


SLACK = web.AppKey("ted.slack", SlackAdapter)


def mount_slack(app: web.Application, ted, policy: RetryPolicy | None = None, pool: HandlerPool | None = None) -> str:
    """Adds Slack to TED's aiohttp app when configured; returns the channel's name ("" when off)."""
    mode = slack_mode(ted.settings)
    if not mode:
        s = ted.settings
        if s.slack_bot_token or s.slack_signing_secret or s.slack_app_token:  # half configured: say what is missing
            log.warning(
                "Slack is off: it needs SLACK_BOT_TOKEN with SLACK_SIGNING_SECRET (HTTP) "
                "or SLACK_APP_TOKEN (Socket Mode)"
            )
        return ""
    adapter = SlackAdapter(ted, policy, pool)
    app[SLACK] = adapter
    # Report notifications (the outbox) reach people on Slack through the same retrying client.
    ted.outbox.senders.append(SlackSender(adapter.notifier, ted.settings.comms_slack_channel))
    app.on_startup.append(adapter.on_startup)
    app.on_cleanup.append(adapter.on_cleanup)
    if mode == HTTP:
        app.router.add_post("/slack/events", adapter.handle_http)
    return mode


def form_not_sent(form: Form) -> Reply:
    """A form that came back after its modal had closed, as a private message: what stopped it, what was typed,
    and (for the report form) a button that opens it again with the description kept."""
    labels = {f.name: f.label for f in form.fields}
    problems = "\n".join(f"• {labels.get(name, name)}: {why}" for name, why in form.errors.items())
    typed = next((f.value for f in form.fields if f.name in ("description", "note") and f.value), "")
    text = messages.SLACK_FORM_NOT_SENT.format(problems=problems or "• it needs another step")
    if typed:
        text += "\n\n" + messages.SLACK_FORM_TYPED.format(typed=typed)
    again = (
        (Button(actions.REPORT_OPEN, "Open the report form again", typed[:1900], "primary"),)
        if form.form_id == actions.REPORT_SUBMIT
        else ()
    )
    return Reply(text, intent="report", ephemeral=True, buttons=again)
