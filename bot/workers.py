"""Background work inside `ted serve`: the outbox worker and the scheduler (report escalation and retention,
policy review reminders and the weekly knowledge-base digest).

Both catch up on start (notifications left pending by a crash, deadlines missed while TED was
down) and then run on an interval. Started and stopped with the aiohttp app. The scheduler also runs the
steps channels add under SCHEDULED (the web chat removes screenshots no report kept).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from aiohttp import web

from handlers.ask.privacy import purge_questions
from handlers.curation import reminders
from handlers.reports import escalation, outbox

log = logging.getLogger("ted.workers")

# More steps for the scheduler, added by the channels that need them (the web chat's sweep of screenshots no
# report kept): each a callable with no arguments, run after escalation and purge on every tick.
SCHEDULED = web.AppKey("ted.scheduled", list)


async def _loop(interval: float, step, name: str) -> None:
    while True:
        try:
            await step()
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("%s step failed; will try again", name)
        await asyncio.sleep(interval)


def scheduled(ted) -> None:
    """The scheduler's one pass: escalate reports past their deadline, then the retention purges (reports'
    personal content, and questions, feedback and conversation memory), all by the reports' clock."""
    refs = escalation.tick(ted.reports)
    if refs:
        log.info("escalated %s report(s)", len(refs))
    purged = escalation.purge(ted.reports, forget_attachments=ted.forget_attachments)
    if purged:
        log.info("purged personal content of %s report(s) past retention", len(purged))
    purge_questions(ted.db, ted.settings.question_retention_days, ted.reports.clock())
    sent = reminders.tick(ted.db, ted.directory, ted.settings, ted.reports.clock())
    if any(sent.values()):
        log.info(
            "knowledge base: %s review reminder(s), %s digest message(s) queued", sent["reminders"], sent["digest"]
        )


def background_workers(ted, pool=None):
    """The outbox and the scheduler, for the server's life. The scheduler's pass (escalation, purges, reminders:
    SQLite work that grows with the database) runs in the handler pool (bot/pool.py) when it has threads, on a
    worker's own TED, so a long purge never holds up Slack's 3-second acknowledgements on the event loop."""

    async def ctx(app: web.Application) -> AsyncIterator[None]:
        recovered = outbox.recover(ted.db)
        if recovered:
            log.info("outbox: %s notification(s) left mid-send will be retried", recovered)

        async def deliver() -> None:
            await ted.outbox.run_once()

        async def schedule() -> None:
            if pool is not None:
                await pool.run(scheduled)
            else:
                scheduled(ted)
            for step in app.get(SCHEDULED, ()):
                step()

        tasks = [
            asyncio.create_task(_loop(ted.settings.outbox_interval_seconds, deliver, "outbox")),
            asyncio.create_task(_loop(ted.settings.scheduler_interval_seconds, schedule, "scheduler")),
        ]
        yield
        for t in tasks:
            t.cancel()
        for t in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await t

    return ctx
