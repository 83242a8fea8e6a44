"""Answers off the event loop: the router's handlers (ranking, report logic, their SQLite writes) run in a few
worker threads, so the loop that serves every channel only parses, acknowledges and sends. `/healthz`, Slack's
3-second acknowledgement and the other channels' requests are never queued behind someone's answer.

Each worker thread holds its own TED (`ted.twin()`: its own SQLite connection, router and knowledge index; the
process's sentence encoder is shared, and its numpy work releases the GIL), so no connection is ever used from
two threads. SQLite in WAL mode lets them all read at once; writes take turns (BEGIN IMMEDIATE with a busy
timeout, core/db.py). Conversation memory and the knowledge base are rows in the one file, so every worker sees
what another stored, and each worker's index rebuilds itself when the knowledge base's revision changes.

An in-memory database (":memory:", the tests' default) is one connection's alone and cannot be opened again, and
TED_WORKERS=0 asks for none: then handlers run inline on the loop, on the loop's own TED, as they always did.
The outbox stays on the loop's TED either way; the scheduler's pass runs here (bot/workers.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import queue
import threading
from collections.abc import AsyncIterator, Callable
from typing import Any, TypeVar

from aiohttp import web

from chat.model import Action, Message, Reply

log = logging.getLogger("ted.pool")
T = TypeVar("T")
Job = Callable[[Any], T]  # given the worker's TED


def _settle(fut: asyncio.Future, result: object, exc: BaseException | None) -> None:
    if fut.done():  # the awaiting request was cancelled meanwhile
        return
    if exc is not None:
        fut.set_exception(exc)
    else:
        fut.set_result(result)


class HandlerPool:
    """`await pool.message(msg)`, `await pool.action(act)`, `await pool.ask(question, channel)`, or any
    `await pool.run(lambda ted: …)`: the work runs on a worker thread's TED (inline on `ted` without workers)."""

    def __init__(self, ted, workers: int | None = None, make_ted: Callable[[], Any] | None = None):
        self.ted = ted
        wanted = ted.settings.workers if workers is None else workers
        self.size = wanted if wanted > 0 and str(getattr(ted, "db_path", ":memory:")) != ":memory:" else 0
        self.make_ted = make_ted or getattr(ted, "twin", None)
        self._jobs: queue.SimpleQueue = queue.SimpleQueue()
        self._threads: list[threading.Thread] = []

    @property
    def running(self) -> bool:
        return bool(self._threads)

    # -- the one way in -----------------------------------------------------------------------
    async def run(self, job: Job[T]) -> T:
        if not self._threads:
            return job(self.ted)
        fut = asyncio.get_running_loop().create_future()
        self._jobs.put((job, fut, fut.get_loop()))
        return await fut

    async def message(self, msg: Message) -> list[Reply]:
        return await self.run(lambda ted: ted.router.message(msg))

    async def action(self, act: Action) -> list[Reply]:
        return await self.run(lambda ted: ted.router.action(act))

    async def ask(self, question: str, channel: str):
        return await self.run(lambda ted: ted.asker.ask(question, channel=channel))

    # -- the threads --------------------------------------------------------------------------
    def _work(self, ready: Callable[[BaseException | None], None]) -> None:
        try:
            ted = self.make_ted()
            ted.answerer.index.refresh()  # built now, not on someone's first question
        except BaseException as exc:
            ready(exc)
            return
        ready(None)
        try:
            while (item := self._jobs.get()) is not None:
                job, fut, loop = item
                try:
                    result, exc = job(ted), None
                except BaseException as e:  # handed to the awaiting request, which handles it as before
                    result, exc = None, e
                try:
                    loop.call_soon_threadsafe(_settle, fut, result, exc)
                except RuntimeError:  # the loop has closed: nobody is waiting any more
                    pass
        finally:
            ted.db.conn.close()

    async def start(self) -> None:
        """Builds the workers' TEDs in their own threads and waits (without holding the loop) until each is ready;
        one that cannot be built fails the start, as the loop's own TED would."""
        if not self.size or self._threads:
            return
        loop = asyncio.get_running_loop()
        readies = []
        for i in range(self.size):
            fut = loop.create_future()
            readies.append(fut)

            def ready(exc, fut=fut):
                loop.call_soon_threadsafe(_settle, fut, None, exc)

            t = threading.Thread(target=self._work, args=(ready,), name=f"ted-worker-{i + 1}", daemon=True)
            t.start()
            self._threads.append(t)
        results = await asyncio.gather(*readies, return_exceptions=True)
        failed = next((r for r in results if isinstance(r, BaseException)), None)
        if failed is not None:
            await self.stop()
            raise failed
        log.info("answers run in %s worker thread(s), each with its own database connection", self.size)

    async def stop(self) -> None:
        """Lets the jobs already queued finish, then ends the threads and closes their connections."""
        threads, self._threads = self._threads, []
        for _ in threads:
            self._jobs.put(None)
        for t in threads:
            await asyncio.get_running_loop().run_in_executor(None, t.join, 30)

    async def lifecycle(self, _app: web.Application) -> AsyncIterator[None]:
        """For app.cleanup_ctx: workers from the server's start to its end."""
        await self.start()
        try:
            yield
        finally:
            with contextlib.suppress(Exception):
                await self.stop()


POOL = web.AppKey("ted.pool", HandlerPool)
