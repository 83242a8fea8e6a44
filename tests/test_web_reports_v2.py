"""Reports v2 end to end in the web chat: who receives what for a normal, a confidential and a "someone in my
management line is involved" report; refused presses; GET /api/reports/<ref> and /reports/<ref> per viewer;
the admin list, CSV and metrics; a guest is asked who they are before filing; links and screenshots in inbox
cards."""

from chat import actions
from tests.fakes.web_world import ALEX, CASEY, JAMIE, PNG, SAM, web_test
from tests.fakes.world import GOOD_REPORT
from tests.test_web_reports import upload

ROBIN, HARPER, JORDAN = "robin.press@tendring.example", "harper.hr@tendring.example", "jordan.leisure@tendring.example"
PEOPLE = (SAM, CASEY, ROBIN, HARPER, JORDAN, JAMIE)


async def filed(w, **changes) -> tuple[str, dict]:
    status, body = await w.file_report(as_=ALEX, **changes)
    assert status == 200, body
    ref = body["replies"][0]["meta"]["report_ref"]
    return ref, {p: [m for m in await w.inbox(p) if ref in m["reply"]["text"]] for p in PEOPLE}


@web_test()
async def test_web_normal_report_inbox_cards_say_who_reported_it_with_links_and_screenshots(w):
    alex = await w.browser(ALEX)
    status, shot = await upload(alex, PNG)
    assert status == 201
    form = await w.open_report("someone swore at me", as_=alex)
    fields = {f["name"]: f for f in form["fields"]}
    assert fields["description"]["value"] == "someone swore at me"  # "Report this" still pre-fills it
    assert fields["involved"]["kind"] == "people" and fields["at_risk"]["value"] == ""
    assert ALEX not in [o["value"] for o in fields["involved"]["options"]]
    status, body = await w.submit(form, {**_good(), "screenshots": {"files": [shot["id"]]}}, as_=alex)
    ref = body["replies"][0]["meta"]["report_ref"]
    assert "an outcome by" in body["replies"][0]["text"]
    got = {p: [m for m in await w.inbox(p) if ref in m["reply"]["text"]] for p in PEOPLE}
    assert {p for p, msgs in got.items() if msgs} == {SAM, CASEY}
    assert (await (await w.session(JAMIE)).get(f"/uploads/{shot['id']}"))[0] == 404
    card = got[SAM][0]["reply"]
    assert "Reported by: Alex Reed (Leisure and Tourism)" in card["text"]
    assert card["links"] == ["https://facebook.com/tdc/posts/1"]
    assert card["images"] == [{"name": shot["name"], "url": f"/uploads/{shot['id']}"}]


def _good() -> dict:
    return dict(GOOD_REPORT)


@web_test()
async def test_web_confidential_report_and_who_sees_the_reporter(w):
    ref, got = await filed(w, confidential="yes")
    assert {p for p, msgs in got.items() if msgs} == {CASEY, ROBIN}
    _, seen = await (await w.session(CASEY)).get(f"/api/reports/{ref}")
    assert seen["reporter"] == {"name": "Alex Reed", "email": ALEX}
    # Reassigned to Jordan, who is outside the Communications team: withheld, in the card and the history.
    status, _ = await w.submit(
        {"form_id": actions.REPORT_REASSIGN_SUBMIT, "private_metadata": ref}, {"to": JORDAN}, as_=CASEY
    )
    assert status == 200
    (msg,) = await w.inbox(JORDAN)
    assert "Reported by: withheld (confidential)" in msg["reply"]["text"] and "Alex" not in msg["reply"]["text"]
    _, seen = await (await w.session(JORDAN)).get(f"/api/reports/{ref}")
    assert seen["reporter"] is None and "Alex" not in str(seen)


