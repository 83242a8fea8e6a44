"""Slash commands, buttons and modals end to end through TED's server and the fake Slack Web API."""

import json

from bot.slack.render import reply_message
from chat import actions
from chat.model import Button, Form, FormField, Reply
from handlers import messages
from tests.fakes.slack_world import ALEX, SAM, clause_heading, slack_test
from tests.fakes.world import SUPPLIER


def button_ids(body: dict) -> list[str]:
    return [e["action_id"] for b in body.get("blocks", []) if b["type"] == "actions" for e in b["elements"]]


@slack_test()
async def test_slash_ted_answers_privately_and_share_posts_it_in_the_channel(w):
    status, text = await w.command("/ted", SUPPLIER)
    assert status == 200 and text == ""  # the ack; the answer follows through response_url
    (private,) = await w.api.wait_for("response_url")
    assert private.body["response_type"] == "ephemeral" and private.body["_url"].endswith("/respond/cmd1")
    assert clause_heading(private).startswith("*5.13 — ")
    assert actions.SHARE in button_ids(private.body)
    await w.press(actions.SHARE, on=private.body, ephemeral=True)
    _, shared, deleted = await w.api.wait_for("response_url", 3)
    assert shared.body["response_type"] == "in_channel" and shared.body["replace_original"] is False
    assert shared.body["blocks"][0]["elements"][0]["text"].startswith(f"Shared by <@{ALEX}>")
    assert actions.SHARE not in button_ids(shared.body) and actions.FEEDBACK_UP in button_ids(shared.body)
    assert deleted.body == {"delete_original": True, "_url": deleted.body["_url"]}
    assert not w.api.of("chat.postMessage")


@slack_test(pseudonymise_questions=True)
async def test_share_works_for_the_asker_while_questions_are_pseudonymised(w):
    await w.command("/ted", SUPPLIER)
    (private,) = await w.api.wait_for("response_url")
    assert w.ted.db.execute("select user_id from asked").fetchone()[0] != ALEX  # stored as its keyed hash
    await w.press(actions.SHARE, on=private.body, ephemeral=True)
    _, shared, _ = await w.api.wait_for("response_url", 3)
    assert shared.body["response_type"] == "in_channel"


@slack_test()
async def test_share_pressed_twice_posts_once(w):
    await w.command("/ted", SUPPLIER)
    (private,) = await w.api.wait_for("response_url")
    await w.press(actions.SHARE, on=private.body, ephemeral=True)
    await w.press(actions.SHARE, on=private.body, ephemeral=True)  # a double-click, or Slack retrying the request
    await w.api.wait_for("response_url", 3)
    await w.api.settle()
    shared = [c for c in w.api.of("response_url") if c.body.get("response_type") == "in_channel"]
    assert len(shared) == 1 and not w.api.of("chat.postMessage")


@slack_test()
async def test_only_the_asker_can_share(w):
    await w.command("/ted", SUPPLIER)
    (private,) = await w.api.wait_for("response_url")
    await w.press(actions.SHARE, on=private.body, as_=SAM, ephemeral=True)
    _, refused = await w.api.wait_for("response_url", 2)
    assert refused.body["response_type"] == "ephemeral" and refused.body["text"] == messages.SHARE_REFUSED


@slack_test()
async def test_slash_ted_help(w):
    await w.command("/ted", "")
    (help_,) = await w.api.wait_for("response_url")
    assert help_.body["response_type"] == "ephemeral" and "report" in help_.body["text"]


@slack_test()
async def test_thumbs_up_stores_feedback_and_thanks_privately(w):
    ts = await w.ask(SUPPLIER)
    (answer,) = await w.api.wait_for("chat.postMessage")
    await w.press(actions.FEEDBACK_UP, on=answer.body, channel="D0ALEXLIFE", message_ts=ts)
    (thanks,) = await w.api.wait_for("response_url")
    assert thanks.body["response_type"] == "ephemeral" and thanks.body["text"] == messages.FEEDBACK_THANKS
    (row,) = w.ted.db["feedback"].rows
    assert row["helpful"] == 1 and row["clause"] == "5.13" and row["user_id"] == ALEX and row["channel"] == "slack"
    await w.press(actions.FEEDBACK_UP, on=answer.body, channel="D0ALEXLIFE", message_ts=ts)  # pressed again
    await w.api.wait_for("response_url", 2)
    (again,) = w.ted.db["feedback"].rows
    assert again["id"] == row["id"]
    await w.press(actions.FEEDBACK_UP, on=answer.body, as_=SAM, channel="D0ALEXLIFE", message_ts=ts)
    await w.api.wait_for("response_url", 3)
    assert w.ted.db["feedback"].count == 2  # someone else's 👍 is their own


