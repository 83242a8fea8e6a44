"""What the Bot Connector's failures mean, and how hard TED tries again on Teams (TED's one retry policy:
handlers.reports.retry).

msrest (under botbuilder's async connector client) does not retry: one 429 or 503 is one exception. A reply
inside a turn must reach Teams within its ~15 s window, so IN_TURN tries a few times, honouring Retry-After,
and gives up as soon as the next wait would overrun its time budget. The outbox's sender uses a shorter budget
(NOTIFICATION): anything longer goes back to the outbox, which retries later (handlers.reports.delivery).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

from msrest.exceptions import ClientRequestError, HttpOperationError

from handlers.reports.retry import RetryPolicy, Transient

T = TypeVar("T")
log = logging.getLogger("ted.teams.retry")
# Three tries, waiting exactly what Teams asks (no jitter: one person's turn, not a crowd to spread out).
IN_TURN = RetryPolicy(max_retries=2, backoff=0.5, budget=8.0, jitter=0.0)
NOTIFICATION = RetryPolicy(max_retries=2, backoff=0.5, budget=2.0, jitter=0.0)  # the outbox has other rows


def status_of(exc: BaseException) -> int:
    return int(getattr(getattr(exc, "response", None), "status_code", 0) or 0) if isinstance(
        exc, HttpOperationError) else 0


def retry_after(exc: BaseException) -> float | None:
    """The Retry-After header in seconds, when there is one (HTTP dates are not used by the Bot Connector)."""
    headers = getattr(getattr(exc, "response", None), "headers", None)
    value = headers.get("Retry-After") if headers is not None else None
    if value is None:
        return None
    try:
        seconds = float(value)
    except (TypeError, ValueError) as err:
        log.info("teams Retry-After unreadable status=%s error=%s", status_of(exc), type(err).__name__)
        return None
    return seconds if seconds >= 0 else None


def is_transient(exc: BaseException) -> bool:
    """429, 5xx, or no answer at all (OSError covers timeouts and refused connections)."""
    status = status_of(exc)
    if status:
        return status == 429 or status >= 500
    return isinstance(exc, ClientRequestError | OSError)


def is_gone(exc: BaseException) -> bool:
    """403/404: the conversation, or TED's place in it, is gone; retrying won't help."""
    return status_of(exc) in (403, 404)


def transient(exc: Exception) -> Transient | None:
    if not is_transient(exc):
        return None
    return Transient(retry_after(exc), f"status={status_of(exc) or type(exc).__name__}")


async def retried(policy: RetryPolicy, attempt: Callable[[], Awaitable[T]], what: str) -> T:
    """`attempt()`, tried again under `policy` while the Bot Connector's answer is worth another try."""
    return await policy.run(attempt, transient, f"teams {what}")
