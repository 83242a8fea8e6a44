"""/admin/knowledge over real HTTP: the whole curation loop as the Communications Manager, teaching from the
unanswered list and 👎 answers, upload checks, and every curation route refused to everyone else."""

from __future__ import annotations

import aiohttp
import pytest

from tests.fakes.web_world import ALEX, CASEY, PNG, SAM, web_test

ROBIN = "robin.press@tendring.example"  # communications officer
HARPER = "harper.hr@tendring.example"  # hr
JORDAN = "jordan.leisure@tendring.example"  # head of service
PERMIT = "how much does a staff parking permit cost?"
DOC = "# Parking policy\n\n## Permits\n\nStaff permits cost {permits}.\n\n## Bikes\n\nBikes go in the shed.\n"
V1 = DOC.format(permits="£5 a month").encode()
V2 = DOC.format(permits="£7 a month from April").encode()


def upload_form(data: bytes, name: str = "parking.md", doc_id: str = "") -> aiohttp.FormData:
    form = aiohttp.FormData()
    if doc_id:
        form.add_field("doc_id", doc_id)
    form.add_field("file", data, filename=name, content_type="application/octet-stream")
    return form


async def answer(b, question: str) -> dict:
    """A question in the web chat from the browser `b`; TED's one reply."""
    status, body = await b.post("/api/chat", {"text": question})
    assert status == 200, body
    (reply,) = body["replies"]
    return reply


@web_test()
async def test_the_communications_manager_runs_a_policy_through_its_life_cycle(w):
    casey, alex = await w.browser(CASEY), await w.browser(ALEX)
    async with casey.http.get(w.base + "/admin/knowledge") as r:
        page = await r.text()
        assert r.status == 200 and "unsafe-inline" not in r.headers["Content-Security-Policy"]
    assert 'src="/static/curation.js"' in page and '<label for="upload-file">' in page and "<h1>" in page
    status, admin_page = await casey.get("/admin")
    assert 'href="/admin/knowledge"' in admin_page

    status, preview = await casey.post("/api/admin/kb/drafts", data=upload_form(V1))
    assert status == 201, preview
    draft = preview["draft"]
    assert draft["status"] == "draft" and draft["doc_id"] == "parking" and draft["created_by"] == CASEY
    assert [(c["number"], c["heading"]) for c in preview["clauses"]] == [("1.1", "Permits"), ("2.1", "Bikes")]
    assert "£5 a month" in preview["clauses"][0]["text"]
    assert (await answer(alex, PERMIT))["intent"] == "fallback"  # a draft is never cited
    assert (await alex.get("/policy/parking"))[0] == 404
    status, again = await casey.get(f"/api/admin/kb/drafts/{draft['id']}")
    assert status == 200 and again["clauses"] == preview["clauses"]
    status, body = await casey.post(
        f"/api/admin/kb/drafts/{draft['id']}/details",
        {"owner": CASEY, "version": "2026 edition", "next_review": "2027-04-01"},
    )
    assert status == 200 and body["details"]["version"] == "2026 edition"

    status, body = await casey.post(f"/api/admin/kb/drafts/{draft['id']}/publish", {})
    assert status == 200 and body["published"]["status"] == "live"
    reply = await answer(alex, PERMIT)
    card = reply["citations"][0]
    assert reply["intent"] == "policy" and card["doc"] == "parking" and "£5" in card["text"]
    assert card["version"] == "2026 edition"

    status, preview = await casey.post("/api/admin/kb/drafts", data=upload_form(V2, "parking-2027.md", "parking"))
    assert status == 201 and preview["draft"]["doc_id"] == "parking" and preview["draft"]["owner"] == CASEY
    assert "£5" in (await answer(alex, PERMIT))["citations"][0]["text"]  # still the live wording
    status, _ = await casey.post(f"/api/admin/kb/drafts/{preview['draft']['id']}/publish", {})
    assert status == 200
    texts = [c["text"] for c in (await answer(alex, PERMIT))["citations"]]
    assert "£7 a month" in texts[0] and not any("£5" in t for t in texts)
    status, history = await casey.get("/api/admin/kb/documents/parking/history")
    assert [(v["seq"], v["status"]) for v in history["versions"]] == [(2, "live"), (1, "superseded")]

    status, body = await casey.post("/api/admin/kb/documents/parking/details", {"title": "Staff parking policy"})
    assert status == 200 and (await answer(alex, PERMIT))["citations"][0]["doc_title"] == "Staff parking policy"
    status, body = await casey.post("/api/admin/kb/documents/parking/details", {"review_date": "2027-01-01"})
    assert status == 400 and "review_date" in body["error"]  # a typo is said, not a 200 that changed nothing
    status, body = await casey.post("/api/admin/kb/documents/parking/details", {"next_review": "01/06/2027"})
    assert status == 400 and body["field"] == "next_review"  # the page marks the field at fault
    status, _ = await casey.post("/api/admin/kb/documents/parking/retire", {})
    assert status == 200
    assert (await answer(alex, PERMIT))["intent"] == "fallback"
    assert (await alex.get("/policy/parking"))[0] == 404
    status, kb = await casey.get("/api/admin/kb")
    (doc,) = [d for d in kb["documents"] if d["doc_id"] == "parking"]
    assert doc["status"] == "retired"
    mine = [(e["action"], e["target"]) for e in kb["audit"] if e["actor"] == CASEY]
    assert mine == [
        ("retire", "version 2"),
        ("edit", "live"),
        ("publish", "version 2"),
        ("draft", "version 2"),
        ("publish", "version 1"),
        ("edit", "version 1"),
        ("draft", "version 1"),
    ]
    (edit,) = [e for e in kb["audit"] if e["action"] == "edit" and e["target"] == "live"]
    assert "Parking policy" in edit["detail"] and "Staff parking policy" in edit["detail"]


