"""The web server against slow, broken and foreign clients, over real HTTP on 127.0.0.1 port 0: header and body
deadlines, clients that go away, /api/ask and cross-site requests, /api/people off the loopback, and screenshot
quotas, size limits and the sweep of screenshots no report kept."""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import UTC, datetime, timedelta

import aiohttp

from handlers import messages
from tests.fakes.web_world import ALEX, CASEY, PNG, WebWorld, web_test
from tests.fakes.world import SUPPLIER
from tests.test_web_reports import upload


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
        writer.write(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # and never the blank line that ends the headers
        await writer.drain()
        assert await closed_within(reader, 5) == b""
        writer.close()
        reader, writer = await raw(w)  # a prompt client is served as before
        writer.write(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        assert (await closed_within(reader, 5)).startswith(b"HTTP/1.1 200")
        writer.close()

    run(body, header_timeout_seconds=0.5)


def test_a_client_that_sends_its_body_too_slowly_gets_408_and_is_disconnected(caplog):
    async def body(w):
        reader, writer = await raw(w)
        writer.write(
            b"POST /api/ask HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            b"Content-Length: 100\r\n\r\n" + b'{"question": '
        )
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
        writer.write(
            b"POST /api/ask HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            b"Content-Length: 1000\r\n\r\n" + b'{"question": "can I'
        )
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
    loud = [
        r
        for r in caplog.records
        if (r.exc_info or r.levelno >= logging.WARNING) and r.name.startswith(("ted", "aiohttp"))
    ]
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
    for foreign in (
        {"Origin": "https://evil.example"},
        {"Origin": "null"},
        {"Sec-Fetch-Site": "cross-site"},
        {"Origin": "https://intranet.example.evil.example"},
    ):
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


# -- screenshots -------------------------------------------------------------------------------------------------
@web_test(upload_quota_count=2)
async def test_screenshots_per_person_per_hour_are_limited_by_count_with_a_polite_refusal(w):
    alex, casey = await w.browser(ALEX), await w.browser(CASEY)
    assert [(await upload(alex, PNG))[0] for _ in range(2)] == [201, 201]
    status, out = await upload(alex, PNG)
    assert status == 429 and out["field"] == "file"
    assert "2 screenshot(s)" in out["error"] and "in the last hour" in out["error"] and "try again" in out["error"]
    assert (await upload(casey, PNG))[0] == 201  # a quota is per person
    assert len(list(w.web.uploads.folder.glob("*.img"))) == 3


@web_test(upload_quota_mb=len(PNG) * 1.5 / (1024 * 1024))
async def test_screenshots_per_person_per_hour_are_limited_by_size(w):
    alex = await w.browser(ALEX)
    assert (await upload(alex, PNG))[0] == 201
    status, out = await upload(alex, PNG)
    assert status == 429 and "in the last hour" in out["error"]
    assert len(list(w.web.uploads.folder.glob("*.img"))) == 1
    assert not list(w.web.uploads.folder.glob(".*.part"))


@web_test()
async def test_an_upload_too_big_by_its_content_length_is_refused_before_its_body_is_read(w):
    alex = await w.browser(ALEX)
    cookie = next(c for c in alex.http.cookie_jar if c.key == "ted_session")
    reader, writer = await raw(w)
    writer.write(
        (
            f"POST /api/uploads HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: ted_session={cookie.value}\r\n"
            f"X-CSRF-Token: {alex.csrf}\r\nContent-Type: multipart/form-data; boundary=xyz\r\n"
            f"Content-Length: {50 * 1024 * 1024}\r\n\r\n"
        ).encode()
    )
    await writer.drain()
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)  # answered at once: no body was sent
    writer.close()
    assert head.startswith(b"HTTP/1.1 413"), head


@web_test(scheduler_interval_seconds=0.05)
async def test_screenshots_never_attached_to_a_report_are_removed_by_the_scheduler(w):
    alex = await w.browser(ALEX)
    (_, kept), (_, orphan), (_, fresh) = [await upload(alex, PNG) for _ in range(3)]
    await w.file_report(as_=alex, screenshots={"files": [kept["id"]]})
    day_ago = (datetime.now(UTC) - timedelta(hours=25)).isoformat(timespec="seconds")
    w.ted.db.execute("update uploads set uploaded_at = ? where id in (?, ?)", [day_ago, kept["id"], orphan["id"]])
    for _ in range(100):
        if w.web.uploads.meta(orphan["id"]) is None:
            break
        await asyncio.sleep(0.05)
    assert w.web.uploads.meta(orphan["id"]) is None and (await alex.get(f"/uploads/{orphan['id']}"))[0] == 404
    assert (await alex.get(f"/uploads/{kept['id']}"))[0] == 200  # a report refers to it
    assert (await alex.get(f"/uploads/{fresh['id']}"))[0] == 200  # not old enough yet
    ledger = {r["id"]: r["kept"] for r in w.ted.db["uploads"].rows}
    assert ledger == {kept["id"]: 1, fresh["id"]: 0}


@web_test()
async def test_screenshots_stored_before_the_ledger_are_adopted_into_it(w):
    alex = await w.browser(ALEX)
    _, shot = await upload(alex, PNG)
    w.ted.db.execute("delete from uploads")  # as a database from before migration 009_uploads would be
    assert w.web.uploads.used(ALEX) == (0, 0)
    assert w.web.uploads.adopt() == 1 and w.web.uploads.adopt() == 0
    assert w.web.uploads.used(ALEX) == (1, len(PNG))


def test_a_request_the_server_cannot_read_is_one_info_line_without_its_bytes_and_the_access_log_has_no_query(caplog):
    async def body(w):
        reader, writer = await raw(w)
        writer.write(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Long: " + b"secretwords" * 1000 + b"\r\n\r\n")
        await writer.drain()
        answer = await closed_within(reader, 5)
        assert answer.startswith((b"HTTP/1.0 400", b"HTTP/1.1 400"))  # aiohttp's own answer, to that client only
        async with aiohttp.ClientSession() as http:
            async with http.get(w.url("/api/me?q=my+private+words")) as r:
                assert r.status == 200

    caplog.set_level(logging.INFO)
    run(body)
    assert not [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert "secretwords" not in text and "private" not in text
    assert any("could not read" in r.getMessage() for r in caplog.records)
    assert any(r.name == "aiohttp.access" and "/api/me" in r.getMessage() for r in caplog.records)


def test_only_requests_the_parser_refused_are_downgraded_a_handler_crash_stays_an_error():
    from aiohttp.http_exceptions import LineTooLong

    from bot.guard import MalformedRequests

    def record(exc: BaseException) -> logging.LogRecord:
        try:
            raise exc
        except BaseException:
            import sys

            return logging.LogRecord(
                "aiohttp.server", logging.ERROR, "x", 1, "Error handling request", (), sys.exc_info()
            )

    refused, crash = record(LineTooLong(b"aaaa", "8190")), record(OverflowError("boom"))
    MalformedRequests().filter(refused)
    MalformedRequests().filter(crash)
    assert refused.levelno == logging.INFO and refused.exc_info is None and "LineTooLong" in refused.getMessage()
    assert crash.levelno == logging.ERROR and crash.exc_info is not None
