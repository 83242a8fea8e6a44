"""Answers off the event loop (bot/pool.py): on a database file, `ted serve` computes answers in worker threads,
each with its own TED, so `/healthz`, Slack's acknowledgements and other people's questions are not queued behind
a slow one; and every channel still answers, follow-ups included, on a database file. A slow handler is put into
every router (the loop's and each worker's) through the worlds' `tweak` seam; no patching."""

from __future__ import annotations

import asyncio
import threading
import time

from app import Ted
from chat import actions
from chat.model import Reply
from tests.fakes import slack_world, teams_world, web_world
from tests.fakes.slack_world import clause_heading, slack_test
from tests.fakes.teams_world import teams_test
from tests.fakes.web_world import web_test
from tests.fakes.world import SUPPLIER

SLOW_ACTION, SLOW_COMMAND = "test.slow", "/slow"
SLOW_SECONDS = 1.0


class Slow:
    """A handler that takes a second (as a heavy ranking might), put into every TED's router."""

    def __init__(self) -> None:
        self.started = threading.Event()
        self.finished = threading.Event()
        self.threads: list[str] = []

    def __call__(self, ted: Ted) -> None:
        ted.router.on_action(SLOW_ACTION, self.handle)
        ted.router.on_command(SLOW_COMMAND, self.handle)

    seconds = SLOW_SECONDS

    def handle(self, _request) -> list[Reply]:
        self.threads.append(threading.current_thread().name)
        self.started.set()
        time.sleep(self.seconds)
        self.finished.set()
        return [Reply("done slowly")]

    async def wait_started(self) -> None:
        while not self.started.is_set():
            await asyncio.sleep(0.01)


async def healthz_while_slow(w, slow: Slow) -> tuple[float, dict]:
    """Presses the slow button in the web chat, then asks /healthz once the handler is under way: how long after
    the press /healthz had answered, and the press's own answer."""
    alex = await w.browser(web_world.ALEX)
    start = time.monotonic()
    pressing = asyncio.ensure_future(w.press(SLOW_ACTION, as_=alex))
    await slow.wait_started()
    status, _ = await alex.get("/healthz")
    took = time.monotonic() - start
    assert status == 200
    status, body = await pressing
    assert status == 200, body
    return took, body


slow_web = Slow()


@web_test(db_file=True, tweak=slow_web)
async def test_healthz_and_other_questions_are_answered_while_an_answer_is_being_computed(w):
    took, body = await healthz_while_slow(w, slow_web)
    assert took < SLOW_SECONDS / 2, f"/healthz waited {took:.2f}s behind the slow answer"
    assert body["replies"][0]["text"] == "done slowly"
    assert len(slow_web.threads) == 1 and slow_web.threads[0].startswith("ted-worker-")  # not the loop's thread
    # The other worker answers someone else's question meanwhile.
    slow_web.started.clear()
    slow_web.finished.clear()
    jamie = await w.browser(web_world.JAMIE)
    pressing = asyncio.ensure_future(w.press(SLOW_ACTION, as_=await w.browser(web_world.ALEX)))
    await slow_web.wait_started()
    (answer,) = await w.ask(SUPPLIER, as_=jamie)
    assert answer["citations"][0]["clause"] == "5.13" and not slow_web.finished.is_set()
    await pressing


slow_inline = Slow()


@web_test(db_file=True, workers=0, tweak=slow_inline)
async def test_with_no_workers_the_slow_answer_holds_the_loop_as_it_used_to(w):
    """TED_WORKERS=0 (the old behaviour, and what an in-memory database gets): the measurement above sees it."""
    took, body = await healthz_while_slow(w, slow_inline)
    assert took >= SLOW_SECONDS * 0.9 and body["replies"][0]["text"] == "done slowly"
    assert slow_inline.threads == [threading.main_thread().name]


slow_slack = Slow()


@slack_test(db_file=True, tweak=slow_slack)
async def test_slack_acks_and_answers_others_while_a_slow_command_is_computed(w):
    assert await asyncio.wait_for(w.command(SLOW_COMMAND, ""), SLOW_SECONDS / 2) == (200, "")
    await slow_slack.wait_started()
    start = time.monotonic()
    await w.ask(SUPPLIER, as_=slack_world.JAMIE)  # acknowledged (200) at once ...
    assert time.monotonic() - start < SLOW_SECONDS / 2
    (call,) = await w.api.wait_for("chat.postMessage")  # ... and answered by the other worker meanwhile
    assert clause_heading(call).startswith("*5.13 — ") and not slow_slack.finished.is_set()
    (done,) = await w.api.wait_for("response_url")
    assert "done slowly" in str(done.body)