@web_test()
async def test_teach_not_covered_dismiss_and_undo_from_the_unanswered_list_and_thumbs_down(w):
    casey, alex = await w.browser(CASEY), await w.browser(ALEX)
    radio = "who do I speak to before I go on local radio about the beach huts"
    assert (await answer(alex, radio))["intent"] == "fallback"
    assert (await answer(alex, "who won the pub quiz last week?"))["intent"] == "fallback"
    teams = await answer(alex, "how do I reset my Teams password")
    assert teams["intent"] == "policy"
    down = teams["buttons"][1]
    _, body = await w.press(down["action_id"], down["value"], as_=alex)
    form = body["replies"][0]["form"]
    await w.submit(form, {"reason": "Nothing to do with passwords"}, as_=alex)

    status, kb = await casey.get("/api/admin/kb")
    unanswered = {u["question"]: u for u in kb["queue"]["unanswered"]}
    item = unanswered[radio]
    assert len(item["suggestions"]) == 3 and all(s["clause"] and s["text"] for s in item["suggestions"])
    (thumb,) = kb["queue"]["feedback"]
    assert thumb["reason"] == "Nothing to do with passwords" and any(s["cited"] for s in thumb["suggestions"])
    status, found = await casey.get("/api/admin/kb/clauses?q=6.3")
    assert status == 200 and found["clauses"][0]["clause"] == "6.3"
    status, found = await casey.get("/api/admin/kb/clauses?q=contacted+for+comments+publication")
    assert any(c["clause"] == "6.3" for c in found["clauses"])

    status, body = await casey.post(
        "/api/admin/kb/teach",
        {"kind": "unanswered", "id": item["id"], "doc_id": "tdc-social-media-policy", "clause": "6.3"},
    )
    assert status == 201
    taught_id = body["taught"]
    reply = await answer(alex, radio)
    assert reply["intent"] == "policy" and reply["citations"][0]["clause"] == "6.3"  # at once
    status, body = await casey.post("/api/admin/kb/not-covered", {"kind": "feedback", "id": thumb["id"]})
    assert status == 201
    assert (await answer(alex, "how do I reset my Teams password"))["intent"] == "fallback"
    pub = unanswered["who won the pub quiz last week?"]
    assert (await casey.post("/api/admin/kb/dismiss", {"kind": "unanswered", "id": pub["id"]}))[0] == 200
    assert (await casey.post("/api/admin/kb/dismiss", {"kind": "unanswered", "id": pub["id"]}))[0] == 400
    _, admin = await casey.get("/api/admin")  # /admin's list of unanswered questions says what became of each
    dealt = {u["question"]: u["dealt_with"] for u in admin["unanswered"]}
    assert dealt["who won the pub quiz last week?"] == "dismissed" and dealt[radio] == "taught to a clause"

    status, kb = await casey.get("/api/admin/kb")
    assert not kb["queue"]["feedback"] and not kb["queue"]["unanswered"]
    taught = {t["id"]: t for t in kb["taught"]}
    assert taught[taught_id]["added_by"] == CASEY and taught[taught_id]["clause"] == "6.3"
    assert {t["kind"] for t in kb["taught"]} == {"phrasing", "not_covered"}
    assert {"teach", "not_covered", "dismiss"} <= {e["action"] for e in kb["audit"] if e["actor"] == CASEY}
    said = {e["what"] for e in kb["audit"] if e["actor"] == CASEY}  # in words, by name: not "not_covered taught 2"
    assert (
        f"taught a phrasing (taught entry {taught_id})" in said
        and "dismissed a question (unanswered question" in " ".join(said)
    )
    assert {e["who"] for e in kb["audit"] if e["actor"] == CASEY} == {"Casey Morgan"}

    status, _ = await casey.post(f"/api/admin/kb/taught/{taught_id}/forget", {})
    assert status == 200
    assert (await answer(alex, radio))["intent"] == "fallback"
    status, kb = await casey.get("/api/admin/kb")
    assert [u["question"] for u in kb["queue"]["unanswered"]] == [radio]  # back on the list
    assert taught_id not in {t["id"] for t in kb["taught"]}


