"""What the Bot Connector's failures mean, and how hard TED tries again on Teams (TED's one retry policy:
handlers.reports.retry).

Each SDK binding turns its SDK's failures into the two below (bot.teams.sdk_*), so this module, and everything
that retries, is SDK-free. The Agents SDK's connector client never retries, and msrest under botbuilder retries
only GETs and PUTs (README, "Choosing the SDK"): a 429 or 503 on a POST is one exception on either. A reply
inside a turn must reach Teams within its ~15 s window, so IN_TURN tries a few times, honouring Retry-After,
and gives up as soon as the next wait would overrun its time budget. The outbox's sender uses a shorter budget
(NOTIFICATION): anything longer goes back to the outbox, which retries later (handlers.reports.delivery).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

from handlers.reports.retry import RetryPolicy, Transient

T = TypeVar("T")
log = logging.getLogger("ted.teams.retry")
# Three tries, waiting exactly what Teams asks (no jitter: one person's turn, not a crowd to spread out).
IN_TURN = RetryPolicy(max_retries=2, backoff=0.5, budget=8.0, jitter=0.0)
NOTIFICATION = RetryPolicy(max_retries=2, backoff=0.5, budget=2.0, jitter=0.0)  # the outbox has other rows


class ConnectorError(Exception):
    """The Bot Connector answered with an error status; its Retry-After in seconds when it gave one."""

    def __init__(self, status: int, retry_after: float | None = None):
        super().__init__(f"Bot Connector answered {status}")
        self.status = status
        self.retry_after = retry_after


class NoAnswer(Exception):
    """The Bot Connector did not answer at all (a timeout, a refused connection): `kind` names the SDK's error."""

    def __init__(self, kind: str):
        super().__init__(f"Bot Connector unreachable: {kind}")
        self.kind = kind


def parse_retry_after(value) -> float | None:
    """A Retry-After header in seconds, when there is one (HTTP dates are not used by the Bot Connector)."""
    if value is None:
        return None
    try:
        seconds = float(value)
    except (TypeError, ValueError) as err:
        log.info("teams Retry-After unreadable error=%s", type(err).__name__)
        return None
    return seconds if seconds >= 0 else None


def status_of(exc: BaseException) -> int:
    return exc.status if isinstance(exc, ConnectorError) else 0


def retry_after(exc: BaseException) -> float | None:
    return exc.retry_after if isinstance(exc, ConnectorError) else None


def is_transient(exc: BaseException) -> bool:
    """429, 5xx, or no answer at all."""
    status = status_of(exc)
    if status:
        return status == 429 or status >= 500
    return isinstance(exc, NoAnswer)


def is_gone(exc: BaseException) -> bool:
    """403/404: the conversation, or TED's place in it, is gone; retrying won't help."""
    return status_of(exc) in (403, 404)


def transient(exc: Exception) -> Transient | None:
    if not is_transient(exc):
        return None
    reason = exc.kind if isinstance(exc, NoAnswer) else str(status_of(exc))
    return Transient(retry_after(exc), f"status={reason}")


async def retried(policy: RetryPolicy, attempt: Callable[[], Awaitable[T]], what: str) -> T:
    """`attempt()`, tried again under `policy` while the Bot Connector's answer is worth another try."""
    return await policy.run(attempt, transient, f"teams {what}")
