"""TED's one way of calling Slack: a retrying AsyncWebClient (429 and 5xx, on TED's one retry policy,
handlers.reports.retry) pointed at SLACK_API_URL, response_url posts on the same rules, and SlackNotifier for
messages TED starts.

Rate limits: https://docs.slack.dev/apis/web-api/rate-limits (429 with Retry-After, in seconds).
"""

from __future__ import annotations

import logging

from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import AsyncConnectionErrorRetryHandler
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from bot.slack.forms import modal_view
from bot.slack.render import reply_message
from chat.model import Form, Reply
from handlers.reports.retry import RetryPolicy

log = logging.getLogger("ted.slack.client")

RETRIED_STATUSES = {429, 500, 502, 503, 504}


class _StatusRetryHandler(AsyncRetryHandler):
    """Retries 429 (honouring Retry-After) and 5xx, at most policy.max_retries times."""

    def __init__(self, policy: RetryPolicy):
        super().__init__(max_retry_count=policy.max_retries)
        self.policy = policy

    async def _can_retry_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        if response is None or response.status_code not in RETRIED_STATUSES:
            return False
        return self._wait(state, response) is not None

    def _wait(self, state: RetryState, response: HttpResponse) -> float | None:
        # Slack names a wait only with a 429; without a readable one, wait a second, as slack_sdk's own handler does.
        retry_after = None
        if response.status_code == 429:
            header = next((v for k, v in response.headers.items() if k.lower() == "retry-after"), None)
            value = header[0] if isinstance(header, list) and header else header
            try:
                retry_after = float(value) if value is not None else 1.0
            except ValueError as exc:
                log.info("slack Retry-After unreadable error=%s; waiting 1s", type(exc).__name__)
                retry_after = 1.0
        return self.policy.wait_for(state.current_attempt, retry_after)

    async def prepare_for_next_attempt_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> None:
        wait = self._wait(state, response) if response is not None else 0.0
        log.info(
            "slack retry status=%s attempt=%s wait=%.2fs",
            getattr(response, "status_code", "-"),
            state.current_attempt + 1,
            wait or 0.0,
        )
        state.next_attempt_requested = True
        await self.policy.sleep(wait or 0.0)
        state.increment_current_attempt()


def retry_handlers(policy: RetryPolicy) -> list[AsyncRetryHandler]:
    return [AsyncConnectionErrorRetryHandler(max_retry_count=1), _StatusRetryHandler(policy)]


def make_web_client(token: str, base_url: str, policy: RetryPolicy | None = None) -> AsyncWebClient:
    base = base_url if base_url.endswith("/") else base_url + "/"
    return AsyncWebClient(token=token, base_url=base, retry_handlers=retry_handlers(policy or RetryPolicy()))


class SlackNotifier:
    """Messages TED sends on its own account (answers, DMs, updates, modals), all on one retrying client."""

    def __init__(self, client: AsyncWebClient, policy: RetryPolicy | None = None):
        self.client = client
        self.policy = policy or RetryPolicy()

    async def post(self, channel: str, reply: Reply, thread_ts: str = "") -> str:
        """Posts visibly in a channel (or thread); returns the message ts."""
        args = {"channel": channel, **reply_message(reply), "unfurl_links": False}
        if thread_ts:
            args["thread_ts"] = thread_ts
        resp = await self.client.chat_postMessage(**args)
        return str(resp.get("ts", ""))

    async def dm(self, user_id: str, reply: Reply) -> tuple[str, str]:
        """Opens (or finds) the DM with a person and posts there; returns (channel, ts)."""
        opened = await self.client.conversations_open(users=user_id)
        channel = str(opened["channel"]["id"])
        return channel, await self.post(channel, reply)

    async def update(self, channel: str, ts: str, reply: Reply) -> None:
        await self.client.chat_update(channel=channel, ts=ts, **reply_message(reply))

    async def ephemeral(self, channel: str, user_id: str, reply: Reply, thread_ts: str = "") -> None:
        args = {"channel": channel, "user": user_id, **reply_message(reply)}
        if thread_ts:
            args["thread_ts"] = thread_ts
        await self.client.chat_postEphemeral(**args)

    async def open_form(self, trigger_id: str, form: Form, intro: str = "", private_metadata: str | None = None) -> str:
        resp = await self.client.views_open(trigger_id=trigger_id, view=modal_view(form, intro, private_metadata))
        return str((resp.get("view") or {}).get("id", ""))

    async def open_view(self, trigger_id: str, view: dict) -> str:
        resp = await self.client.views_open(trigger_id=trigger_id, view=view)
        return str((resp.get("view") or {}).get("id", ""))

    async def publish_home(self, user_id: str, view: dict) -> None:
        await self.client.views_publish(user_id=user_id, view=view)

    async def respond(
        self,
        response_url: str,
        reply: Reply | None,
        response_type: str = "ephemeral",
        thread_ts: str = "",
        delete_original: bool = False,
        replace_original: bool = False,
    ) -> bool:
        """Answers through an interaction's response_url (works where TED is not a channel member:
        https://docs.slack.dev/interactivity/handling-user-interaction#message_responses), or with
        replace_original, replaces the message the button was on. True if Slack took it."""
        if delete_original:
            body: dict = {"delete_original": True}
        elif replace_original:
            body = {"replace_original": True, **reply_message(reply or Reply(""))}
        else:
            body = {"response_type": response_type, "replace_original": False, **reply_message(reply or Reply(""))}
        if thread_ts and not (delete_original or replace_original):
            body["thread_ts"] = thread_ts
        hook = AsyncWebhookClient(response_url, retry_handlers=retry_handlers(self.policy))
        try:
            resp = await hook.send_dict(body)
        except Exception as exc:  # network trouble after retries: the caller falls back to the Web API
            log.warning("slack response_url failed: %s", type(exc).__name__)
            return False
        if resp.status_code != 200:
            log.warning("slack response_url status=%s", resp.status_code)
        return resp.status_code == 200