@web_test()
async def test_an_unreadable_upload_is_named_and_changes_nothing(w):
    casey = await w.browser(CASEY)
    count = w.ted.db.execute("select count(*) from doc_versions").fetchone()[0]
    cases = [
        (b"MZ\x90\x00 not a policy", "policy.exe", 400, "'.exe' files are not supported"),
        (b"# Just text\n\nhello\n", "policy.pdf", 400, "not a PDF file"),
        (PNG, "policy.txt", 400, "not a text file"),
        (b"PK\x03\x04 but not really a zip", "policy.docx", 400, "couldn't be read"),
        (b"", "empty.md", 400, "it is empty"),
        (b"x" * (10 * 1024 * 1024 + 1), "huge.txt", 413, "too big"),
    ]
    for data, name, code, words in cases:
        status, body = await casey.post("/api/admin/kb/drafts", data=upload_form(data, name))
        assert status == code and name in body["error"] and words in body["error"], (name, body)
        assert body.get("field") == "file"
    status, body = await casey.post("/api/admin/kb/drafts", data=upload_form(V1, "../../etc/parking.md", "Bad Id!"))
    assert status == 400 and "document id" in body["error"]
    status, body = await casey.post("/api/admin/kb/drafts", {"not": "multipart"})
    assert status == 400
    assert w.ted.db.execute("select count(*) from doc_versions").fetchone()[0] == count


@web_test()
async def test_an_upload_reads_the_same_whatever_order_its_fields_come_in_and_a_new_one_never_takes_an_old_name(w):
    casey = await w.browser(CASEY)
    status, first = await casey.post("/api/admin/kb/drafts", data=upload_form(V1))
    assert status == 201
    await casey.post(f"/api/admin/kb/drafts/{first['draft']['id']}/publish", {})
    status, body = await casey.post("/api/admin/kb/drafts", data=upload_form(V2))  # "a new document"
    assert status == 400 and "already in the knowledge base" in body["error"]
    late = aiohttp.FormData()  # the file first, the document it is a version of after it
    late.add_field("file", V2, filename="parking-april.md", content_type="application/octet-stream")
    late.add_field("doc_id", "parking")
    status, body = await casey.post("/api/admin/kb/drafts", data=late)
    assert status == 201 and body["draft"]["doc_id"] == "parking" and body["draft"]["seq"] == 2


@web_test()
async def test_a_word_file_that_unpacks_to_far_more_than_a_policy_is_refused_unopened(w):
    import io
    import zipfile

    casey = await w.browser(CASEY)
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", b" " * (60 * 1024 * 1024))  # 60 MB of spaces, a few KB packed
    assert len(packed.getvalue()) < 1024 * 1024
    status, body = await casey.post("/api/admin/kb/drafts", data=upload_form(packed.getvalue(), "bomb.docx"))
    assert status == 400 and "bomb.docx" in body["error"] and "unpacks to more than" in body["error"]


