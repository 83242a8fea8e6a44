"""Bounded retries for calls to the Bot Connector, and what its failures mean.

msrest (under botbuilder's async connector client) does not retry: one 429 or 503 is one exception. A reply
inside a turn must reach Teams within its ~15 s window, so `Retry` tries a few times, honouring
Retry-After, and gives up as soon as the next wait would overrun its time budget. The outbox's sender uses a
shorter budget: anything longer goes back to the outbox, which retries later (handlers.reports.delivery).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TypeVar

from msrest.exceptions import ClientRequestError, HttpOperationError

T = TypeVar("T")
log = logging.getLogger("ted.teams.retry")
LATER_SECONDS = 30.0  # when the Bot Connector is down and says nothing about when to come back
BACKOFF_SECONDS = 0.5  # first wait without a Retry-After; doubled each try


def status_of(exc: BaseException) -> int:
    return int(getattr(getattr(exc, "response", None), "status_code", 0) or 0) if isinstance(
        exc, HttpOperationError) else 0


def retry_after(exc: BaseException) -> float | None:
    """The Retry-After header in seconds, when there is one (HTTP dates are not used by the Bot Connector)."""
    try:
        value = float(exc.response.headers.get("Retry-After"))  # type: ignore[union-attr]
    except (AttributeError, TypeError, ValueError):
        return None
    return value if value >= 0 else None


def is_transient(exc: BaseException) -> bool:
    """429, 5xx, or no answer at all (OSError covers timeouts and refused connections)."""
    status = status_of(exc)
    if status:
        return status == 429 or status >= 500
    return isinstance(exc, ClientRequestError | OSError)


def is_gone(exc: BaseException) -> bool:
    """403/404: the conversation, or TED's place in it, is gone; retrying won't help."""
    return status_of(exc) in (403, 404)


@dataclass
class Retry:
    tries: int = 3
    budget: float = 8.0  # seconds from the first try after which no further wait is started
    sleep: Callable[[float], Awaitable[object]] = field(default=asyncio.sleep, repr=False)

    async def run(self, attempt: Callable[[], Awaitable[T]], what: str = "call") -> T:
        start = time.monotonic()
        for n in range(1, self.tries + 1):
            try:
                return await attempt()
            except Exception as exc:
                if n == self.tries or not is_transient(exc):
                    raise
                wait = retry_after(exc)
                wait = BACKOFF_SECONDS * 2 ** (n - 1) if wait is None else wait
                if time.monotonic() - start + wait > self.budget:
                    raise
                log.info("teams %s failed status=%s; trying again in %.1fs (try %s of %s)", what,
                         status_of(exc) or type(exc).__name__, wait, n + 1, self.tries)
                await self.sleep(wait)
        raise AssertionError("unreachable")  # pragma: no cover
