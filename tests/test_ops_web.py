"""The web server against slow, broken and foreign clients, over real HTTP on 127.0.0.1 port 0: header and body
deadlines, clients that go away, /api/ask and cross-site requests, /api/people off the loopback."""

from __future__ import annotations

import asyncio
import json
import logging

import aiohttp

from handlers import messages
from tests.web_world import ALEX, CASEY, SUPPLIER, WebWorld, web_test


def run(body, **settings) -> None:
    async def main():
        async with WebWorld(**settings) as w:
            await body(w)

    asyncio.run(main())


async def raw(w: WebWorld) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    return await asyncio.open_connection("127.0.0.1", w.port)


async def closed_within(reader: asyncio.StreamReader, seconds: float) -> bytes:
    """Everything the server sends until it closes the connection; fails if it is still open after *seconds*."""
    return await asyncio.wait_for(reader.read(), seconds)


# -- slow and broken clients -----------------------------------------------------------------------------------
def test_a_client_that_sends_its_headers_too_slowly_is_disconnected():
    async def body(w):
        reader, writer = await raw(w)
        writer.write(b"GET /healthz HTTP/1.1\r\nHost: ted\r\n")  # and never the blank line that ends the headers
        await writer.drain()
        assert await closed_within(reader, 5) == b""
        writer.close()
        reader, writer = await raw(w)  # a prompt client is served as before
        writer.write(b"GET /healthz HTTP/1.1\r\nHost: ted\r\nConnection: close\r\n\r\n")
        assert (await closed_within(reader, 5)).startswith(b"HTTP/1.1 200")
        writer.close()

    run(body, header_timeout_seconds=0.5)


def test_a_client_that_sends_its_body_too_slowly_gets_408_and_is_disconnected(caplog):
    async def body(w):
        reader, writer = await raw(w)
        writer.write(b"POST /api/ask HTTP/1.1\r\nHost: ted\r\nContent-Type: application/json\r\n"
                     b"Content-Length: 100\r\n\r\n" + b'{"question": ')
        await writer.drain()
        answer = await closed_within(reader, 5)
        writer.close()
        assert answer.startswith(b"HTTP/1.1 408"), answer[:100]
        assert messages.WEB_TOO_SLOW.encode() in answer

    caplog.set_level(logging.INFO)
    run(body, body_timeout_seconds=0.5)
    assert any("client too slow" in r.getMessage() for r in caplog.records)
    assert not [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]


def test_a_client_that_disconnects_mid_request_is_logged_at_info_without_a_traceback(caplog):
    async def body(w):
        reader, writer = await raw(w)
        writer.write(b"POST /api/ask HTTP/1.1\r\nHost: ted\r\nContent-Type: application/json\r\n"
                     b"Content-Length: 1000\r\n\r\n" + b'{"question": "can I')
        await writer.drain()
        await asyncio.sleep(0.2)  # the handler is reading the body
        writer.close()
        for _ in range(50):
            if any("went away" in r.getMessage() for r in caplog.records):
                break
            await asyncio.sleep(0.05)
        async with aiohttp.ClientSession() as s, s.get(w.base + "/healthz") as r:
            assert r.status == 200  # and TED carries on

    caplog.set_level(logging.DEBUG)
    run(body)
    went = [r for r in caplog.records if "client went away" in r.getMessage()]
    assert went and went[0].levelno == logging.INFO and "/api/ask" in went[0].getMessage()
    loud = [r for r in caplog.records if (r.exc_info or r.levelno >= logging.WARNING)
            and r.name.startswith(("ted", "aiohttp"))]
    assert not loud, [(r.name, r.getMessage()) for r in loud]


# -- /api/ask and other sites ----------------------------------------------------------------------------------
@web_test(public_url="https://intranet.example/ted")
async def test_api_ask_refuses_cross_site_simple_requests(w):
    b = await w.browser()
    q = json.dumps({"question": SUPPLIER})
    status, out = await b.post("/api/ask", data=q, csrf=False, headers={"Content-Type": "text/plain"})
    assert status == 415 and out["error"] == messages.WEB_JSON_ONLY
    for form in ("application/x-www-form-urlencoded", "multipart/form-data; boundary=x"):
        assert (await b.post("/api/ask", data=q, csrf=False, headers={"Content-Type": form}))[0] == 415
    for foreign in ({"Origin": "https://evil.example"}, {"Origin": "null"}, {"Sec-Fetch-Site": "cross-site"},
                    {"Origin": "https://intranet.example.evil.example"}):
        status, out = await b.post("/api/ask", {"question": SUPPLIER}, csrf=False, headers=foreign)
        assert status == 403 and out["error"] == messages.WEB_CROSS_SITE, foreign
    for ours in ({"Origin": w.base}, {"Origin": "https://intranet.example"}, {"Sec-Fetch-Site": "same-origin"}, {}):
        status, out = await b.post("/api/ask", {"question": SUPPLIER}, csrf=False, headers=ours)
        assert status == 200 and out["intent"] == "policy", ours


# -- /api/people -------------------------------------------------------------------------------------------------
@web_test(host="0.0.0.0")
async def test_the_directory_is_not_listed_to_anyone_when_ted_is_reachable_from_the_network(w):
    b = await w.browser()
    status, out = await b.get("/api/people")
    assert status == 403 and out["error"] == messages.WEB_PICKING_OFF and "people" not in out
    assert (await b.me())["can_switch"] is False
    status, out = await b.post("/api/identity", {"email": CASEY})
    assert status == 403 and out["error"] == messages.WEB_PICKING_OFF


@web_test(host="0.0.0.0", web_allow_local_identity=True)
async def test_the_directory_is_listed_off_loopback_only_with_the_explicit_opt_in(w):
    b = await w.browser()
    status, out = await b.get("/api/people")
    assert status == 200 and ALEX in [p["email"] for p in out["people"]]