@slack_test()
async def test_thumbs_down_opens_the_reason_modal_and_stores_the_reason(w):
    ts = await w.mention(SUPPLIER)
    (answer,) = await w.api.wait_for("chat.postMessage")
    await w.press(actions.FEEDBACK_DOWN, on=answer.body, message_ts="1700000000.000009", thread=ts)
    (opened,) = await w.api.wait_for("views.open")
    view = opened.body["view"]
    assert opened.body["trigger_id"].startswith("trigger.act") and view["callback_id"] == actions.FEEDBACK_REASON
    assert view["blocks"][0]["text"]["text"] == messages.FEEDBACK_SORRY
    assert [b["block_id"] for b in view["blocks"] if b["type"] == "input"] == ["reason"]
    status, text = await w.submit(view, {"reason": "I wanted the LinkedIn clause"})
    assert status == 200 and text == ""  # closes the modal
    (row,) = w.ted.db["feedback"].rows
    assert row["helpful"] == 0 and row["reason"] == "I wanted the LinkedIn clause"
    (thanks,) = await w.api.wait_for("response_url")
    assert thanks.body["text"] == messages.FEEDBACK_THANKS and thanks.body["thread_ts"] == ts


@slack_test()
async def test_did_you_mean_in_a_thread_posts_that_clause_there(w):
    message = reply_message(
        Reply("…", choices=(Button(actions.DID_YOU_MEAN, "5.15 — LinkedIn", "tdc-social-media-policy|5.15"),))
    )
    await w.press(actions.DID_YOU_MEAN, on=message, message_ts="1700000500.000002", thread="1700000500.000001")
    (post,) = await w.api.wait_for("chat.postMessage")
    assert post.body["thread_ts"] == "1700000500.000001" and post.body["channel"] == "C0GENERAL"
    assert clause_heading(post).startswith("*5.15 — LinkedIn")


@slack_test()
async def test_did_you_mean_under_a_private_answer_stays_private(w):
    message = reply_message(
        Reply(
            "…",
            choices=(
                Button(actions.DID_YOU_MEAN, "5.13", "tdc-social-media-policy|5.13"),
                Button(actions.DID_YOU_MEAN, "5.6", "tdc-social-media-policy|5.6"),
            ),
        )
    )
    assert button_ids(message) == [actions.DID_YOU_MEAN, actions.DID_YOU_MEAN + "#1"]
    await w.press(actions.DID_YOU_MEAN, on=message, ephemeral=True, index=1)
    (private,) = await w.api.wait_for("response_url")
    assert private.body["response_type"] == "ephemeral" and clause_heading(private).startswith("*5.6")
    assert not w.api.of("chat.postMessage")


FORM = Form(
    "test.form",
    "Tell us",
    (
        FormField("details", "What happened?", "multiline", required=True),
        FormField("kind", "Kind", "select", (("a", "A"), ("b", "B"))),
        FormField("sites", "Sites", "multiselect", (("fb", "Facebook"), ("x", "X"))),
        FormField("agree", "Agree", "checkbox"),
        FormField("when", "When", "date"),
        FormField("shots", "Screenshots", "file"),
    ),
    private_metadata="case-7",
)


def register_test_form(ted, seen: list):
    def open_form(act):
        return [Reply("Fill this in, please.", form=FORM, ephemeral=True)]

    def submitted(act):
        seen.append(act)
        if not act.form.get("details"):
            return [
                Reply(
                    "",
                    form=Form(
                        FORM.form_id,
                        FORM.title,
                        FORM.fields,
                        errors={"details": "Please say what happened.", "nope": "Also this."},
                    ),
                )
            ]
        if act.form.get("kind") == "b":
            return [Reply("Step two.", form=Form("test.step2", "Step two", (FormField("more", "More"),)))]
        return [Reply("Thanks — case noted.", ephemeral=True)]

    ted.router.on_action("test.open", open_form)
    ted.router.on_action("test.form", submitted)


