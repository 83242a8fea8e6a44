"""The pure Teams renderer: Reply -> Adaptive Card 1.5, Form -> input card; what people and policies wrote is
in TextRuns (never read as markdown), so it shows exactly as written, without escaping backslashes.

Golden files live in tests/golden/teams_*.json; after an intended change, regenerate them with
TED_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/test_teams_cards.py and review the diff.
"""

import json

import pytest

from bot.teams.delivery import card_activity
from bot.teams.render import form_card, reply_card
from bot.teams.tokens import CardSigner
from chat import actions
from chat.model import Button, Form, FormField, Reply
from handlers.reports.form import report_form
from handlers.reports.views import recipient_reply
from tests.fakes.bot_connector import block_texts
from tests.renderer_fixtures import TEXT_515, golden
from tests.renderer_fixtures import policy_reply as sample_policy_reply

REPORT = {
    "ref": "TED-2026-0042",
    "category": "abuse_me",
    "platform_name": "facebook",
    "account": "@angry_resident",
    "links": json.dumps(["https://facebook.com/tdc/posts/1"]),
    "service_area": "Leisure and Tourism",
    "description": "**Call me** on [this](https://evil.example) - {{DATE(2026-01-01T00:00:00Z)}}",
    "at_risk": 1,
    "status": "open",
    "ack_due_at": "2026-08-28T15:30:00+00:00",
    "acknowledged_at": "",
    "resolved_at": "",
    "outcome": "",
    "flags": json.dumps(["manager_missing"]),
}


def policy_reply(**kw) -> Reply:
    return sample_policy_reply(**kw)


def test_policy_answer_golden():
    golden("teams_policy_answer", reply_card(policy_reply(), nonce="N"))
    # The notification line Teams shows for the card is the heading of the answer in words.
    assert card_activity(policy_reply())["summary"] == TEXT_515.split("\n")[0]


def test_fallback_golden():
    reply = Reply(
        "The policy doesn't cover that.\n\nPlease ask the Communications Manager.",
        intent="fallback",
        buttons=(Button(actions.FEEDBACK_UP, "👍 Helpful", "8"), Button(actions.FEEDBACK_DOWN, "👎 Not helpful", "8")),
    )
    golden("teams_fallback", reply_card(reply, nonce="N"))


def runs(card: dict) -> list[str]:
    """The text of every TextRun in the card."""
    out: list[str] = []

    def walk(node):
        if isinstance(node, dict):
            if node.get("type") == "TextRun":
                out.append(node["text"])
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(card)
    return out


def test_recipient_notification_golden_shows_what_the_reporter_wrote_exactly():
    card = reply_card(recipient_reply(REPORT, "new_report"), nonce="N")
    golden("teams_new_report", card)
    (description,) = [t for t in runs(card) if "Call me" in t]
    assert description == "Summary: **Call me** on [this](https://evil.example) - {\u200b{DATE(2026-01-01T00:00:00Z)}}"
    assert "\\" not in json.dumps(card, ensure_ascii=False)  # no escaping backslashes anywhere
    assert not [b for b in card["body"] if b["type"] == "TextBlock"]  # nothing in markdown-reading blocks
    urgent, heading = card["body"][:2]
    assert urgent["inlines"][0]["color"] == "Attention"
    assert heading == {
        "type": "RichTextBlock",
        "spacing": "None",
        "inlines": [{"type": "TextRun", "text": "New report: TED-2026-0042", "weight": "Bolder"}],
    }
    assert [a["data"]["action_id"] for a in card["actions"]] == [
        actions.REPORT_ACK,
        actions.REPORT_NOTE,
        actions.REPORT_REASSIGN,
        actions.REPORT_RESOLVE,
        actions.REPORT_DETAILS,
    ]


