"""What a hostile or careless client sends the web server: every answer is polite, nothing breaks a page, nothing
is lost or filed twice, and nobody acts on what isn't theirs. Through the real server on 127.0.0.1."""

from __future__ import annotations

import asyncio

import aiohttp

from chat import actions
from handlers import messages
from tests.fakes.web_world import ALEX, CASEY, PNG, SAM, web_test

HUGE = "9999999999999999999999999999"


async def raw_upload(b, part_headers: bytes, body: bytes = PNG) -> tuple[int, object]:
    """A multipart body written by hand, so its part headers can be as broken as a client makes them."""
    data = b"--BND\r\n" + part_headers + b"\r\n\r\n" + body + b"\r\n--BND--\r\n"
    return await b.post("/api/uploads", data=data, headers={"Content-Type": "multipart/form-data; boundary=BND"})


@web_test()
async def test_a_file_name_that_was_never_text_is_cleaned_and_every_page_still_works(w):
    alex, casey = await w.browser(ALEX), await w.browser(CASEY)
    status, shot = await raw_upload(
        alex, b'Content-Disposition: form-data; name="file"; filename="\xff\xfe.png"\r\nContent-Type: image/png'
    )
    assert status == 201 and shot["name"].endswith(".png")
    assert all(not 0xD800 <= ord(c) <= 0xDFFF for c in shot["name"])
    status, body = await w.file_report(as_=alex, screenshots={"files": [shot["id"]]})
    ref = body["replies"][0]["meta"]["report_ref"]
    assert (await alex.get(f"/reports/{ref}"))[0] == 200
    assert (await casey.get("/admin"))[0] == 200
    # A long name keeps its extension.
    status, long = await raw_upload(
        alex, b'Content-Disposition: form-data; name="file"; filename="' + b"a" * 5000 + b'.png"'
    )
    assert status == 201 and long["name"].endswith(".png") and len(long["name"]) <= 120


@web_test()
async def test_broken_multipart_headers_are_a_polite_400_not_a_500(w):
    alex = await w.browser(ALEX)
    for headers in (
        b'Content-Disposition form-data; name="file"',  # no colon
        b'Content-Disposition: form-data; name="file"; filename="a\x00b.png"',
        b'Content-Disposition: form-data; name="file"; filename="a\x01b.png"',
    ):
        status, out = await raw_upload(alex, headers)
        assert (status, out["error"]) == (400, messages.WEB_UPLOAD_NONE), headers


@web_test()
async def test_ids_too_big_for_the_database_are_unknown_ids(w):
    guest, casey = await w.browser(), await w.browser(CASEY)
    for action_id in (actions.FEEDBACK_UP, actions.FEEDBACK_DOWN, actions.SHARE):
        status, body = await guest.post("/api/action", {"action_id": action_id, "value": HUGE, "form": {}})
        assert status == 200, body
    status, out = await casey.get(f"/api/admin/kb/drafts/{HUGE}")
    assert status in (400, 404) and out["error"]
    for path in (f"/api/admin/kb/drafts/{HUGE}/publish", f"/api/admin/kb/taught/{HUGE}/forget"):
        status, out = await casey.post(path, {})
        assert status in (400, 404) and out["error"], path
    status, out = await casey.post("/api/admin/kb/dismiss", {"kind": "unanswered", "id": int(HUGE)})
    assert status in (400, 404) and out["error"]


@web_test()
async def test_guests_may_ask_but_not_store_screenshots(w):
    guest = await w.browser()
    form = aiohttp.FormData()
    form.add_field("file", PNG, filename="shot.png", content_type="image/png")
    status, out = await guest.post("/api/uploads", data=form)
    assert status == 401 and out["error"] == messages.WEB_PICK_FIRST
    assert not list(w.web.uploads.folder.glob("*.img"))


@web_test()
async def test_what_the_router_itself_refuses_is_said_in_teds_words(w):
    b = await w.browser(ALEX)
    async with b.http.put(w.base + "/api/chat") as r:
        assert r.status == 405 and r.content_type == "application/json" and "POST" in r.headers.get("Allow", "")
        assert (await r.json())["error"] == messages.HTTP_ERRORS[405]
    status, out = await b.get("/api/nope")
    assert status == 404 and out == {"error": messages.HTTP_ERRORS[404]}
    async with b.http.get(w.base + "/no-such-page") as r:
        assert r.status == 404 and r.content_type == "text/html" and "Back to TED" in await r.text()
    # Teams and Slack are off here: their addresses are like any other that doesn't exist
    status, out = await b.get("/api/messages")
    assert status == 404 and out == {"error": messages.HTTP_ERRORS[404]}
    async with b.http.post(w.base + "/slack/events", data=b"{}") as r:
        assert r.status == 404 and r.content_type == "text/html" and "Back to TED" in await r.text()
    async with b.http.get(w.base + "/api/me") as r:
        assert "frame-ancestors 'none'" in r.headers["Content-Security-Policy"]


