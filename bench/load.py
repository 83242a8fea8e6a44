"""Load: is `ted serve` still responsive while it is busy answering? Starts the real server (`ted serve`, a
subprocess) on a fresh database file, saturates `POST /api/ask` from several concurrent clients, and meanwhile
samples `GET /healthz` and the acknowledgement of a signed Slack event (Slack wants one within 3 seconds; the
Slack Web API is a stub in this process that says ok to everything). Once with TED_WORKERS=0 (answers on the
event loop, the old behaviour) and once with worker threads (bot/pool.py), side by side. Medians and p99s,
never assertions (shared, noisy machines).

    .venv/bin/python bench/load.py [--seconds 10] [--clients 8] [--workers 0,2] [--clauses 0]

`--clauses N` adds a generated policy of N clauses (bench/run_all.py's generator) so each answer costs more, as
a large handbook's would. `--lexical` runs with TED_SEMANTIC=0 (the way the scale targets at 100,000 clauses are
measured: encoding that many generated passages would take hours here).
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import hmac
import itertools
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiohttp
from aiohttp import web

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from run_all import generated_markdown, pct, questions  # noqa: E402

SECRET = "bench-signing-secret"
BOT_USER = "U0TEDBENCH"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def slack_stub() -> tuple[web.AppRunner, str]:
    """Slack's Web API, answering ok to every method TED calls (auth.test, chat.postMessage …)."""

    async def ok(_request: web.Request) -> web.Response:
        return web.json_response(
            {"ok": True, "user_id": BOT_USER, "team_id": "T0BENCH", "ts": "1700000000.000001", "channel": "D0BENCH"}
        )

    app = web.Application()
    app.router.add_route("*", "/api/{method}", ok)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    return runner, f"http://127.0.0.1:{port}/api/"


