"""Teams conversation logic on botbuilder's TestAdapter (no HTTP): activities in, card activities out,
plus the pure activity -> Message/Action translation."""

import asyncio

import pytest
from botbuilder.core.adapters import TestAdapter
from botbuilder.schema import Activity, ChannelAccount, ConversationAccount, Mention

from app import build
from bot.teams.inbound import message_from_activity, plain_text_of, split_conversation, submit_from_activity
from bot.teams.refs import TeamsRefs
from bot.teams.render import CONTENT_TYPE
from bot.teams.tokens import CardSigner
from bot.teams.turns import CARD_EXPIRED, CARD_USED, TeamsBot
from chat import actions
from chat.model import DM, MENTION, Reply
from chat.router import Router
from core.settings import Settings
from handlers import messages
from tests.fakes.bot_connector import BOT_ID, TENANT, block_texts
from tests.fakes.teams_world import ALEX, SAM, directory_rows
from tests.fakes.world import GOOD_REPORT


def world(user=ALEX, conversation="a:dm-alex", kind="personal", ids="aad"):
    ted = build(Settings(), ":memory:")
    ted.directory.import_rows(directory_rows(ids))
    refs = TeamsRefs(ted.db, TENANT)
    template = Activity(channel_id="msteams", service_url="https://smba.example/",
                        channel_data={"tenant": {"id": TENANT}},
                        from_property=ChannelAccount(id=user.id, name=user.name, aad_object_id=user.aad),
                        recipient=ChannelAccount(id=BOT_ID, name="TED"),
                        conversation=ConversationAccount(id=conversation, conversation_type=kind, tenant_id=TENANT))
    return ted, refs, TestAdapter(TeamsBot(ted, refs, CardSigner.for_db(ted.db)).on_turn, template)


def card(activity: Activity) -> dict:
    (att,) = activity.attachments
    assert att.content_type == CONTENT_TYPE
    return att.content


def submits(content: dict) -> list[dict]:
    found = [a["data"] for a in content.get("actions", []) if a["type"] == "Action.Submit"]
    return found + [a["data"] for b in content["body"] if b["type"] == "ActionSet" for a in b["actions"]]


def turn(adapter: TestAdapter, text: str = "", **fields) -> list[Activity]:
    """One turn: a message (or, with `value`, a card's submit) in; the activities TED sent out."""
    adapter.activity_buffer.clear()
    asyncio.run(adapter.receive_activity(Activity(type="message", text=text or None, **fields)))
    return list(adapter.activity_buffer)


def test_a_personal_question_is_answered_with_one_card():
    ted, refs, adapter = world()
    (reply,) = turn(adapter, "can I accept a LinkedIn invite from a supplier?")
    assert "5.15 — LinkedIn as a professional network" in str(card(reply))
    assert ted.db["asked"].count == 1 and refs.personal(ALEX.aad) is not None


def text(activity: Activity) -> str:
    return "\n".join(block_texts(card(activity)))


def test_a_repeated_activity_id_is_answered_once():
    _, _, adapter = world()
    assert len(turn(adapter, "hello", id="act-1")) == 1
    assert turn(adapter, "hello", id="act-1") == []


@pytest.mark.parametrize("text_in", ["", "   ", "\xa0"])
def test_an_empty_message_gets_the_polite_nudge(text_in):
    _, _, adapter = world()
    (reply,) = turn(adapter, text_in, attachments=[{"contentType": "image/png", "contentUrl": "https://x.example/a"}])
    assert messages.EMPTY_QUESTION in text(reply)


def test_report_submit_is_single_use_and_the_form_becomes_the_confirmation():
    ted, _, adapter = world()
    (form,) = turn(adapter, "report")
    data = submits(card(form))[0]
    assert data["action_id"] == actions.REPORT_SUBMIT and data["form"] is True
    assert turn(adapter, value={**data, **GOOD_REPORT}, reply_to_id="form-1") == []
    (confirmation,) = adapter.updated_activities
    assert confirmation.id == "form-1" and "TED-2026-0001" in str(card(confirmation))
    (note,) = turn(adapter, value={**data, **GOOD_REPORT}, reply_to_id="form-1")  # a double click: same token
    assert text(note) == CARD_USED and submits(card(note)) == []
    assert ted.db["reports"].count == 1 and len(adapter.updated_activities) == 1


def test_a_submit_without_a_token_is_refused_with_a_note():
    ted, _, adapter = world()
    (note,) = turn(adapter, value={"action_id": actions.REPORT_SUBMIT, "value": "", "form": True, **GOOD_REPORT})
    assert text(note) == CARD_USED
    assert ted.db["reports"].count == 0


@pytest.mark.parametrize("change", [
    {"sig": None},  # a token TED never issued: a nonce alone is not enough
    {"nonce": "made-up-0"},  # a nonce TED never issued, with another card's signature
    {"origin": "a:dm-alex|someone-elses-card"},  # pointing the result at another card
    {"value": "TED-2026-0001"}, {"action_id": actions.REPORT_NOTE_SUBMIT}, {"form": None},
])
def test_a_forged_or_altered_submit_is_refused_as_expired(change):
    ted, _, adapter = world()
    (form,) = turn(adapter, "report")
    data = {**submits(card(form))[0], **change}
    (note,) = turn(adapter, value={k: v for k, v in {**data, **GOOD_REPORT}.items() if v is not None},
                   reply_to_id="form-1")
    assert text(note) == CARD_EXPIRED
    assert ted.db["reports"].count == 0 and adapter.updated_activities == []
    turn(adapter, value={**submits(card(form))[0], **GOOD_REPORT}, reply_to_id="form-1")  # the real card still works
    assert ted.db["reports"].count == 1