ROUTES = [
    ("get", "/admin/knowledge", None),
    ("get", "/api/admin/kb", None),
    ("post", "/api/admin/kb/drafts", "upload"),
    ("get", "/api/admin/kb/drafts/{draft}", None),
    ("post", "/api/admin/kb/drafts/{draft}/publish", {}),
    ("post", "/api/admin/kb/drafts/{draft}/discard", {}),
    ("post", "/api/admin/kb/drafts/{draft}/details", {"title": "Mine now"}),
    ("post", "/api/admin/kb/documents/tdc-social-media-policy/details", {"title": "Mine now"}),
    ("post", "/api/admin/kb/documents/tdc-social-media-policy/retire", {}),
    ("get", "/api/admin/kb/documents/tdc-social-media-policy/history", None),
    ("post", "/api/admin/kb/documents/tdc-social-media-policy/restore", {"version": 1}),
    ("get", "/api/admin/kb/clauses?q=facebook", None),
    ("post", "/api/admin/kb/teach", {"question": "can I?", "doc_id": "tdc-social-media-policy", "clause": "5.13"}),
    ("post", "/api/admin/kb/not-covered", {"question": "can I?", "doc_id": "tdc-social-media-policy"}),
    ("post", "/api/admin/kb/dismiss", {"kind": "unanswered", "id": 1}),
    ("post", "/api/admin/kb/taught/{taught}/forget", {}),
]


def _refusal_test(who: str):
    @web_test()
    async def body(w):
        casey = await w.browser(CASEY)
        _, preview = await casey.post("/api/admin/kb/drafts", data=upload_form(V1))
        _, taught = await casey.post(
            "/api/admin/kb/teach", {"question": "may I?", "doc_id": "tdc-social-media-policy", "clause": "5.13"}
        )
        ids = {"draft": preview["draft"]["id"], "taught": taught["taught"]}
        before = [
            w.ted.db.execute(f"select count(*) from {t}").fetchone()[0]
            for t in ("kb_audit", "doc_versions", "taught", "not_covered", "kb_triage")
        ]
        other = await w.browser(who)
        for method, path, payload in ROUTES:
            path = path.format(**ids)
            if method == "get":
                status, _ = await other.get(path)
            else:
                status, _ = await other.post(
                    path,
                    data=upload_form(V1) if payload == "upload" else None,
                    **({} if payload == "upload" else {"json": payload}),
                )
            assert status == (401 if not who else 403), (who, path, status)
        after = [
            w.ted.db.execute(f"select count(*) from {t}").fetchone()[0]
            for t in ("kb_audit", "doc_versions", "taught", "not_covered", "kb_triage")
        ]
        assert after == before
        assert w.ted.db["documents"].get("tdc-social-media-policy")["title"] == "Social Media Policy"
        for method, path, payload in ROUTES:  # the communications team without the CSRF token: refused too
            if method == "post":
                status, _ = await casey.post(path.format(**ids), payload if payload != "upload" else {}, csrf=False)
                assert status == 403, path

    return body


@pytest.mark.parametrize("who", ["", ALEX, SAM, HARPER, JORDAN], ids=["guest", "staff", "manager", "hr", "head"])
def test_everyone_but_the_communications_team_is_refused_every_curation_route(who):
    _refusal_test(who)()


@web_test()
async def test_a_communications_officer_may_curate_too(w):
    robin = await w.browser(ROBIN)
    assert (await robin.get("/api/admin/kb"))[0] == 200
    status, body = await robin.post(
        "/api/admin/kb/teach",
        {"question": "can I friend a contractor on facebook?", "doc_id": "tdc-social-media-policy", "clause": "5.13"},
    )
    assert status == 201 and w.ted.db["taught"].get(body["taught"])["added_by"] == ROBIN


@web_test()
async def test_teaching_shows_which_recent_answers_it_changed(w):
    casey, alex = await w.browser(CASEY), await w.browser(ALEX)
    # Someone asked about their Teams password in other words; TED answered from a clause all the same.
    teams = "how do i reset my password for teams?"
    was = (await answer(alex, teams))["citations"][0]["clause"]
    assert (await answer(alex, "can I add a supplier on my personal facebook?"))["intent"] == "policy"
    status, body = await casey.post(
        "/api/admin/kb/not-covered",
        {"question": "how do I reset my Teams password", "doc_id": "tdc-social-media-policy"},
    )
    assert status == 201
    assert body["changed"] == [{"question": teams, "before": f"{was} (tdc-social-media-policy)", "after": "no answer"}]
    assert "This also changed TED's answer to 1 recent question(s)" in body["note"]
    status, body = await casey.post(f"/api/admin/kb/taught/{body['taught']}/forget", {})
    assert (await answer(alex, teams))["citations"][0]["clause"] == was  # undone at once