def signed(body: str) -> dict:
    ts = str(int(time.time()))
    sig = hmac.new(SECRET.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={sig}", "Content-Type": "application/json"}


def slack_event(n: int, text: str) -> str:
    ts = f"1700001000.{n:06d}"
    return json.dumps(
        {
            "token": "legacy",
            "team_id": "T0BENCH",
            "api_app_id": "A0TED",
            "type": "event_callback",
            "event_id": f"Ev{n:010d}",
            "event_time": int(time.time()),
            "authorizations": [{"team_id": "T0BENCH", "user_id": BOT_USER, "is_bot": True}],
            "event": {
                "type": "message",
                "channel": "D0BENCH",
                "channel_type": "im",
                "user": "U0ALEXLIFE",
                "text": text,
                "ts": ts,
                "event_ts": ts,
            },
        }
    )


def stats(ms: list[float]) -> dict:
    if not ms:
        return {"n": 0, "p50_ms": None, "p99_ms": None}
    return {"n": len(ms), "p50_ms": round(statistics.median(ms), 1), "p99_ms": round(pct(ms, 99), 1)}


async def wait_ready(http: aiohttp.ClientSession, base: str, proc: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"ted serve exited with {proc.returncode}")
        try:
            async with http.get(base + "/healthz") as r:
                if r.status == 200:
                    return
        except aiohttp.ClientError:
            pass
        await asyncio.sleep(0.2)
    raise SystemExit("ted serve did not become ready")


async def run(workers: int, args, qs: list[str], api_url: str, seed_db: Path) -> dict:
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "ted.db"
        db.write_bytes(seed_db.read_bytes())  # the same knowledge base each run, no first-use load timed
        env = {
            **os.environ,
            "TED_DB": str(db),
            "TED_PORT": str(port),
            "TED_HOST": "127.0.0.1",
            "TED_WORKERS": str(workers),
            "TED_LOG_LEVEL": "WARNING",
            "SLACK_BOT_TOKEN": "xoxb-bench",
            "SLACK_SIGNING_SECRET": SECRET,
            "SLACK_API_URL": api_url,
            "TED_WEB_UPLOADS": str(Path(tmp) / "up"),
        }
        proc = subprocess.Popen(
            [sys.executable, str(ROOT / "app.py"), "serve"],
            env=env,
            cwd=tmp,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        base = f"http://127.0.0.1:{port}"
        timeout = aiohttp.ClientTimeout(total=30)
        async with aiohttp.ClientSession(
            timeout=timeout, connector=aiohttp.TCPConnector(limit=args.clients + 8)
        ) as http:
            try:
                await wait_ready(http, base, proc)
                return await measure(http, base, args, qs)
            finally:
                proc.terminate()
                try:
                    proc.wait(20)
                except subprocess.TimeoutExpired:
                    proc.kill()


async def measure(http: aiohttp.ClientSession, base: str, args, qs: list[str]) -> dict:
    ask_ms: list[float] = []
    health_ms: list[float] = []
    slack_ms: list[float] = []
    errors = {"ask": 0, "healthz": 0, "slack": 0}
    stop = asyncio.Event()
    questions_ = itertools.cycle(qs)
    events = itertools.count(1)

    async def timed(kind: str, out: list[float], call) -> None:
        t = time.perf_counter()
        try:
            async with call() as r:
                await r.read()
                ok = r.status == 200
        except (TimeoutError, aiohttp.ClientError):
            ok = False
        if ok:
            out.append((time.perf_counter() - t) * 1000)
        else:
            errors[kind] += 1

    async def client() -> None:
        while not stop.is_set():
            q = next(questions_)
            await timed("ask", ask_ms, lambda q=q: http.post(base + "/api/ask", json={"question": q}))

    async def health() -> None:
        while not stop.is_set():
            await timed("healthz", health_ms, lambda: http.get(base + "/healthz"))
            await asyncio.sleep(0.05)

    async def slack() -> None:
        while not stop.is_set():
            body = slack_event(next(events), next(questions_))
            await timed(
                "slack", slack_ms, lambda body=body: http.post(base + "/slack/events", data=body, headers=signed(body))
            )
            await asyncio.sleep(0.2)

    for q in qs[:20]:  # warm up: indexes built, query vectors cached where they will be
        await timed("ask", [], lambda q=q: http.post(base + "/api/ask", json={"question": q}))
    tasks = [asyncio.create_task(client()) for _ in range(args.clients)]
    tasks += [asyncio.create_task(health()), asyncio.create_task(slack())]
    start = time.perf_counter()
    await asyncio.sleep(args.seconds)
    stop.set()
    await asyncio.gather(*tasks)
    elapsed = time.perf_counter() - start
    return {
        "asks_per_s": round(len(ask_ms) / elapsed, 1),
        "ask": stats(ask_ms),
        "healthz": stats(health_ms),
        "slack_ack": stats(slack_ms),
        "errors": errors,
    }


def seed(tmp: Path, clauses: int) -> Path:
    """A database with the bundled policy (and a generated one of `clauses` clauses), built once."""
    db = tmp / "seed.db"
    env = {**os.environ, "TED_DB": str(db)}
    subprocess.run(
        [sys.executable, str(ROOT / "app.py"), "ask", "hello"], env=env, check=True, stdout=subprocess.DEVNULL
    )
    if clauses:
        md = tmp / "generated-policy.md"
        generated_markdown(md, clauses)
        subprocess.run(
            [sys.executable, str(ROOT / "app.py"), "ingest", "--quiet", str(md)],
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
    return db


async def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--seconds", type=float, default=10.0)
    p.add_argument("--clients", type=int, default=8, help="concurrent POST /api/ask clients")
    p.add_argument("--workers", default="0,2", help="TED_WORKERS values to compare (0 = answers on the loop)")
    p.add_argument("--clauses", type=int, default=0, help="also ingest a generated policy of this many clauses")
    p.add_argument("--json", action="store_true", help="print the results as JSON too")
    p.add_argument("--lexical", action="store_true", help="TED_SEMANTIC=0: the semantic signal off")
    args = p.parse_args()
    if args.lexical:
        os.environ["TED_SEMANTIC"] = "0"
    qs = questions()
    runner, api_url = await slack_stub()
    results = {}
    try:
        with tempfile.TemporaryDirectory() as tmp:
            seed_db = seed(Path(tmp), args.clauses)
            for w in (int(x) for x in args.workers.split(",")):
                results[w] = await run(w, args, qs, api_url, seed_db)
    finally:
        await runner.cleanup()
    kb = f"bundled policy{f' + {args.clauses:,} generated clauses' if args.clauses else ''}"
    print(f"{args.clients} clients on POST /api/ask for {args.seconds:g}s each ({kb}); milliseconds, p50 / p99")
    print(f"{'TED_WORKERS':>11}  {'asks/s':>7}  {'/api/ask':>15}  {'/healthz':>15}  {'Slack ack':>15}  errors")
    for w, r in results.items():
        cells = [f"{r[k]['p50_ms']} / {r[k]['p99_ms']}" for k in ("ask", "healthz", "slack_ack")]
        errs = sum(r["errors"].values())
        print(f"{w:>11}  {r['asks_per_s']:>7}  {cells[0]:>15}  {cells[1]:>15}  {cells[2]:>15}  {errs}")
    if args.json:
        print(json.dumps(results, indent=2))


if __name__ == "__main__":
    asyncio.run(main())