@slack_test(db_file=True)
async def test_slack_answers_follow_ups_on_a_database_file(w):
    await w.ask("can I add business contacts on my personal facebook?")
    await w.api.wait_for("chat.postMessage")
    await w.ask("and what about linkedin?")  # remembered in the database, whichever worker answers
    _, second = await w.api.wait_for("chat.postMessage", 2)
    assert clause_heading(second).startswith(("*5.13 — ", "*5.15 — "))


@web_test(db_file=True)
async def test_the_web_chat_answers_follow_ups_buttons_and_api_ask_on_a_database_file(w):
    b = await w.browser(web_world.ALEX)
    await w.ask("can I add business contacts on my personal facebook?", as_=b)
    (follow,) = await w.ask("and what about linkedin?", as_=b)
    assert follow["citations"][0]["clause"] in {"5.13", "5.15"}
    up = next(x for x in follow["buttons"] if x["label"].startswith("👍"))
    status, body = await w.press(up["action_id"], up["value"], as_=b)
    assert status == 200 and w.ted.db["feedback"].count == 1  # written by a worker, seen by the loop's TED
    status, answer = await b.post("/api/ask", {"question": SUPPLIER}, csrf=False)
    assert status == 200 and answer["intent"] == "policy" and answer["citations"][0]["clause"] == "5.13"
    status, body = await w.file_report(as_=b)
    assert status == 200 and body["replies"][0]["meta"]["report_ref"].startswith("TED-")
    assert await w.inbox(web_world.SAM)  # the loop's outbox delivered what a worker queued


@teams_test(db_file=True)
async def test_teams_answers_and_takes_a_button_press_on_a_database_file(w):
    card = await w.ask("can I accept a LinkedIn invite from a supplier?", as_=teams_world.ALEX)
    assert "5.15 — LinkedIn as a professional network" in card.text
    await w.press(actions.FEEDBACK_UP, on=card, as_=teams_world.ALEX)
    assert w.ted.db["feedback"].count == 1


class SlowerThanSlacksAck(Slow):
    seconds = 3.2  # longer than the 3 s Slack gives a modal submission's acknowledgement


slow_modal = SlowerThanSlacksAck()


@slack_test(db_file=True, tweak=slow_modal)
async def test_a_slow_modal_submission_is_acked_in_time_and_answered_afterwards(w):
    view = {**(await w.open_report()), "callback_id": SLOW_ACTION}  # a real modal, answered by the slow handler
    start = time.monotonic()
    status, body = await w.submit(view, {})
    assert (status, body) == (200, "") and time.monotonic() - start < 3.0  # the modal closes in time
    deadline = time.monotonic() + 5
    while not any("done slowly" in str(c.body) for c in w.api.calls) and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    assert any("done slowly" in str(c.body) for c in w.api.calls)  # ... and its answer still arrives


def test_the_scheduler_s_pass_runs_in_a_worker_not_on_the_event_loop(tmp_path):
    from aiohttp.test_utils import TestServer

    from app import build
    from bot.pool import HandlerPool
    from bot.server import make_app
    from core.settings import Settings

    class Watched(HandlerPool):
        """The real pool, noting which thread ran each job."""

        ran: list[tuple[str, str]] = []

        async def run(self, job):
            def noted(ted):
                self.ran.append((getattr(job, "__name__", ""), threading.current_thread().name))
                return job(ted)

            return await super().run(noted)

    async def serve_until_the_first_pass() -> None:
        ted = build(Settings(workers=1), str(tmp_path / "ted.db"))
        server = TestServer(make_app(ted, pool=Watched(ted)))
        await server.start_server()
        try:
            for _ in range(250):
                if any(name == "scheduled" for name, _ in Watched.ran):
                    break
                await asyncio.sleep(0.02)
        finally:
            await server.close()

    asyncio.run(serve_until_the_first_pass())
    (thread,) = {t for name, t in Watched.ran if name == "scheduled"}
    assert thread.startswith("ted-worker-"), Watched.ran
