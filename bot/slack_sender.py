"""The outbox's Slack sender (handlers.delivery.Sender): report notifications as DMs, the
communications channel post, and in-place updates, on SlackNotifier's retrying client.

A rate limit or Slack outage that outlasts the client's own bounded retries becomes a DeliveryError,
so the outbox keeps the row and tries again later instead of losing it.
"""

from __future__ import annotations

from collections.abc import Awaitable
from typing import TypeVar

from slack_sdk.errors import SlackApiError

from bot.model import Reply
from bot.slack_client import SlackNotifier
from handlers.delivery import DeliveryError
from handlers.directory import Person

T = TypeVar("T")
LATER_SECONDS = 30.0  # when Slack is down and says nothing about when to come back


class SlackSender:
    platform = "slack"

    def __init__(self, notifier: SlackNotifier, comms_channel: str = ""):
        self.notifier = notifier
        self.comms_channel = comms_channel

    def reaches(self, person: Person) -> bool:
        return bool(person.slack_user_id) and person.active

    async def dm(self, person: Person, reply: Reply) -> tuple[str, str]:
        return await self._call(self.notifier.dm(person.slack_user_id, reply))

    async def dm_user(self, user_id: str, reply: Reply) -> tuple[str, str]:
        return await self._call(self.notifier.dm(user_id, reply))

    async def channel(self, reply: Reply) -> tuple[str, str] | None:
        if not self.comms_channel:
            return None
        return self.comms_channel, await self._call(self.notifier.post(self.comms_channel, reply))

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
