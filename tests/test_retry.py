"""TED's one retry policy (handlers.reports.retry), on its own: the waits it picks and when it gives up. The
platforms' use of it is tested through their fakes (test_slack_events, test_teams_resilience, test_teams_sender)."""

import asyncio

import pytest

from handlers.reports.retry import RetryPolicy, Transient


def test_waits_back_off_honour_retry_after_and_stop_at_the_limits():
    policy = RetryPolicy(max_retries=3, backoff=0.5, max_wait=4.0, jitter=0.0)
    assert [policy.wait_for(n) for n in range(4)] == [0.5, 1.0, 2.0, None]  # three retries, then give up
    assert RetryPolicy(max_retries=9, backoff=1.0, max_wait=4.0, jitter=0.0).wait_for(5) == 4.0  # capped
    assert policy.wait_for(0, retry_after=3.0) == 3.0
    assert policy.wait_for(0, retry_after=5.0) is None  # longer than max_wait: give up rather than hang
    budgeted = RetryPolicy(max_retries=3, budget=2.0, jitter=0.0)
    assert budgeted.wait_for(0, retry_after=1.5, elapsed=0.2) == 1.5
    assert budgeted.wait_for(0, retry_after=1.5, elapsed=0.6) is None  # would end after the budget
    assert 0.5 <= RetryPolicy(jitter=0.25).wait_for(0) <= 0.75


def test_run_retries_only_what_is_transient_and_raises_the_last_failure():
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    policy = RetryPolicy(max_retries=2, backoff=0.5, jitter=0.0, sleep=sleep)
    failures = [TimeoutError(), TimeoutError()]

    async def flaky() -> str:
        if failures:
            raise failures.pop()
        return "ok"

    def transient(exc: Exception) -> Transient | None:
        return Transient(None, type(exc).__name__) if isinstance(exc, TimeoutError) else None

    assert asyncio.run(policy.run(flaky, transient)) == "ok" and waits == [0.5, 1.0]

    async def always(exc: Exception) -> None:
        raise exc

    with pytest.raises(TimeoutError):
        asyncio.run(policy.run(lambda: always(TimeoutError()), transient))
    assert waits == [0.5, 1.0, 0.5, 1.0]
    with pytest.raises(KeyError):  # not worth another try: raised at once
        asyncio.run(policy.run(lambda: always(KeyError("x")), transient))
    assert waits == [0.5, 1.0, 0.5, 1.0]