@web_test()
async def test_a_form_sent_back_with_an_error_keeps_who_is_involved_and_the_management_line_tick(w):
    alex = await w.browser(ALEX)
    form = await w.open_report(as_=alex)
    sent = {**_good(), "description": "", "involved": [SAM, CASEY], "involved_line": True, "confidential": "yes"}
    _, body = await w.submit(form, sent, as_=alex)
    again = {f["name"]: f for f in body["replies"][0]["form"]["fields"]}
    assert again["description"]["error"]
    # Lost, the next press would send the report to the very people named, or meant to be kept from it.
    assert set(again["involved"]["value"].split(",")) == {SAM, CASEY}
    assert again["involved_line"]["value"] == "true" and again["confidential"]["value"] == "yes"


@web_test()
async def test_web_someone_in_my_line_and_a_named_person_never_see_it(w):
    ref, got = await filed(w, involved_line=True)
    assert {p for p, msgs in got.items() if msgs} == {CASEY, ROBIN, HARPER}
    ref2, got = await filed(w, involved=[SAM])
    assert {p for p, msgs in got.items() if msgs} == {JORDAN, CASEY, HARPER}
    sam = await w.session(SAM)
    assert (await sam.get(f"/api/reports/{ref2}"))[0] == 403
    assert (await sam.get(f"/reports/{ref2}"))[0] == 403
    for action_id in (actions.REPORT_ACK, actions.REPORT_RESOLVE, actions.REPORT_DETAILS):
        status, body = await w.press(action_id, ref2, as_=sam)
        assert (
            status == 200
            and "Nothing has been changed" in body["replies"][0]["text"]
            or "only the person who filed" in body["replies"][0]["text"]
        )
    assert w.ted.reports.by_ref(ref2)["status"] == "open"


@web_test()
async def test_web_report_detail_and_timeline_per_viewer(w):
    ref, _ = await filed(w)
    await w.press(actions.REPORT_ACK, ref, as_=SAM)
    await w.submit(
        {"form_id": actions.REPORT_NOTE_SUBMIT, "private_metadata": ref}, {"note": "INTERNAL NOTE"}, as_=CASEY
    )
    status, mine = await (await w.session(ALEX)).get(f"/api/reports/{ref}")
    assert status == 200 and mine["reporter"] == {"name": "Alex Reed", "email": ALEX}
    assert [e["action"] for e in mine["timeline"]] == ["filed", "acknowledged", "told_reporter"]
    assert set(mine["timeline"][0]) == {"at", "actor", "action", "note"} and "INTERNAL" not in str(mine)
    status, theirs = await (await w.session(SAM)).get(f"/api/reports/{ref}")
    assert status == 200 and "INTERNAL NOTE" in [e["note"] for e in theirs["timeline"]]
    assert (await (await w.session(JAMIE)).get(f"/api/reports/{ref}"))[0] == 403
    assert (await (await w.session(CASEY)).get("/api/reports/TED-2099-0001"))[0] == 404
    status, html = await (await w.session(ALEX)).get(f"/reports/{ref}")
    assert status == 200 and f"Report {ref}" in html and "History" in html and "INTERNAL" not in html


