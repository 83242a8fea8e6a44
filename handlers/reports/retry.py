"""One retry policy for every platform TED sends to: when a call fails in a way worth trying again (429, 5xx,
no answer at all), how long to wait, how many times, and when to stop and leave the rest to the outbox.

It is platform-neutral. Each adapter says what its platform's failures mean and this decides the waits:
bot/slack/client.py reads Slack's status and Retry-After in slack_sdk's retry hook and asks `wait_for`;
on Teams, whichever SDK carries it, bot/teams/retry.py tells `run` which Bot Connector errors are worth another
try. What still fails after that becomes a DeliveryError (handlers/reports/delivery.py),
and the outbox tries again later: after the platform's Retry-After, or LATER_SECONDS when it named none.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import math
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TypeVar

T = TypeVar("T")
log = logging.getLogger("ted.retry")
LATER_SECONDS = 30.0  # a platform that is down and says nothing about when to come back: the outbox waits this


@dataclass(frozen=True)
class Transient:
    """A failure worth trying again: the platform's Retry-After in seconds (None when it gave none), and what
    to log about it (a status code or an exception type, never a body)."""

    retry_after: float | None
    reason: str


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try when a platform says "not now". Tests shrink the waits; each platform picks its limits
    (Slack: a few retries of any call; Teams: whatever fits in a turn's ~15 s, less for a notification)."""

    max_retries: int = 3  # tries after the first one
    backoff: float = 0.5  # without a Retry-After: wait backoff * 2**attempt (+ jitter)
    max_wait: float = 30.0  # never wait longer than this; a longer Retry-After gives up instead
    budget: float = math.inf  # seconds from the first try after which no further wait is started
    jitter: float = 0.25  # up to this many seconds added at random, so retries do not arrive together
    sleep: Callable[[float], Awaitable[object]] = field(default=asyncio.sleep, compare=False, repr=False)

    def wait_for(self, attempt: int, retry_after: float | None = None, elapsed: float = 0.0) -> float | None:
        """Seconds to wait after failed try number `attempt` (counting from 0) before the next, or None to give
        up: the retries are used up, the platform asked for a longer wait than max_wait, or the wait would end
        after the budget (`elapsed` seconds of it are gone)."""
        if attempt >= self.max_retries:
            return None
        if retry_after is None:
            wait = min(self.backoff * (2**attempt), self.max_wait)
        elif retry_after > self.max_wait:
            return None
        else:
            wait = retry_after
        if elapsed + wait > self.budget:
            return None
        return wait + random.random() * self.jitter

    async def run(
        self,
        attempt: Callable[[], Awaitable[T]],
        transient: Callable[[Exception], Transient | None],
        what: str = "call",
    ) -> T:
        """`attempt()`, tried again while `transient` says its failure is worth it and the policy allows; the
        last failure is raised as it was."""
        start = time.monotonic()
        for n in itertools.count():
            try:
                return await attempt()
            except Exception as exc:
                why = transient(exc)
                wait = None if why is None else self.wait_for(n, why.retry_after, time.monotonic() - start)
                if wait is None:
                    raise
                log.info(
                    "%s failed (%s); trying again in %.1fs (retry %s of %s)",
                    what,
                    why.reason,
                    wait,
                    n + 1,
                    self.max_retries,
                )
                await self.sleep(wait)
        raise AssertionError("unreachable")  # pragma: no cover
