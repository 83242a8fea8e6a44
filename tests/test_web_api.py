"""The web chat's JSON API over real HTTP: questions, follow-ups, buttons, bad input, escaping, /api/ask."""

import json

from chat import actions
from handlers import messages
from tests.fakes.web_world import ALEX, JAMIE, web_test
from tests.fakes.world import DID_YOU_MEAN, SUPPLIER


@web_test()
async def test_the_page_is_served_with_a_strict_policy_and_a_signed_http_only_cookie(w):
    b = await w.browser()
    async with b.http.get(w.base + "/") as r:
        page = await r.text()
        csp = r.headers["Content-Security-Policy"]
        cookie = r.headers.get("Set-Cookie", "")
    assert "TED Web Chat — Talk to TED" in page and 'src="/static/chat.js"' in page
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
    assert cookie == "" or ("HttpOnly" in cookie and "SameSite=Lax" in cookie)  # the jar already had one
    fresh = await w.browser()
    async with fresh.http.get(w.base + "/") as r:
        assert r.headers["X-Content-Type-Options"] == "nosniff"
    async with b.http.get(w.base + "/static/chat.js") as r:
        assert r.status == 200 and "javascript" in r.content_type and r.headers["X-Content-Type-Options"] == "nosniff"


@web_test()
async def test_a_question_is_answered_with_the_clause_card_and_feedback_buttons(w):
    b = await w.browser(ALEX)
    (reply,) = await w.ask(SUPPLIER, as_=b)
    assert reply["intent"] == "policy"
    card = reply["citations"][0]
    assert card["clause"] == "5.13" and card["title"] and card["text"].startswith("Employees are not permitted")
    assert card["doc_title"] == "Social Media Policy" and card["version"]
    assert card["link"] == "/policy/tdc-social-media-policy#5.13"
    assert reply["summary"] and not any(n.startswith(("In short", "“")) for n in reply["notes"])
    assert [x["action_id"] for x in reply["buttons"]] == [actions.FEEDBACK_UP, actions.FEEDBACK_DOWN]
    (asked,) = w.ted.db["asked"].rows
    assert asked["platform"] == "web" and asked["user_id"] == ALEX and asked["conversation_id"]


@web_test()
async def test_follow_ups_keep_the_conversation_and_did_you_mean_chips_work(w):
    b = await w.browser(ALEX)
    await w.ask("can I add business contacts on my personal facebook?", as_=b)
    (follow,) = await w.ask("and what about linkedin?", as_=b)
    assert follow["citations"][0]["clause"] in {"5.13", "5.15"}
    (reply,) = await w.ask(DID_YOU_MEAN, as_=b)
    chip = reply["choices"][0]
    doc, _, clause = chip["value"].partition("|")
    assert chip["action_id"] == actions.DID_YOU_MEAN and doc == "tdc-social-media-policy"
    assert clause != reply["citations"][0]["clause"]  # an alternative, not the answer already shown
    status, body = await w.press(chip["action_id"], chip["value"], as_=b)
    assert status == 200 and body["replies"][0]["citations"][0]["clause"] == clause


@web_test()
async def test_thumbs_down_offers_the_optional_reason_form(w):
    b = await w.browser(ALEX)
    (reply,) = await w.ask(SUPPLIER, as_=b)
    down = reply["buttons"][1]
    _, body = await w.press(down["action_id"], down["value"], as_=b)
    form = body["replies"][0]["form"]
    assert form["form_id"] == actions.FEEDBACK_REASON and form["fields"][0]["kind"] == "multiline"
    _, body = await w.submit(form, {"reason": "It didn't mention LinkedIn"}, as_=b)
    assert body["replies"][0]["text"] == messages.FEEDBACK_THANKS
    (fb,) = w.ted.db["feedback"].rows
    assert fb["helpful"] == 0 and fb["reason"] == "It didn't mention LinkedIn" and fb["channel"] == "web"


@web_test()
async def test_feedback_only_from_the_person_the_answer_was_given_to(w):
    alex = await w.browser(ALEX)
    (reply,) = await w.ask(SUPPLIER, as_=alex)
    down = reply["buttons"][1]
    other = await w.browser(JAMIE)  # a colleague who guesses the answer's id (they are numbers)
    _, body = await w.press(down["action_id"], down["value"], as_=other)
    assert body["replies"][0]["text"] == messages.FEEDBACK_UNKNOWN
    assert w.ted.db["feedback"].count == 0  # and Alex's question was copied nowhere
    _, body = await w.press(down["action_id"], down["value"], as_=alex)
    assert body["replies"][0]["form"]["form_id"] == actions.FEEDBACK_REASON


