"""The pages the server renders: the policy with an anchor per clause, and /admin for the communications team."""

import re
from datetime import UTC, datetime, timedelta
from html import escape

from bot.web.admin import deadline
from handlers import messages
from tests.fakes.web_world import ALEX, CASEY, web_test
from tests.fakes.world import SUPPLIER

NASTY = "where can I park my bike at the depot <script>alert(1)</script> <!channel>?"


@web_test()
async def test_the_policy_page_has_a_heading_per_section_and_an_anchor_per_clause(w):
    b = await w.browser()
    status, _ = await b.get("/policy")
    assert status == 302
    async with b.http.get(w.base + "/policy") as r:
        assert str(r.url).endswith("/policy/tdc-social-media-policy") and r.status == 200
        page = await r.text()
        assert "Content-Security-Policy" in r.headers
    assert 'id="5.13"' in page and 'href="#5.13"' in page and 'id="1.1"' in page
    assert "<title>Social Media Policy, Web edition — TED</title>" in page  # as the answers linking here name it
    assert "<h1>Social Media Policy</h1>" in page and re.search(r"<h2 id=\"section-5\">5\. Personal use</h2>", page)
    assert "Employees are not permitted to proactively add business contacts" in page
    assert page.count('class="clause"') == 60
    assert "<script>" not in page.replace('<script type="module"', "")  # no inline script
    status, page = await b.get("/policy/no-such-policy")
    assert status == 404 and escape(messages.WEB_NO_POLICY) in page and "/policy/tdc-social-media-policy" in page


@web_test()
async def test_chat_answers_link_to_the_clause_anchor_on_the_policy_page(w):
    b = await w.browser()
    (reply,) = await w.ask(SUPPLIER, as_=b)
    path, anchor = reply["citations"][0]["link"].split("#")
    _, page = await b.get(path)
    assert f'id="{anchor}"' in page


@web_test()
async def test_admin_needs_the_admin_or_communications_role(w):
    guest, alex = await w.browser(), await w.browser(ALEX)
    status, page = await guest.get("/admin")
    assert status == 401 and escape(messages.WEB_PICK_FIRST) in page
    assert (await guest.get("/api/admin"))[0] == 401
    status, page = await alex.get("/admin")
    assert status == 403 and escape(messages.WEB_NOT_ADMIN) in page
    status, out = await alex.get("/api/admin")
    assert status == 403 and out["error"] == messages.WEB_NOT_ADMIN


@web_test()
async def test_admin_shows_open_reports_unanswered_questions_feedback_and_the_knowledge_base(w):
    alex, casey = await w.browser(ALEX), await w.browser(CASEY)
    _, body = await w.file_report(as_=alex)
    ref = body["replies"][0]["meta"]["report_ref"]
    await w.ask(NASTY, as_=alex)
    (answer,) = await w.ask(SUPPLIER, as_=alex)
    await w.press(answer["buttons"][0]["action_id"], answer["buttons"][0]["value"], as_=alex)
    status, data = await casey.get("/api/admin")
    assert status == 200
    (report,) = data["open_reports"]
    assert report["ref"] == ref and report["deadline"]["key"] in {"on_time", "due_soon", "overdue"}
    assert [b["label"] for b in report["buttons"]] == ["Acknowledge", "Add note", "Reassign", "Resolve"]
    assert "<script>alert(1)</script>" in data["unanswered"][0]["question"]  # JSON keeps the text as text
    assert data["feedback"][0]["helpful"] == 1 and data["feedback"][0]["clause"] == "5.13"
    kb = data["knowledge"]
    assert kb["last_ingest"] and kb["documents"][0]["review_cycle"] and kb["documents"][0]["clause_count"] == 60
    status, page = await casey.get("/admin")
    assert status == 200 and ref in page and 'data-action-id="ted.report.ack"' in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert" not in page
    assert 'name="csrf-token"' in page and 'src="/static/admin.js"' in page
    assert "Every three years" in page and "Unanswered questions" in page


def test_deadline_status_is_overdue_due_soon_on_time_or_acknowledged():
    now = datetime(2026, 8, 28, 12, 0, tzinfo=UTC)

    def report(due: datetime, status: str = "open") -> dict:
        return {"status": status, "ack_due_at": due.isoformat(), "acknowledged_at": now.isoformat()}

    assert deadline(report(now - timedelta(minutes=1)), now)["key"] == "overdue"
    assert deadline(report(now + timedelta(hours=1)), now)["key"] == "due_soon"
    assert deadline(report(now + timedelta(hours=5)), now)["key"] == "on_time"
    assert deadline(report(now - timedelta(hours=5), "acknowledged"), now)["key"] == "acknowledged"
