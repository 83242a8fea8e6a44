"""Teams conversation logic without HTTP or any SDK: activities (wire JSON) in through a collecting fake TurnIO
(bot.teams.binding), card activities out; plus the pure activity -> Message/Action translation."""

import asyncio
import itertools
import json

import pytest

from app import build
from bot.teams.activity import TeamsActivity
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


class FakeTurns:
    """Runs TED's turns for one person in one conversation, collecting what each turn sent (like botbuilder's
    TestAdapter, but the SDK-free TurnIO): `turn()` returns the replies; `updated` holds every in-place update."""

    def __init__(self, bot: TeamsBot, template: dict):
        self.bot = bot
        self.template = template
        self.replies: list[dict] = []
        self.updated: list[dict] = []
        self._ids = itertools.count(1)

    async def reply(self, activity: dict) -> str:
        self.replies.append(activity)
        return f"sent-{next(self._ids)}"

    async def update(self, conversation_id: str, activity_id: str, activity: dict) -> None:
        self.updated.append({**activity, "id": activity_id, "conversation": {"id": conversation_id}})

    async def send(self, conversation_id: str, activity: dict) -> str:
        raise AssertionError("a personal chat needs no other conversation")

    async def members(self, conversation_id: str, token: str | None) -> tuple[list[dict], str | None]:
        return [], None

    def receive(self, **fields) -> list[dict]:
        self.replies = []
        self.activity = TeamsActivity({**self.template, **{k: v for k, v in fields.items() if v is not None}})
        asyncio.run(self.bot.on_turn(self))
        return list(self.replies)


def world(user=ALEX, conversation="a:dm-alex", kind="personal", ids="aad"):
    ted = build(Settings(), ":memory:")
    ted.directory.import_rows(directory_rows(ids))
    refs = TeamsRefs(ted.db, TENANT)
    template = {
        "channelId": "msteams",
        "serviceUrl": "https://smba.example/",
        "channelData": {"tenant": {"id": TENANT}},
        "from": {"id": user.id, "name": user.name, "aadObjectId": user.aad},
        "recipient": {"id": BOT_ID, "name": "TED"},
        "conversation": {"id": conversation, "conversationType": kind, "tenantId": TENANT},
    }
    return ted, refs, FakeTurns(TeamsBot(ted, None, refs, CardSigner.for_db(ted.db)), template)


def card(activity: dict) -> dict:
    (att,) = activity["attachments"]
    assert att["contentType"] == CONTENT_TYPE
    return att["content"]


def submits(content: dict) -> list[dict]:
    found = [a["data"] for a in content.get("actions", []) if a["type"] == "Action.Submit"]
    return found + [a["data"] for b in content["body"] if b["type"] == "ActionSet" for a in b["actions"]]


def turn(adapter: FakeTurns, text: str = "", **fields) -> list[dict]:
    """One turn: a message (or, with `value`, a card's submit) in; the activities TED sent out."""
    return adapter.receive(type="message", text=text or None, **fields)


def test_a_personal_question_is_answered_with_one_card():
    ted, refs, adapter = world()
    (reply,) = turn(adapter, "can I accept a LinkedIn invite from a supplier?")
    assert "5.15 — LinkedIn as a professional network" in str(card(reply))
    assert ted.db["asked"].count == 1 and refs.personal(ALEX.aad) is not None


def text(activity: dict) -> str:
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
    assert turn(adapter, value={**data, **GOOD_REPORT}, replyToId="form-1") == []
    (confirmation,) = adapter.updated
    assert confirmation["id"] == "form-1" and "TED-2026-0001" in str(card(confirmation))
    (note,) = turn(adapter, value={**data, **GOOD_REPORT}, replyToId="form-1")  # a double click: same token
    assert text(note) == CARD_USED and submits(card(note)) == []
    assert ted.db["reports"].count == 1 and len(adapter.updated) == 1


def given_back(activity: dict) -> bool:
    """A report form TED could not check, sent back filled in as it was sent: nothing filed, nothing lost."""
    body = json.dumps(card(activity))
    return messages.REPORT_FORM_AGAIN.split(" (")[0] in text(activity) and GOOD_REPORT["description"] in body


def test_a_submit_without_a_token_is_refused_with_a_note():
    ted, _, adapter = world()
    (note,) = turn(adapter, value={"action_id": actions.REPORT_SUBMIT, "value": "", "form": True, **GOOD_REPORT})
    assert ted.db["reports"].count == 0  # never signed by TED: not filed...
    assert given_back(note)  # ...and what was typed comes back on a form TED signed (a card from an older release)
    assert turn(adapter, value={**submits(card(note))[0], **GOOD_REPORT}, replyToId="form-again") == []
    assert ted.db["reports"].count == 1
    (expired,) = turn(adapter, value={"action_id": actions.REPORT_NOTE_SUBMIT, "value": "TED-2026-0001", "note": "x"})
    assert text(expired) == CARD_EXPIRED  # any other unsigned press: the README says expired