@web_test()
async def test_not_covered_from_the_unanswered_list_reaches_rephrasings_and_is_undone(w):
    casey, alex = await w.browser(CASEY), await w.browser(ALEX)
    teams = "how do I reset my Teams password"
    assert (await answer(alex, teams))["intent"] == "policy"  # a wrong answer nobody flagged yet
    party = "when is the staff christmas party this year?"
    assert (await answer(alex, party))["intent"] == "fallback"
    _, kb = await casey.get("/api/admin/kb")
    item = {u["question"]: u for u in kb["queue"]["unanswered"]}[party]
    status, body = await casey.post("/api/admin/kb/not-covered", {"kind": "unanswered", "id": item["id"]})
    assert status == 201
    status, marked = await casey.post(
        "/api/admin/kb/not-covered", {"question": teams, "doc_id": "tdc-social-media-policy"}
    )
    assert status == 201
    for question in (party, teams, "how do i reset my password for teams?"):
        assert (await answer(alex, question))["intent"] == "fallback", question
    assert (await answer(alex, "can I add a supplier on my personal facebook?"))["citations"][0]["clause"] == "5.13"
    _, kb = await casey.get("/api/admin/kb")
    assert party not in {u["question"] for u in kb["queue"]["unanswered"]}
    for tid in (body["taught"], marked["taught"]):
        assert (await casey.post(f"/api/admin/kb/taught/{tid}/forget", {}))[0] == 200
    assert (await answer(alex, teams))["intent"] == "policy"  # undone at once
    _, kb = await casey.get("/api/admin/kb")
    assert party in {u["question"] for u in kb["queue"]["unanswered"]}  # back on the list
    assert not kb["taught"]


@web_test()
async def test_the_clause_an_asker_chose_from_a_not_covered_is_marked_first_for_the_communications_team(w):
    casey, alex, sam = await w.browser(CASEY), await w.browser(ALEX), await w.browser(SAM)
    question = "my cousin works for the council too, can we be friends on facebook"  # TED is unsure: chips
    reply = await answer(alex, question)
    assert reply["intent"] == "fallback" and len(reply["choices"]) >= 2
    mine, other = reply["choices"][1], reply["choices"][0]
    chosen = mine["value"].split("|")[1]

    status, body = await w.press(other["action_id"], other["value"], as_=sam)  # not Sam's question
    assert status == 200 and body["replies"][0]["citations"]  # the clause is shown to anyone who presses
    _, kb = await casey.get("/api/admin/kb")
    (item,) = [u for u in kb["queue"]["unanswered"] if u["question"] == question]
    assert not any(s["chosen"] for s in item["suggestions"])  # nobody's choice but the asker's counts

    status, body = await w.press(mine["action_id"], mine["value"], as_=alex)
    assert status == 200 and body["replies"][0]["citations"][0]["clause"] == chosen
    _, kb = await casey.get("/api/admin/kb")
    (item,) = [u for u in kb["queue"]["unanswered"] if u["question"] == question]
    first = item["suggestions"][0]
    assert first["chosen"] and first["clause"] == chosen and len(item["suggestions"]) == 3
    assert [s["chosen"] for s in item["suggestions"]].count(True) == 1

    forged = f"tdc-social-media-policy|5.13|{mine['value'].split('|')[2]}"  # Sam, with Alex's question id
    await w.press(mine["action_id"], forged, as_=sam)
    _, kb = await casey.get("/api/admin/kb")
    (item,) = [u for u in kb["queue"]["unanswered"] if u["question"] == question]
    assert item["suggestions"][0]["clause"] == chosen