def test_report_form_golden_with_errors_beside_their_fields():
    form = report_form(
        ["Leisure and Tourism", "Planning"],
        people=[],
        values={"links": "not a link", "account": "@x_y_z"},
        errors={"links": "“not a link” doesn't look like a link.", "description": "Please describe."},
    )
    card = form_card(
        form,
        "Tell me what you saw.",
        nonce="N",
        origin="a:dm-1|msg-9",
        files_note="Email screenshots to casey.comms@tendring.example.",
    )
    golden("teams_report_form", card)
    body = card["body"]
    ids = [b.get("id") for b in body]
    assert body[ids.index("links") + 2]["inlines"][0]["color"] == "Attention"  # after the input and its hint
    assert block_texts(body[ids.index("description") + 2]) == ["⚠️ Please describe."]
    kinds = {b["id"]: b["type"] for b in body if "id" in b}
    assert kinds["category"] == "Input.ChoiceSet" and kinds["seen_at"] == "Input.Date"
    assert next(b for b in body if b.get("id") == "description")["isMultiline"] is True
    assert "screenshots" not in kinds and "casey.comms@tendring.example" in json.dumps(body)
    (submit,) = card["actions"]
    assert submit["data"] == {
        "action_id": actions.REPORT_SUBMIT,
        "value": "",
        "form": True,
        "origin": "a:dm-1|msg-9",
        "nonce": "N-0",
    }


def test_every_submit_gets_its_own_single_use_token_and_none_without_one():
    card = reply_card(policy_reply(), nonce="N")
    nonces = [a["data"]["nonce"] for a in card["actions"] if a["type"] == "Action.Submit"]
    nonces += [a["data"]["nonce"] for b in card["body"] if b["type"] == "ActionSet" for a in b["actions"]]
    assert len(set(nonces)) == len(nonces) == 4
    assert "nonce" not in json.dumps(reply_card(policy_reply()))


def test_form_field_names_may_not_clash_with_submit_data():
    form = Form("ted.x", "X", (FormField("value", "Value"),))
    with pytest.raises(ValueError, match="value"):
        form_card(form)


def test_links_only_for_web_addresses():
    card = reply_card(policy_reply(link="javascript:alert(1)"))
    assert not [a for a in card["actions"] if a["type"] == "Action.OpenUrl"]


@pytest.mark.parametrize(
    "text,shown",
    [
        ("a*b*c", "a*b*c"),
        ("_x_", "_x_"),
        ("[x](https://e.example)", "[x](https://e.example)"),
        ("`code`", "`code`"),
        ("- item", "- item"),
        ("1. one", "1. one"),
        ("# head", "# head"),
        ("<at>Sam</at>", "<at>Sam</at>"),
        ("a\\b", "a\\b"),
        ("5.13 — clause", "5.13 — clause"),
        ("{{TIME(2026-01-01T00:00:00Z)}}", "{\u200b{TIME(2026-01-01T00:00:00Z)}}"),
        ("{{{x}}}", "{\u200b{\u200b{x}}}"),
    ],
)
def test_what_people_write_is_a_text_run_shown_as_written(text, shown):
    card = reply_card(Reply(f"Heading\n{text}", template="x"))
    assert runs(card) == ["Heading", shown]
    assert [b["type"] for b in card["body"]] == ["RichTextBlock", "RichTextBlock"]


def test_ted_signs_every_submit_and_a_changed_submit_does_not_verify():
    signer = CardSigner(b"k" * 32)
    card = signer.sign_card(form_card(report_form(["Planning"], people=[]), nonce="N", origin="a:dm-1|msg-9"))
    (data,) = [a["data"] for a in card["actions"]]
    args = (data["nonce"], data["action_id"], data["value"], data["origin"], data["form"])
    assert signer.verify(data["sig"], *args)
    assert not signer.verify(data["sig"], data["nonce"], data["action_id"], data["value"], "a:dm-1|msg-1", True)
    assert not signer.verify(data["sig"], "N-1", *args[1:])
    assert not CardSigner(b"o" * 32).verify(data["sig"], *args)  # another installation's card
    assert not signer.verify("", *args)