@web_test()
async def test_slash_commands_work_in_the_web_chat(w):
    b = await w.browser(ALEX)
    (reply,) = await w.ask("/report status", as_=b)
    assert reply["text"] == messages.NO_REPORTS
    (reply,) = await w.ask("/report", as_=b)
    assert reply["form"]["form_id"] == actions.REPORT_SUBMIT


@web_test()
async def test_user_text_is_returned_as_text_never_markup(w):
    b = await w.browser(ALEX)
    nasty = "someone keeps abusing me online <script>alert(1)</script> <!channel> & <b>bold</b>"
    replies = await w.ask(nasty, as_=b)
    report = next(x for r in replies for x in r["buttons"] if x["action_id"] == actions.REPORT_OPEN)
    assert report["value"] == nasty  # exactly as typed: the browser puts it in with textContent
    _, body = await w.press(actions.REPORT_OPEN, report["value"], as_=b)
    description = next(f for f in body["replies"][0]["form"]["fields"] if f["name"] == "description")
    assert description["value"] == nasty
    for path in ("/static/chat.js", "/static/ted.js", "/static/ted_forms.js", "/static/admin.js"):
        _, js = await b.get(path)
        assert "innerHTML" not in js and "insertAdjacentHTML" not in js and "eval(" not in js, path


@web_test()
async def test_bad_input_gets_a_polite_error_never_a_500(w):
    b = await w.browser(ALEX)
    cases = [
        ({"text": ""}, 400, messages.EMPTY_QUESTION),
        ({"text": "   \n "}, 400, messages.EMPTY_QUESTION),
        ({"text": "x" * 40000}, 413, "40,000 characters"),
        ({"text": 42}, 400, messages.WEB_BAD_JSON),
        ({"nothing": True}, 400, messages.EMPTY_QUESTION),
        (["a", "list"], 400, messages.WEB_BAD_JSON),
    ]
    for body, status, words in cases:
        got, out = await b.post("/api/chat", body)
        assert (got, words in out["error"]) == (status, True), (body if len(str(body)) < 80 else "long", out)
    for raw in (b"{not json", b"", b"\xff\xfe", b"[" * 100000):
        got, out = await b.post("/api/chat", data=raw, headers={"Content-Type": "application/json"})
        assert got in (400, 413) and out["error"], raw[:10]
    got, out = await b.post("/api/chat", {"text": "é" * 40000})  # 80 kB of UTF-8: over the body limit
    assert got == 413 and out["error"]
    odd = json.dumps({"text": "can I add a supplier on \ud800 facebook?\x00\u202e\ufeff"}).encode()
    got, out = await b.post("/api/chat", data=odd, headers={"Content-Type": "application/json"})
    assert got == 200 and out["replies"][0]["intent"] == "policy"
    got, out = await w.press("ted.no.such.button", as_=b)
    assert got == 400 and out["error"] == messages.WEB_UNKNOWN_ACTION
    got, out = await b.post("/api/action", {"action_id": actions.FEEDBACK_UP, "form": {"x": {"y": 1}}})
    assert got == 400 and out["error"] == messages.WEB_BAD_JSON


@web_test()
async def test_api_ask_keeps_the_contract_answer(w):
    b = await w.browser()
    status, answer = await b.post("/api/ask", {"question": SUPPLIER}, csrf=False)
    assert status == 200 and answer["intent"] == "policy" and answer["citations"][0]["clause"] == "5.13"
    assert set(answer) >= {"intent", "answer", "confidence", "citations"}
    status, out = await b.post("/api/ask", {"q": "?"}, csrf=False)
    assert status == 400 and "question" in out["error"]
    status, out = await b.post("/api/ask", data=b"nope", csrf=False, headers={"Content-Type": "application/json"})
    assert status == 400
    status, out = await b.post("/api/ask", data=b"nope", csrf=False)  # not JSON at all: 415 (see test_ops_web)
    assert status == 415


@web_test()
async def test_healthz_still_answers(w):
    b = await w.browser()
    status, health = await b.get("/healthz")
    assert status == 200 and health["ok"] is True