@web_test()
async def test_a_wrong_file_chosen_as_a_new_version_is_warned_of_and_a_mistake_undone_in_the_browser(w):
    casey, alex = await w.browser(CASEY), await w.browser(ALEX)
    policy, linkedin = "tdc-social-media-policy", "can I accept a supplier's linkedin request?"
    first = (await answer(alex, linkedin))["citations"][0]["clause"]
    status, preview = await casey.post("/api/admin/kb/drafts", data=upload_form(V1, doc_id=policy))
    assert status == 201, preview
    said = " ".join(preview["warnings"])
    assert "title changes from “Social Media Policy” to “Parking policy”" in said
    assert "2 clauses or passages where the live version has" in said and "example questions" in said
    status, _ = await casey.post(f"/api/admin/kb/drafts/{preview['draft']['id']}/publish", {})  # published anyway
    assert status == 200 and (await answer(alex, linkedin))["intent"] == "fallback"
    # Undone without a shell: the version before comes back as the draft waiting, and is published again.
    status, back = await casey.post(f"/api/admin/kb/documents/{policy}/restore", {"version": 1})
    assert status == 201 and back["draft"]["title"] == "Social Media Policy" and len(back["clauses"]) > 50
    assert "title changes" in " ".join(back["warnings"])  # from the parking text that is live now
    assert (await casey.post(f"/api/admin/kb/drafts/{back['draft']['id']}/publish", {}))[0] == 200
    assert (await answer(alex, linkedin))["citations"][0]["clause"] == first
    # A retired document comes back the same way.
    assert (await casey.post(f"/api/admin/kb/documents/{policy}/retire", {}))[0] == 200
    _, history = await casey.get(f"/api/admin/kb/documents/{policy}/history")
    retired = next(v for v in history["versions"] if v["status"] == "retired")
    status, again = await casey.post(f"/api/admin/kb/documents/{policy}/restore", {"version": retired["seq"]})
    assert status == 201 and again["warnings"] == []  # nothing live to compare with
    assert (await casey.post(f"/api/admin/kb/drafts/{again['draft']['id']}/publish", {}))[0] == 200
    assert (await answer(alex, linkedin))["citations"][0]["clause"] == first
    status, body = await casey.post(f"/api/admin/kb/documents/{policy}/restore", {"version": 99})
    assert status == 400 and "has no version 99" in body["error"]


@web_test()
async def test_a_question_on_both_lists_is_settled_once_and_never_both_ways(w):
    from knowledge.answer import FALLBACK, Answer

    casey, alex = await w.browser(CASEY), await w.browser(ALEX)
    breaks = "can I go on facebook during my breaks at work?"
    first = await answer(alex, breaks)
    assert first["intent"] == "policy"
    down = first["buttons"][1]
    await w.press(down["action_id"], down["value"], as_=alex)  # 👎: on that list
    w.ted.asker.record_unanswered(breaks, "web", Answer(FALLBACK, ""))  # and, asked before, on the unanswered one
    _, kb = await casey.get("/api/admin/kb")
    (thumb,) = [f for f in kb["queue"]["feedback"] if f["question"] == breaks]
    assert [u for u in kb["queue"]["unanswered"] if u["question"] == breaks]
    status, body = await casey.post(
        "/api/admin/kb/teach",
        {"kind": "feedback", "id": thumb["id"], "doc_id": "tdc-social-media-policy", "clause": "5.5"},
    )
    assert status == 201
    _, kb = await casey.get("/api/admin/kb")
    assert not [q for q in kb["queue"]["unanswered"] + kb["queue"]["feedback"] if q["question"] == breaks]
    # The same words can't also be marked not covered: undo the answer first.
    status, refused = await casey.post("/api/admin/kb/not-covered", {"question": breaks.upper(), "doc_id": ""})
    assert status == 400 and "already taught as answered by 5.5" in refused["error"], refused
    assert (await casey.post(f"/api/admin/kb/taught/{body['taught']}/forget", {}))[0] == 200
    _, kb = await casey.get("/api/admin/kb")  # undone: back on both lists
    assert [f for f in kb["queue"]["feedback"] if f["question"] == breaks]
    assert [u for u in kb["queue"]["unanswered"] if u["question"] == breaks]


@web_test()
async def test_dismissing_an_unanswered_question_leaves_the_same_words_thumbs_down_waiting(w):
    from knowledge.answer import FALLBACK, Answer

    casey, alex = await w.browser(CASEY), await w.browser(ALEX)
    breaks = "can I go on facebook during my breaks at work?"
    first = await answer(alex, breaks)
    down = first["buttons"][1]
    await w.press(down["action_id"], down["value"], as_=alex)
    w.ted.asker.record_unanswered(breaks, "web", Answer(FALLBACK, ""))
    _, kb = await casey.get("/api/admin/kb")
    (item,) = [u for u in kb["queue"]["unanswered"] if u["question"] == breaks]
    assert (await casey.post("/api/admin/kb/dismiss", {"kind": "unanswered", "id": item["id"]}))[0] == 200
    _, kb = await casey.get("/api/admin/kb")
    assert [f for f in kb["queue"]["feedback"] if f["question"] == breaks]  # its 👎 (and reason) still to read