@web_test()
async def test_writes_take_json_or_multipart_only_and_another_host_name_gets_nothing(w):
    alex = await w.browser(ALEX)
    status, out = await alex.post("/api/chat", data='{"text": "hi"}', headers={"Content-Type": "text/plain"})
    assert status == 415 and out["error"] == messages.WEB_JSON_BODY
    status, out = await alex.get("/api/people", headers={"Host": "rebind.evil.example"})
    assert status == 421 and out["error"] == messages.WEB_WRONG_HOST
    assert (await alex.get("/api/people", headers={"Host": "localhost"}))[0] == 200


@web_test()
async def test_a_report_sent_twice_at_once_is_one_report(w):
    alex = await w.browser(ALEX)
    form = await w.open_report(as_=alex)
    first, second = await asyncio.gather(
        w.submit(form, {"description": "the same words, twice", **_good()}, as_=alex),
        w.submit(form, {"description": "the same words, twice", **_good()}, as_=alex),
    )
    refs = {body["replies"][0]["meta"]["report_ref"] for _, body in (first, second)}
    assert len(refs) == 1 and w.ted.db["reports"].count == 1
    _, third = await w.file_report(as_=alex, description="something else happened")
    assert third["replies"][0]["meta"]["report_ref"] not in refs


def _good() -> dict:
    from tests.fakes.web_world import GOOD_REPORT

    return {k: v for k, v in GOOD_REPORT.items() if k != "description"}


@web_test()
async def test_report_actions_say_when_there_is_no_such_report_and_a_holder_cannot_take_it_again(w):
    sam = await w.browser(SAM)
    for ref in ("TED-2026-9999", "../../x", ""):
        status, body = await w.press(actions.REPORT_ACK, ref, as_=sam)
        assert status == 200 and body["replies"][0]["text"] == messages.REPORT_NOT_FOUND, ref
    _, body = await w.file_report(as_=ALEX)
    ref = body["replies"][0]["meta"]["report_ref"]
    reassign = {"form_id": actions.REPORT_REASSIGN_SUBMIT, "private_metadata": ref}
    assert SAM in {r["email"] for r in w.ted.reports.recipients(w.ted.reports.by_ref(ref)["id"])}  # Alex's manager
    status, body = await w.submit(reassign, {"to": SAM}, as_=sam)
    assert status == 200 and body["replies"][0]["text"] == f"{ref} is already with you, so nothing changed."
    assert not body["replies"][0]["meta"].get("changed", False)
    status, body = await w.submit(reassign, {"to": SAM}, as_=CASEY)
    assert "is now with Sam" in body["replies"][0]["text"]
    status, body = await w.submit(reassign, {"to": SAM}, as_=CASEY)
    assert "already with Sam" in body["replies"][0]["text"]


@web_test()
async def test_a_note_too_long_is_given_back_with_the_reason_not_cut(w):
    _, body = await w.file_report(as_=ALEX)
    ref = body["replies"][0]["meta"]["report_ref"]
    note = "n" * 2500
    status, body = await w.submit(
        {"form_id": actions.REPORT_NOTE_SUBMIT, "private_metadata": ref}, {"note": note}, as_=CASEY
    )
    form = body["replies"][0]["form"]
    assert "2,000" in form["errors"]["note"] and form["fields"][0]["value"] == note
    assert not [e for e in w.ted.reports.events(w.ted.reports.by_ref(ref)["id"]) if e["action"] == "note"]
    status, body = await w.file_report(as_=ALEX, account="x" * 201)
    assert "account" in body["replies"][0]["form"]["errors"]


@web_test()
async def test_a_screenshot_is_named_for_what_it_is(w):
    alex = await w.browser(ALEX)
    for given, stored in (("x.exe", "x.png"), ("shot.html", "shot.png"), ("noext", "noext.png"), ("a.PNG", "a.PNG")):
        status, shot = await raw_upload(
            alex, f'Content-Disposition: form-data; name="file"; filename="{given}"\r\nContent-Type: image/png'.encode()
        )
        assert status == 201 and shot["name"] == stored, (given, shot)
