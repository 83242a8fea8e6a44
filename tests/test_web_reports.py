"""Reports through the web chat: the form with inline errors, screenshots, the reference, "My reports", and
the web inbox as a delivery channel with the recipients' actions, authorised by the same handlers."""

from chat import actions
from handlers import messages
from tests.fakes.web_world import ALEX, CASEY, JAMIE, PNG, SAM, web_test
from tests.fakes.world import GOOD_REPORT


async def upload(b, data: bytes, name: str = "shot.png"):
    import aiohttp

    form = aiohttp.FormData()
    form.add_field("file", data, filename=name, content_type="image/png")
    return await b.post("/api/uploads", data=form)


@web_test()
async def test_the_report_form_is_the_generic_form_with_errors_beside_each_field(w):
    b = await w.browser(ALEX)
    form = await w.open_report("someone swore at me", as_=b)
    kinds = {f["name"]: f["kind"] for f in form["fields"]}
    assert kinds["category"] == "select" and kinds["links"] == "multiline" and kinds["seen_at"] == "date"
    assert kinds["screenshots"] == "file" and kinds["account"] == "text"
    assert next(f for f in form["fields"] if f["name"] == "description")["value"] == "someone swore at me"
    status, body = await w.file_report(as_=b, category="", links="javascript:alert(1)", description=" ")
    again = body["replies"][0]["form"]
    assert status == 200 and set(again["errors"]) == {"category", "links", "description"}
    by_name = {f["name"]: f for f in again["fields"]}
    assert by_name["links"]["error"] and by_name["platform"]["value"] == "facebook"  # what was typed survives
    assert w.ted.db["reports"].count == 0


@web_test()
async def test_a_report_with_a_screenshot_reaches_the_manager_who_acknowledges_and_the_reporter_sees_it(w):
    alex, sam = await w.browser(ALEX), await w.browser(SAM)
    status, shot = await upload(alex, PNG)
    assert status == 201 and shot["mimetype"] == "image/png" and shot["name"] == "shot.png"
    status, body = await w.file_report(as_=alex, screenshots={"files": [shot["id"]]})
    (confirm,) = body["replies"]
    ref = confirm["meta"]["report_ref"]
    assert status == 200 and ref.startswith("TED-") and ref in confirm["text"] and "999" in confirm["text"]
    report = w.ted.reports.by_ref(ref)
    assert report["reporter_email"] == ALEX and report["reporter_platform"] == "web"
    assert shot["id"] in report["attachments"] and "/uploads/" in report["attachments"]

    _, mine = await alex.get("/api/reports/mine")
    assert [(r["ref"], r["status"]) for r in mine["reports"]] == [(ref, "open")]
    (msg,) = await w.inbox(sam)  # delivered at once: the action ran the outbox
    assert ref in msg["reply"]["text"]
    ids = [x["action_id"] for x in msg["reply"]["buttons"]]
    assert ids == [
        actions.REPORT_ACK,
        actions.REPORT_NOTE,
        actions.REPORT_REASSIGN,
        actions.REPORT_RESOLVE,
        actions.REPORT_DETAILS,
    ]
    assert (await sam.get(f"/uploads/{shot['id']}"))[0] == 200  # a recipient may see the screenshot

    status, body = await w.press(actions.REPORT_ACK, ref, as_=sam)
    assert status == 200 and body["replies"][0]["text"].startswith("You acknowledged")
    _, mine = await alex.get("/api/reports/mine")
    assert mine["reports"][0]["status"] == "acknowledged"
    updated = (await w.inbox(sam))[0]["reply"]
    assert "Status: Acknowledged" in updated["text"] and actions.REPORT_ACK not in str(updated["buttons"])
    alex_inbox = await w.inbox(alex)
    assert any("has been acknowledged" in m["reply"]["text"] for m in alex_inbox)


@web_test()
async def test_someone_not_on_the_report_cannot_act_and_nothing_changes(w):
    alex, jamie = await w.browser(ALEX), await w.browser(JAMIE)
    _, body = await w.file_report(as_=alex)
    ref = body["replies"][0]["meta"]["report_ref"]
    for action_id in (actions.REPORT_ACK, actions.REPORT_NOTE, actions.REPORT_RESOLVE):
        _, body = await w.press(action_id, ref, as_=jamie)
        assert body["replies"][0]["text"] == messages.NOT_ALLOWED
    forged = {"form_id": actions.REPORT_RESOLVE_SUBMIT, "private_metadata": ref}  # a form Jamie was never shown
    _, body = await w.submit(forged, {"outcome": "no_action"}, as_=jamie)
    assert body["replies"][0]["text"] == messages.NOT_ALLOWED
    assert w.ted.reports.by_ref(ref)["status"] == "open"


