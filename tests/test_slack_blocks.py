"""The pure Slack renderers: Reply -> Block Kit, Form <-> modal, App Home, text out (text in: test_slack_inbound.py).

Golden files live in tests/golden/; after an intended change, regenerate them with
TED_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/test_slack_blocks.py and review the diff.
"""

import json

from bot.slack.forms import form_values, modal_errors, modal_view, unwrap_metadata, wrap_metadata
from bot.slack.render import base_action_id, escape, home_view, reply_message
from chat import actions
from chat.model import Button, Form, FormField, Reply
from handlers import messages
from knowledge.answer import Citation
from tests.fakes.slack_world import state_for
from tests.renderer_fixtures import TEXT_515, golden
from tests.renderer_fixtures import policy_reply as sample_policy_reply


def policy_reply(**kw) -> Reply:
    """The shared sample answer as Slack's /ted gives it: private, with Share."""
    return sample_policy_reply(Button(actions.SHARE, "Share in channel", "7"), **{"ephemeral": True, **kw})


def test_policy_answer_golden():
    assert policy_reply().plain_text == TEXT_515  # the notification text, composed from the clause data
    golden("slack_policy_answer", reply_message(policy_reply()))


def test_fallback_golden_names_the_communications_manager():
    text = (
        "I couldn't find that in the Social Media Policy, so I won't guess. Please ask the Communications "
        "Manager, who can help. I've noted your question so the knowledge base can be improved."
    )
    out = reply_message(Reply(text, intent="fallback", buttons=(Button(actions.FEEDBACK_UP, "👍 Helpful", "9"),)))
    assert "Communications Manager" in out["text"] and "Communications Manager" in out["blocks"][0]["text"]["text"]
    golden("slack_fallback", out)


def test_shared_answer_golden_escapes_the_question():
    reply = policy_reply(
        ephemeral=False,
        choices=(),
        buttons=(),
        see_also=(),
        shared_by="U0ALEXLIFE",
        question="<!channel> can I add <@U999> on LinkedIn?",
    )
    out = reply_message(reply)
    assert out["blocks"][0]["elements"][0]["text"].startswith("Shared by <@U0ALEXLIFE>")
    assert "<!channel>" not in json.dumps(out) and "<@U999>" not in json.dumps(out)
    golden("slack_shared_answer", out)


def test_shared_by_must_be_a_slack_user_id():
    out = reply_message(policy_reply(shared_by="<!here>"))
    assert "Shared by" not in json.dumps(out)


def test_mrkdwn_is_escaped_everywhere():
    evil = "<!channel> <!here> <@U0BOSS> <https://evil.example|click me> & a > b"
    cite = Citation("d", "1.1", evil, evil, 1.0, evil, evil)
    out = reply_message(Reply(evil, intent="policy", citations=(cite,), see_also=(cite,)))
    raw = json.dumps(out)
    for live in ("<!channel>", "<!here>", "<@U0BOSS>", "<https://evil"):
        assert live not in raw
    assert "&lt;!channel&gt;" in out["text"] and "&amp; a &gt; b" in out["blocks"][1]["text"]["text"]
    assert escape("a&b<c>") == "a&amp;b&lt;c&gt;"
    out = reply_message(Reply(evil))
    assert "<" not in out["blocks"][0]["text"]["text"]


def test_long_text_and_many_buttons_stay_within_block_kit_limits():
    long_text = "\n\n".join(f"Paragraph {i}: " + "word " * 400 for i in range(30)) + "x" * 7000
    many = tuple(Button(actions.DID_YOU_MEAN, "L" * 100, "v" * 2500) for _ in range(60))
    out = reply_message(Reply(long_text, choices=many, buttons=many))
    blocks = out["blocks"]
    assert len(blocks) <= 50
    for b in blocks:
        if b["type"] == "section":
            assert len(b["text"]["text"]) <= 3000
        if b["type"] == "actions":
            assert len(b["elements"]) <= 25
            ids = [e["action_id"] for e in b["elements"]]
            assert len(ids) == len(set(ids)) and {base_action_id(i) for i in ids} == {actions.DID_YOU_MEAN}
            for e in b["elements"]:
                assert len(e["text"]["text"]) <= 75 and len(e["value"]) <= 2000
    assert blocks[-1]["type"] == "actions"  # the buttons survive; the body is what gets shortened
    assert len(out["text"]) <= 40000


def test_a_long_clause_never_splits_an_escape():
    out = reply_message(Reply("&" * 5000))
    for b in out["blocks"]:
        text = b["text"]["text"]
        assert len(text) <= 3000 and text.replace("&amp;", "").strip("…") == ""


