"""The pure web renderer: Reply -> web JSON, Form -> web JSON, stored inbox replies, and the page shell.

Golden files live in tests/golden/; after an intended change, regenerate them with
TED_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/test_web_render.py and review the diff.
"""

import re
from pathlib import Path

from bot.web.html import page
from bot.web.render import notes_of, reply_from_stored, reply_json
from chat import actions
from chat.model import Button, Reply
from handlers.reports.form import report_form
from handlers.reports.inbox import reply_json as stored_json
from handlers.reports.views import recipient_reply
from tests.renderer_fixtures import C513, C515, SUMMARY_515, golden
from tests.renderer_fixtures import TEXT_515 as TEXT_515_BASE

STATIC = Path(__file__).resolve().parents[1] / "bot" / "web" / "static"
REPORT_ALSO = "If you'd like to report this, use /report or press “Report this”."
TEXT_515 = f"{TEXT_515_BASE}\n\n{REPORT_ALSO}"


def policy_reply() -> Reply:
    return Reply(
        REPORT_ALSO,
        intent="policy",
        citations=(C515, C513),
        summary=SUMMARY_515,
        see_also=(C513,),
        choices=(Button(actions.DID_YOU_MEAN, C513.label, "tdc-social-media-policy|5.13"),),
        buttons=(
            Button(actions.FEEDBACK_UP, "👍 Helpful", "7"),
            Button(actions.FEEDBACK_DOWN, "👎 Not helpful", "7"),
            Button(actions.REPORT_OPEN, "Report this", "<script>alert(1)</script> <!channel>", "danger"),
        ),
        link="https://ted.example/policy/tdc-social-media-policy#5.15",
        asked_id=7,
        confidence=0.9,
        question="private",
    )


def test_policy_answer_golden():
    golden("web_policy_answer", reply_json(policy_reply()))


def test_the_card_is_not_repeated_in_the_notes_and_text_is_never_escaped():
    out = reply_json(policy_reply())
    assert out["notes"] == ["If you'd like to report this, use /report or press “Report this”."]
    assert out["citations"][0]["link"] == "/policy/tdc-social-media-policy#5.15"
    assert out["buttons"][2]["value"] == "<script>alert(1)</script> <!channel>"
    assert out["meta"] == {"asked_id": 7}  # only what the page needs
    assert notes_of(Reply("One.\n\nTwo.")) == ["One.", "Two."]


def test_report_form_golden_with_inline_errors():
    form = report_form(
        ["Leisure and Tourism"],
        people=[],
        errors={"links": "That doesn't look like a link.", "x": "Form-wide"},
        values={"platform": "facebook"},
    )
    out = reply_json(Reply("Tell me what you saw.", intent="report", form=form))
    assert out["form"]["general_errors"] == ["Form-wide"]
    golden("web_report_form", out["form"])


def test_inbox_replies_round_trip_through_storage():
    report = {
        "ref": "TED-2026-0001",
        "category": "abuse_me",
        "platform_name": "facebook",
        "links": "[]",
        "account": "@x",
        "service_area": "",
        "description": "Rude <b>replies</b>",
        "at_risk": 0,
        "status": "open",
        "ack_due_at": "2026-08-28T16:00:00+00:00",
        "flags": "[]",
    }
    reply = recipient_reply(report, "new_report")
    back = reply_from_stored(stored_json(reply))
    assert back.text == reply.text and back.buttons == reply.buttons
    assert reply_json(back)["buttons"][0] == {
        "action_id": actions.REPORT_ACK,
        "label": "Acknowledge",
        "value": "TED-2026-0001",
        "style": "primary",
    }


def test_a_reply_stored_before_typed_fields_keeps_its_meta():
    old_row = {
        "text": "Report: TED-2026-0001",
        "intent": "report",
        "buttons": [],
        "meta": {"report_ref": "TED-2026-0001", "status": "open", "template": "new_report", "refs": ["A", "B"]},
    }
    back = reply_from_stored(old_row)
    assert (back.report_ref, back.report_status, back.template, back.report_refs) == (
        "TED-2026-0001",
        "open",
        "new_report",
        ("A", "B"),
    )
    assert reply_json(back)["meta"] == {
        "report_ref": "TED-2026-0001",
        "refs": ["A", "B"],
        "status": "open",
        "template": "new_report",
    }
    unchanged = Reply("Nothing has been changed.", intent="report", report_ref="TED-2026-0001", changed=False)
    assert reply_json(reply_from_stored(stored_json(unchanged)))["meta"] == {
        "report_ref": "TED-2026-0001",
        "changed": False,
    }


def test_pages_escape_and_load_only_static_scripts():
    html = page(
        "<Title>", "<p>ok</p>", scripts=("/static/admin.js",), meta={"csrf-token": '"><x>'}, signed_in_as="<b>Eve</b>"
    )
    assert "&lt;Title&gt;" in html and "&lt;b&gt;Eve&lt;/b&gt;" in html and '"><x>' not in html
    for name in ("chat.html",):
        text = (STATIC / name).read_text("utf-8")
        assert not re.search(r"<script(?![^>]*\bsrc=)", text), "inline script"
        assert " style=" not in text and " on" + "click=" not in text
    for js in STATIC.glob("*.js"):
        text = js.read_text("utf-8")
        assert "innerHTML" not in text and "outerHTML" not in text and "insertAdjacentHTML" not in text, js.name