@web_test()
async def test_note_reassign_and_resolve_forms_from_the_inbox(w):
    alex, casey = await w.browser(ALEX), await w.browser(CASEY)
    _, body = await w.file_report(as_=alex)
    ref = body["replies"][0]["meta"]["report_ref"]
    _, body = await w.press(actions.REPORT_NOTE, ref, as_=casey)
    note = body["replies"][0]["form"]
    _, body = await w.submit(note, {"note": "  "}, as_=casey)
    assert body["replies"][0]["form"]["errors"] == {"note": "Please write a note."}
    _, body = await w.submit(note, {"note": "Called the resident."}, as_=casey)
    assert body["replies"][0]["meta"]["changed"] is True
    _, body = await w.press(actions.REPORT_REASSIGN, ref, as_=casey)
    assert body["replies"][0]["form"]["fields"][0]["kind"] == "select"
    _, body = await w.press(actions.REPORT_RESOLVE, ref, as_=casey)
    resolve = body["replies"][0]["form"]
    _, body = await w.submit(resolve, {"outcome": "removed", "note": ""}, as_=casey)
    assert w.ted.reports.by_ref(ref)["status"] == "resolved"
    _, mine = await alex.get("/api/reports/mine")
    assert mine["reports"][0]["status"] == "resolved" and mine["reports"][0]["outcome_label"]


@web_test()
async def test_uploads_must_be_images_within_the_limit_and_stay_private(w):
    alex, jamie, casey = await w.browser(ALEX), await w.browser(JAMIE), await w.browser(CASEY)
    status, out = await upload(alex, b"<html><script>alert(1)</script></html>", "evil.png")
    assert status == 400 and out["error"] == messages.WEB_UPLOAD_NOT_IMAGE
    w.web.uploads.max_bytes = 1000
    status, out = await upload(alex, PNG + b"\0" * 2000)
    assert status == 413 and "too big" in out["error"]
    assert not [p for p in w.web.uploads.folder.iterdir() if p.suffix in (".img", ".part")]
    w.web.uploads.max_bytes = 5 * 1024 * 1024
    status, out = await alex.post("/api/uploads", {"not": "multipart"})
    assert status == 400 and out["error"] == messages.WEB_UPLOAD_NONE
    _, shot = await upload(alex, PNG, "../../etc/<b>passwd</b>.png")
    assert shot["name"].endswith(".png") and not set(shot["name"]) & set("/\\<>")
    assert await alex.get(f"/uploads/{shot['id']}") == (200, PNG)
    assert (await jamie.get(f"/uploads/{shot['id']}"))[0] == 404  # not theirs, not on a report of theirs
    assert (await casey.get(f"/uploads/{shot['id']}"))[0] == 200  # the communications team
    assert (await alex.get("/uploads/..%2F..%2Fetc%2Fpasswd"))[0] == 404
    status, out = await w.file_report(as_=jamie, screenshots={"files": [shot["id"]]})  # someone else's upload
    assert status == 400 and out["field"] == "screenshots" and out["error"] == messages.WEB_UPLOAD_MISSING
    status, _ = await alex.post("/api/uploads", data=b"x", csrf=False)
    assert status == 403


@web_test()
async def test_report_this_starts_the_form_from_what_the_question_already_says(w):
    form = await w.open_report("someone left an abusive comment about me on the council's facebook page")
    values = {f["name"]: f["value"] for f in form["fields"]}
    assert values["category"] == "abuse_me" and values["platform"] == "facebook"
    form = await w.open_report("my colleague keeps posting rude things about our director on tiktok")
    values = {f["name"]: f["value"] for f in form["fields"]}
    assert values["category"] == "colleague_breach" and values["platform"] == "tiktok"
    form = await w.open_report("")
    values = {f["name"]: f["value"] for f in form["fields"]}
    assert values["category"] == "" and values["platform"] == ""  # nothing to go on: the person chooses


@web_test()
async def test_an_address_typed_as_involved_that_nobody_has_is_refused_beside_the_field(w):
    status, body = await w.file_report(involved=["nobody@x.example"])
    form = body["replies"][0]["form"]
    assert status == 200 and "nobody@x.example" in form["errors"]["involved"] and w.ted.db["reports"].count == 0


@web_test()
async def test_remove_deletes_the_uploaders_own_unattached_screenshot_and_nobody_elses(w):
    alex, jamie = await w.browser(ALEX), await w.browser(JAMIE)
    _, mine = await upload(alex, PNG)
    _, kept = await upload(alex, PNG, "kept.png")
    assert (await jamie.post(f"/api/uploads/{mine['id']}/remove", {}))[0] == 404  # not theirs
    status, body = await alex.post(f"/api/uploads/{mine['id']}/remove", {})
    assert status == 200 and body == {"removed": mine["id"]}
    assert (await alex.get(f"/uploads/{mine['id']}"))[0] == 404
    assert not list(w.web.uploads.folder.glob(f"{mine['id']}*"))  # gone from the disk, not only from the form
    form = await w.open_report(as_=alex)
    await w.submit(form, {**GOOD_REPORT, "screenshots": {"files": [kept["id"]]}}, as_=alex)
    assert (await alex.post(f"/api/uploads/{kept['id']}/remove", {}))[0] == 404  # a report's evidence stays
    assert (await alex.get(f"/uploads/{kept['id']}"))[0] == 200
