"""The outbox's Slack sender (handlers.reports.delivery.Sender): report notifications as DMs, the
communications channel post, and in-place updates, on SlackNotifier's retrying client.

A rate limit or Slack outage that outlasts the client's own bounded retries becomes a DeliveryError,
so the outbox keeps the row and tries again later instead of losing it. A DM Slack can never deliver
(the person's account is gone or deactivated: https://docs.slack.dev/reference/methods/conversations.open#errors)
is Unreachable, so the outbox tries the person's other platforms and flags the report. A communications
channel TED cannot post in (archived, deleted, TED not invited) is logged as an error naming the fix, and
retried later like an outage until someone fixes it or the outbox gives up and flags the report.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable
from typing import TypeVar

from slack_sdk.errors import SlackApiError

from bot.slack.client import SlackNotifier
from chat.model import Reply
from handlers.directory import Person
from handlers.reports.delivery import DeliveryError, Notice, Unreachable
from handlers.reports.retry import LATER_SECONDS

log = logging.getLogger("ted.slack.sender")

T = TypeVar("T")
CHANNEL_FIX_SECONDS = 900.0  # a channel someone has to fix: try again in a while, not every minute
# Slack errors that retrying will not change: this person or conversation cannot be reached from TED.
PERMANENT = frozenset(
    {
        "user_not_found",
        "users_not_found",
        "user_not_visible",
        "user_disabled",
        "account_inactive",
        "cannot_dm_bot",
        "channel_not_found",
        "not_in_channel",
        "is_archived",
        "restricted_action",
        "no_permission",
        "team_access_not_granted",
        "messages_tab_disabled",
    }
)


def _error(exc: SlackApiError) -> str:
    return str(exc.response.get("error", "")) if exc.response is not None else ""


class SlackSender:
    platform = "slack"
    inbox = False

    def __init__(self, notifier: SlackNotifier, comms_channel: str = ""):
        self.notifier = notifier
        self.comms_channel = comms_channel

    def reaches(self, person: Person) -> bool:
        return bool(person.slack_user_id) and person.active

    async def dm(self, person: Person, reply: Reply, notice: Notice | None = None) -> tuple[str, str]:
        return await self._dm(person.slack_user_id, reply)

    async def dm_user(self, user_id: str, reply: Reply, notice: Notice | None = None) -> tuple[str, str]:
        return await self._dm(user_id, reply)

    async def _dm(self, user_id: str, reply: Reply) -> tuple[str, str]:
        try:
            return await self._call(self.notifier.dm(user_id, reply))
        except SlackApiError as exc:
            if (error := _error(exc)) in PERMANENT:
                log.warning("slack cannot DM user=%s error=%s", user_id, error)
                raise Unreachable(f"slack {error}") from exc
            raise

    async def channel(self, reply: Reply) -> tuple[str, str] | None:
        if not self.comms_channel:
            return None
        try:
            return self.comms_channel, await self._call(self.notifier.post(self.comms_channel, reply))
        except SlackApiError as exc:
            if (error := _error(exc)) not in PERMANENT:
                raise
            log.error(
                "slack cannot post in the communications channel %s (error=%s): check TED_COMMS_SLACK_CHANNEL, "
                "unarchive the channel or invite TED to it; will try again",
                self.comms_channel,
                error,
            )
            raise DeliveryError(f"slack {error} for the communications channel", CHANNEL_FIX_SECONDS) from exc

    async def update(self, channel: str, message_id: str, reply: Reply) -> None:
        await self._call(self.notifier.update(channel, message_id, reply))

    @staticmethod
    async def _call(call: Awaitable[T]) -> T:
        try:
            return await call
        except SlackApiError as exc:
            resp = exc.response
            status = getattr(resp, "status_code", 0)
            if status == 429:
                raise DeliveryError("slack rate limited", float(resp.headers.get("Retry-After", 0) or 0)) from exc
            if status >= 500:
                raise DeliveryError(f"slack status {status}", LATER_SECONDS) from exc
            raise