GENERIC = Form(
    "test.form",
    "A form with a title much longer than Slack allows",
    (
        FormField("what", "What happened?", "select", (("a", "Option A"), ("b", "Option B")), required=True, value="b"),
        FormField(
            "where", "Which sites?", "multiselect", (("fb", "Facebook"), ("x", "X"), ("li", "LinkedIn")), value="fb,li"
        ),
        FormField(
            "details",
            "Tell us more",
            "multiline",
            required=True,
            value="prefilled",
            hint="Don't engage.",
            max_length=2000,
        ),
        FormField("account", "Account name", "text", max_length=200),
        FormField("link", "Link", "url", value="https://example.com/post/1"),
        FormField("seen", "When?", "date", value="2026-11-02"),
        FormField("consent", "Share with HR?", "checkbox", hint="Yes, HR may see this"),
        FormField("topics", "Topics", "checkbox", (("t1", "Abuse"), ("t2", "Impersonation")), value="t2"),
        FormField("shots", "Screenshots", "file"),
    ),
    submit_label="Send it",
    private_metadata="report-42",
)


def test_generic_form_modal_golden():
    view = modal_view(GENERIC, intro="Tell me what you saw. <!channel>", private_metadata='{"m":"report-42"}')
    assert len(view["title"]["text"]) <= 24 and view["callback_id"] == "test.form"
    assert [b["block_id"] for b in view["blocks"] if b["type"] == "input"] == [f.name for f in GENERIC.fields]
    assert "<!channel>" not in json.dumps(view)
    golden("slack_form_modal", view)


def test_submitted_values_come_back_by_field_name_with_their_types():
    view = modal_view(GENERIC)
    files = [
        {
            "id": "F1",
            "name": "shot.png",
            "mimetype": "image/png",
            "url_private": "https://files/F1",
            "permalink": "https://tdc.slack.com/files/F1",
            "size": 10,
        }
    ]
    answers = {
        "what": "a",
        "where": ["x"],
        "details": "they swore at me",
        "account": None,
        "link": "https://x.com/1",
        "seen": "2026-11-01",
        "consent": ["yes"],
        "topics": ["t1", "t2"],
        "shots": files,
    }
    values = form_values({"values": state_for(view, answers)})
    assert values == {
        "what": "a",
        "where": ["x"],
        "details": "they swore at me",
        "account": "",
        "link": "https://x.com/1",
        "seen": "2026-11-01",
        "consent": True,
        "topics": ["t1", "t2"],
        "shots": [{k: files[0][k] for k in ("id", "name", "mimetype", "url_private", "permalink")}],
    }
    empty = form_values({"values": state_for(view, {})})
    assert empty["consent"] is False and empty["what"] == "" and empty["topics"] == [] and empty["shots"] == []


def test_form_errors_map_to_block_ids():
    form = Form("f", "F", (FormField("a", "A"), FormField("b", "B")), errors={"b": "Say more.", "zzz": "Odd."})
    assert modal_errors(form) == {"b": "Say more.", "a": "Odd."}


def test_modal_limits_on_options_and_metadata():
    opts = tuple((f"v{i}" + "x" * 200, "L" * 100) for i in range(150))
    form = Form(
        "f",
        "F",
        (FormField("s", "S", "select", opts), FormField("c", "C", "checkbox", opts)),
        private_metadata="m" * 5000,
    )
    view = modal_view(form)
    sel, chk = (b["element"] for b in view["blocks"])
    assert len(sel["options"]) == 100 and len(chk["options"]) == 10
    assert all(len(o["value"]) <= 150 and len(o["text"]["text"]) <= 75 for o in sel["options"])
    assert len(view["private_metadata"]) <= 3000


def test_private_metadata_carries_the_route_and_survives_foreign_text():
    route = {"c": "C1", "t": "1.2", "r": "https://hooks.slack.com/x"}
    meta, where = unwrap_metadata(wrap_metadata("42", route))
    assert meta == "42" and where == route
    assert unwrap_metadata("not json") == ("not json", {})
    meta, where = unwrap_metadata(wrap_metadata("m" * 2990, route))
    assert meta == "m" * 2990 and where == {}


def test_home_view_golden():
    view = home_view(
        messages.CAPABILITIES, messages.SLACK_HOME_ASK, messages.SLACK_HOME_REPORT, ["Social Media Policy, Web edition"]
    )
    assert view["type"] == "home" and "/report" in json.dumps(view)
    golden("slack_home", view)