@web_test()
async def test_web_admin_filters_csv_and_metrics(w):
    ref1, _ = await filed(w)
    ref2, _ = await filed(w, category="disparaging", service_area="Planning")
    await w.submit(
        {"form_id": actions.REPORT_RESOLVE_SUBMIT, "private_metadata": ref1}, {"outcome": "removed"}, as_=CASEY
    )
    casey = await w.session(CASEY)
    _, body = await casey.get("/api/admin/reports")
    assert [r["ref"] for r in body["reports"]] == [ref2]  # default: not yet resolved
    _, body = await casey.get("/api/admin/reports?status=all&category=abuse_me")
    assert [(r["ref"], r["status"], r["link"]) for r in body["reports"]] == [(ref1, "resolved", f"/reports/{ref1}")]
    _, body = await casey.get("/api/admin/reports?service_area=Planning&status=all")
    assert [r["ref"] for r in body["reports"]] == [ref2]
    _, body = await casey.get("/api/admin/reports?overdue=1")
    assert body["reports"] == []
    assert (await casey.get("/api/admin/reports?status=bogus"))[0] == 400
    status, text = await casey.get("/api/admin/reports.csv")
    lines = text.splitlines()
    assert status == 200 and lines[0] == (
        "ref,created,category,platform,service_area,status,acknowledged_at,resolved_at,outcome"
    )
    assert {ln.split(",")[0] for ln in lines[1:]} == {ref1, ref2} and "beach" not in text
    _, admin = await casey.get("/api/admin")
    assert admin["metrics"]["abuse_me"]["count"] == 1 and admin["metrics"]["disparaging"]["count"] == 1
    assert admin["metrics"]["abuse_me"]["median_days_to_resolve"] is not None
    status, html = await casey.get("/admin?status=all")
    assert status == 200 and f'href="/reports/{ref1}"' in html and 'name="overdue"' in html
    assert "Response times" in html and "/api/admin/reports.csv" in html
    assert (await (await w.session(JAMIE)).get("/api/admin/reports"))[0] == 403
    assert (await (await w.session(JAMIE)).get("/api/admin/reports.csv"))[0] == 403


@web_test()
async def test_web_guest_is_asked_who_they_are_before_filing(w):
    guest = await w.browser()
    status, body = await w.press(actions.REPORT_OPEN, "", as_=guest)
    assert status == 200 and body["replies"][0]["form"] is None
    assert "choose who you are" in body["replies"][0]["text"]
    assert "choose who you are" in (await w.ask("/report", as_=guest))[0]["text"]
    status, body = await w.submit({"form_id": actions.REPORT_SUBMIT}, _good(), as_=guest)
    assert status == 200 and w.ted.db["reports"].count == 0


@web_test()
async def test_web_a_named_admin_cannot_open_the_reports_screenshots(w):
    alex = await w.browser(ALEX)
    _, shot = await upload(alex, PNG)
    form = await w.open_report(as_=alex)
    status, _ = await w.submit(form, {**_good(), "involved": [CASEY], "screenshots": {"files": [shot["id"]]}}, as_=alex)
    assert status == 200
    assert (await (await w.session(CASEY)).get(f"/uploads/{shot['id']}"))[0] == 404  # admin, but named
    assert (await (await w.session(ROBIN)).get(f"/uploads/{shot['id']}"))[0] == 200
    assert await w.inbox(CASEY) == []
    _, admin = await (await w.session(CASEY)).get("/api/admin")
    assert admin["open_reports"] == []


@web_test()
async def test_an_it_admin_sees_the_queue_but_not_the_evidence(w):
    from handlers.directory import parse_csv
    from tests.fakes.world import SAMPLE_DIRECTORY

    ira = "ira.it@tendring.example"
    w.ted.directory.import_rows(parse_csv(SAMPLE_DIRECTORY + f"{ira},Ira Iyer,,,,IT,admin\n"))
    alex = await w.browser(ALEX)
    _, shot = await upload(alex, PNG)
    form = await w.open_report(as_=alex)
    status, _ = await w.submit(form, {**GOOD_REPORT, "screenshots": {"files": [shot["id"]]}}, as_=alex)
    assert status == 200
    it = await w.session(ira)
    _, data = await it.get("/api/admin")
    (row,) = data["open_reports"]
    assert row["attachments"] == [] and row["buttons"] == []  # the admin role runs TED; it doesn't handle reports
    assert (await it.get(f"/uploads/{shot['id']}"))[0] in (403, 404)
    casey = await w.session(CASEY)
    _, data = await casey.get("/api/admin")
    assert data["open_reports"][0]["attachments"] and data["open_reports"][0]["buttons"]
    assert (await casey.get(f"/uploads/{shot['id']}"))[0] == 200
