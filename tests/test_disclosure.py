"""TED says it is automated, what it can and can't do, and how to reach a person: in its first message (the
web chat's greeting; Teams' welcome is checked in test_teams_http.py) and in `help` on every surface, which also
points to the privacy notice."""

import pytest

from chat.model import COMMAND, DM, Message
from handlers import messages
from tests.fakes.web_world import web_test

AUTOMATED = "I'm an automated assistant, not a person"
A_PERSON = "talk to your line manager, HR or the Communications Manager"


def test_the_disclosure_is_short_plain_and_names_a_person_to_go_to():
    assert AUTOMATED in messages.DISCLOSURE and A_PERSON in messages.DISCLOSURE
    assert "can be wrong" in messages.DISCLOSURE and "can't give legal or HR advice" in messages.DISCLOSURE
    assert len(messages.DISCLOSURE.split()) <= 60
    assert messages.GREETING.endswith(messages.DISCLOSURE)


@pytest.mark.parametrize("text,command", [("help", ""), ("what can you do?", ""), ("help", "/ted"), ("", "/ted")])
def test_help_says_ted_is_automated_and_where_the_privacy_notice_is(ted_session, text, command):
    msg = Message(
        platform="test",
        user_id="U1",
        text=text,
        conversation_id="D1",
        surface=COMMAND if command else DM,
        command=command,
    )
    (reply,) = ted_session.router.message(msg)
    assert AUTOMATED in reply.text and A_PERSON in reply.text
    assert "/privacy" in reply.text and "Privacy notice" in reply.text


def test_ted_ask_help_says_so_too(ted_session):
    answer = ted_session.asker.ask("help")
    assert answer.intent == "smalltalk" and AUTOMATED in answer.text


@web_test()
async def test_the_web_chats_first_message_says_ted_is_automated(w):
    b = await w.browser()
    me = await b.me()
    assert AUTOMATED in me["greeting"] and A_PERSON in me["greeting"]