@slack_test()
async def test_generic_form_opens_as_a_modal_and_errors_show_inline(w):
    seen: list = []
    register_test_form(w.ted, seen)
    ts = await w.ask("hello")
    (hello,) = await w.api.wait_for("chat.postMessage")
    message = reply_message(Reply("x", buttons=(Button("test.open", "Open", "v"),)))
    await w.press("test.open", on=message, channel="D0ALEXLIFE", message_ts=ts)
    (opened,) = await w.api.wait_for("views.open")
    view = opened.body["view"]
    assert view["callback_id"] == "test.form" and view["blocks"][0]["text"]["text"] == "Fill this in, please."
    assert json.loads(view["private_metadata"])["m"] == "case-7"

    status, text = await w.submit(view, {"details": ""})
    assert status == 200
    assert json.loads(text) == {
        "response_action": "errors",
        "errors": {"details": "Please say what happened. Also this."},
    }

    status, text = await w.submit(view, {"details": "they swore", "kind": "b"})
    step = json.loads(text)
    assert step["response_action"] == "update" and step["view"]["callback_id"] == "test.step2"

    files = [{"id": "F1", "name": "a.png", "mimetype": "image/png", "url_private": "u", "permalink": "p"}]
    status, text = await w.submit(
        view,
        {"details": "they swore", "kind": "a", "sites": ["x"], "agree": ["yes"], "when": "2026-11-01", "shots": files},
    )
    assert status == 200 and text == ""
    act = seen[-1]
    assert act.action_id == "test.form" and act.value == "case-7" and act.conversation_id == "D0ALEXLIFE"
    assert act.form == {
        "details": "they swore",
        "kind": "a",
        "sites": ["x"],
        "agree": True,
        "when": "2026-11-01",
        "shots": files,
    }
    thanks = (await w.api.wait_for("response_url"))[-1]
    assert thanks.body["text"] == "Thanks — case noted." and thanks.body["response_type"] == "ephemeral"
    assert hello.body["channel"] == "D0ALEXLIFE"


@slack_test()
async def test_report_command_opens_the_report_modal_with_its_trigger(w):
    status, _ = await w.command("/report", "someone keeps abusing me on facebook")
    assert status == 200
    (opened,) = await w.api.wait_for("views.open")
    view = opened.body["view"]
    assert opened.body["trigger_id"] == "trigger.cmd1" and view["callback_id"] == actions.REPORT_SUBMIT
    description = next(b for b in view["blocks"] if b.get("block_id") == "description")
    assert description["element"]["initial_value"] == "someone keeps abusing me on facebook"
    status, text = await w.submit(view, {"description": ""})
    errors = json.loads(text)
    assert errors["response_action"] == "errors" and {"category", "platform", "description"} <= set(errors["errors"])
    assert not w.api.of("response_url")


@slack_test()
async def test_a_private_reply_falls_back_to_a_dm_when_slack_refuses(w):
    seen: list = []
    register_test_form(w.ted, seen)
    w.api.errors["chat.postEphemeral"] = "not_in_channel"
    view = {
        "type": "modal",
        "callback_id": "test.form",
        "private_metadata": json.dumps({"m": "case-7", "c": "C0X"}),
        "blocks": [
            {"type": "input", "block_id": "details", "element": {"type": "plain_text_input", "action_id": "multiline"}}
        ],
    }
    await w.submit(view, {"details": "ok"})
    (dm,) = await w.api.wait_for("chat.postMessage")
    assert w.api.of("conversations.open")[0].body["users"] == ALEX and dm.body["text"] == "Thanks — case noted."


@slack_test()
async def test_interactions_ted_does_not_act_on_are_acknowledged_not_refused(w):
    """A shortcut someone adds to the app in Slack's settings, a modal closed with notify_on_close: Slack shows
    the person an error unless TED answers 200, so each is acknowledged (and does nothing)."""
    user = {"id": "U0ALEX", "team_id": "T0TDC"}
    team = {"id": "T0TDC"}
    for payload in (
        {"type": "shortcut", "callback_id": "open_ted", "trigger_id": "t.1", "user": user, "team": team},
        {
            "type": "message_action",
            "callback_id": "ask_ted",
            "trigger_id": "t.2",
            "user": user,
            "team": team,
            "channel": {"id": "C0GENERAL"},
            "message": {"ts": "1700000000.000001", "text": "a post"},
            "response_url": w.api.response_url("ma"),
        },
        {
            "type": "view_closed",
            "user": user,
            "team": team,
            "view": {"id": "V1", "type": "modal", "callback_id": "ted.form"},
        },
    ):
        status, _ = await w.interact(payload)
        assert status == 200, payload["type"]
    assert w.ted.db["asked"].count == 0 and w.ted.db["reports"].count == 0


@slack_test()
async def test_a_slash_command_whose_text_says_payload_is_answered(w):
    # A form body with the word "payload" in it (a question, a channel called #payload-team) is still a slash
    # command, not an interactivity payload missing its field.
    status, _ = await w.command("/ted", "is the payload of a council post shareable on my linkedin?")
    assert status == 200
    (private,) = await w.api.wait_for("response_url")
    assert private.body["response_type"] == "ephemeral" and private.body.get("blocks")