def test_a_directory_entry_with_a_teams_29_id_is_recognised():
    ted, _, adapter = world(ids="teams")
    (form,) = turn(adapter, "report")
    turn(adapter, value={**submits(card(form))[0], **GOOD_REPORT}, reply_to_id="form-1")
    report = ted.reports.by_ref("TED-2026-0001")
    assert report["reporter_email"] == "alex.lifeguard@tendring.example"
    assert (report["reporter_platform"], report["reporter_user_id"]) == ("teams", ALEX.id)


def test_errors_replace_the_form_in_place_with_the_answers_kept():
    ted, _, adapter = world()
    (form,) = turn(adapter, "report")
    turn(adapter, value={**submits(card(form))[0], **GOOD_REPORT, "seen_at": "2099-01-01"}, reply_to_id="form-1")
    (again,) = adapter.updated_activities
    body = card(again)["body"]
    assert "⚠️ That date is in the future." in block_texts(body)
    assert next(b for b in body if b.get("id") == "seen_at")["value"] == "2099-01-01"
    assert ted.db["reports"].count == 0


def test_installing_ted_personally_says_hello_and_remembers_the_chat():
    _, refs, adapter = world(user=SAM, conversation="a:dm-sam")
    update = Activity(type="conversationUpdate", members_added=[ChannelAccount(id=BOT_ID)])
    asyncio.run(adapter.receive_activity(update))
    (hello,) = adapter.activity_buffer
    assert "I'm TED" in str(card(hello))
    assert refs.personal(SAM.aad).conversation.id == "a:dm-sam" and refs.can_reach(SAM.id)
    asyncio.run(adapter.receive_activity(Activity(type="installationUpdate", action="remove")))
    assert refs.personal(SAM.aad) is None


# -- translation ------------------------------------------------------------------------------
def activity(text: str, conversation: str = "19:chan@thread.tacv2;messageid=1700000000123", kind: str = "channel",
             entities=None, **kw) -> Activity:
    return Activity(type="message", id="9", text=text, entities=entities,
                    from_property=ChannelAccount(id="29:x", aad_object_id="aad-x"),
                    recipient=ChannelAccount(id=BOT_ID, name="TED"),
                    conversation=ConversationAccount(id=conversation, conversation_type=kind), **kw)


def mention(user_id: str, name: str) -> Mention:
    return Mention(mentioned=ChannelAccount(id=user_id, name=name), text=f"<at>{name}</at>", type="mention")


def test_teds_mention_is_stripped_and_others_keep_their_names():
    a = activity("<at>TED</at> can <at>Sam Okafor</at> add a supplier?",
                 entities=[mention(BOT_ID, "TED"), mention("29:sam", "Sam Okafor")])
    assert plain_text_of(a) == "can Sam Okafor add a supplier?"
    msg = message_from_activity(a)
    assert (msg.surface, msg.conversation_id, msg.thread_id, msg.user_id) == (
        MENTION, "19:chan@thread.tacv2", "1700000000123", "aad-x")


def test_mentions_and_entities_are_resolved_before_the_handler_sees_the_text():
    # TED's own mention is dropped, a colleague's keeps their display name, HTML entities become characters;
    # markup a person typed arrives as entities and stays text.
    a = activity("<at>TED</at> can <at>Sam Okafor</at> share&nbsp;this &amp; that? &lt;at&gt;x&lt;/at&gt;",
                 entities=[mention(BOT_ID, "TED"), mention("29:sam", "Sam Okafor")])
    seen: list[str] = []
    router = Router()
    router.on_message(lambda m: seen.append(m.text) or [Reply("ok")])
    router.message(message_from_activity(a))
    assert seen == ["can Sam Okafor share this & that? <at>x</at>"]


@pytest.mark.parametrize("text,command,rest", [
    ("report", "/report", ""), ("Report status", "/report", "status"), ("/report open", "/report", "open"),
    ("report: a fake council page", "/report", "a fake council page"), ("reporting lines?", "", "reporting lines?"),
    ("/ted help", "/ted", "help"),
])
def test_typed_commands(text, command, rest):
    msg = message_from_activity(activity(text, conversation="a:dm", kind="personal"))
    assert (msg.command, msg.text, msg.surface) == (command, rest, DM)


def test_a_bare_mention_is_an_empty_question_and_another_apps_submit_is_nothing():
    msg = message_from_activity(activity("<at>TED</at>", entities=[mention(BOT_ID, "TED")]))
    assert (msg.text, msg.surface, msg.user_id) == ("", MENTION, "aad-x")
    assert message_from_activity(activity("", value={"action_id": "someone.else"})) is None


def test_submits_from_other_cards_are_not_teds():
    assert submit_from_activity(activity("", value={"action_id": "someone.else"})) is None
    assert submit_from_activity(activity("", value="text")) is None
    s = submit_from_activity(activity("", value={"action_id": actions.REPORT_NOTE_SUBMIT, "value": "TED-2026-0001",
                                                 "form": True, "nonce": "n-0", "note": "Called them"},
                                      reply_to_id="msg-3"))
    assert (s.action.value, s.action.form, s.action.message_id, s.nonce) == (
        "TED-2026-0001", {"note": "Called them"}, "msg-3", "n-0")


def test_reply_chains_split_from_their_channel():
    assert split_conversation("19:a@thread.tacv2;messageid=42") == ("19:a@thread.tacv2", "42")
    assert split_conversation("a:1on1") == ("a:1on1", "")