@pytest.mark.parametrize(
    "change",
    [
        {"sig": None},  # a token TED never issued: a nonce alone is not enough
        {"nonce": "made-up-0"},  # a nonce TED never issued, with another card's signature
        {"origin": "a:dm-alex|someone-elses-card"},  # pointing the result at another card
        {"value": "TED-2026-0001"},
        {"action_id": actions.REPORT_NOTE_SUBMIT},
        {"form": None},
    ],
)
def test_a_forged_or_altered_submit_is_refused_as_expired(change):
    ted, _, adapter = world()
    (form,) = turn(adapter, "report")
    data = {**submits(card(form))[0], **change}
    (note,) = turn(
        adapter, value={k: v for k, v in {**data, **GOOD_REPORT}.items() if v is not None}, replyToId="form-1"
    )
    expired = data["action_id"] != actions.REPORT_SUBMIT or not data.get("form")
    assert text(note) == CARD_EXPIRED if expired else given_back(note)
    assert ted.db["reports"].count == 0 and adapter.updated == []
    turn(adapter, value={**submits(card(form))[0], **GOOD_REPORT}, replyToId="form-1")  # the real card still works
    assert ted.db["reports"].count == 1


def test_a_directory_entry_with_a_teams_29_id_is_recognised():
    ted, _, adapter = world(ids="teams")
    (form,) = turn(adapter, "report")
    turn(adapter, value={**submits(card(form))[0], **GOOD_REPORT}, replyToId="form-1")
    report = ted.reports.by_ref("TED-2026-0001")
    assert report["reporter_email"] == "alex.lifeguard@tendring.example"
    assert (report["reporter_platform"], report["reporter_user_id"]) == ("teams", ALEX.id)


def test_errors_replace_the_form_in_place_with_the_answers_kept():
    ted, _, adapter = world()
    (form,) = turn(adapter, "report")
    turn(adapter, value={**submits(card(form))[0], **GOOD_REPORT, "seen_at": "2099-01-01"}, replyToId="form-1")
    (again,) = adapter.updated
    body = card(again)["body"]
    assert "⚠️ That date is in the future." in block_texts(body)
    assert next(b for b in body if b.get("id") == "seen_at")["value"] == "2099-01-01"
    assert ted.db["reports"].count == 0


def test_installing_ted_personally_says_hello_and_remembers_the_chat():
    _, refs, adapter = world(user=SAM, conversation="a:dm-sam")
    (hello,) = adapter.receive(type="conversationUpdate", membersAdded=[{"id": BOT_ID}])
    assert "I'm TED" in str(card(hello))
    assert refs.personal(SAM.aad).conversation_id == "a:dm-sam" and refs.can_reach(SAM.id)
    adapter.receive(type="installationUpdate", action="remove")
    assert refs.personal(SAM.aad) is None


# -- translation ------------------------------------------------------------------------------
def activity(
    text: str,
    conversation: str = "19:chan@thread.tacv2;messageid=1700000000123",
    kind: str = "channel",
    entities=None,
    **kw,
) -> TeamsActivity:
    return TeamsActivity(
        {
            "type": "message",
            "id": "9",
            "text": text,
            "entities": entities,
            "from": {"id": "29:x", "aadObjectId": "aad-x"},
            "recipient": {"id": BOT_ID, "name": "TED"},
            "conversation": {"id": conversation, "conversationType": kind},
            **kw,
        }
    )


def mention(user_id: str, name: str) -> dict:
    return {"mentioned": {"id": user_id, "name": name}, "text": f"<at>{name}</at>", "type": "mention"}


def test_teds_mention_is_stripped_and_others_keep_their_names():
    a = activity(
        "<at>TED</at> can <at>Sam Okafor</at> add a supplier?",
        entities=[mention(BOT_ID, "TED"), mention("29:sam", "Sam Okafor")],
    )
    assert plain_text_of(a) == "can Sam Okafor add a supplier?"
    msg = message_from_activity(a)
    assert (msg.surface, msg.conversation_id, msg.thread_id, msg.user_id) == (
        MENTION,
        "19:chan@thread.tacv2",
        "1700000000123",
        "aad-x",
    )


def test_mentions_and_entities_are_resolved_before_the_handler_sees_the_text():
    # TED's own mention is dropped, a colleague's keeps their display name, HTML entities become characters;
    # markup a person typed arrives as entities and stays text.
    a = activity(
        "<at>TED</at> can <at>Sam Okafor</at> share&nbsp;this &amp; that? &lt;at&gt;x&lt;/at&gt;",
        entities=[mention(BOT_ID, "TED"), mention("29:sam", "Sam Okafor")],
    )
    seen: list[str] = []
    router = Router()
    router.on_message(lambda m: seen.append(m.text) or [Reply("ok")])
    router.message(message_from_activity(a))
    assert seen == ["can Sam Okafor share this & that? <at>x</at>"]


@pytest.mark.parametrize(
    "text,command,rest",
    [
        ("report", "/report", ""),
        ("Report status", "/report", "status"),
        ("/report open", "/report", "open"),
        ("report: a fake council page", "/report", "a fake council page"),
        ("reporting lines?", "", "reporting lines?"),
        ("/ted help", "/ted", "help"),
    ],
)
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
    s = submit_from_activity(
        activity(
            "",
            value={
                "action_id": actions.REPORT_NOTE_SUBMIT,
                "value": "TED-2026-0001",
                "form": True,
                "nonce": "n-0",
                "note": "Called them",
            },
            replyToId="msg-3",
        )
    )
    assert (s.action.value, s.action.form, s.action.message_id, s.nonce) == (
        "TED-2026-0001",
        {"note": "Called them"},
        "msg-3",
        "n-0",
    )


def test_reply_chains_split_from_their_channel():
    assert split_conversation("19:a@thread.tacv2;messageid=42") == ("19:a@thread.tacv2", "42")
    assert split_conversation("a:1on1") == ("a:1on1", "")
