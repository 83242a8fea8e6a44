"""Slack's markup is resolved at the edge (bot.slack.inbound.plain_text_of): a handler gets the words a person
sees, never ``<@U…>``, ``<!channel>``, ``<#C…|name>`` or ``<url|label>``. The rule for each token:

- TED's own mention is dropped; a colleague's is "@name" when Slack sends the name, else "@someone";
- a channel is "#name"; a broadcast ("<!channel>", "<!here>") is "@channel" / "@here", its label when it has one;
- a link is "label (url)", or the bare url when it has no label of its own;
- &amp; &lt; &gt; are unescaped, so markup a person *typed* (which Slack sends escaped) is just characters.
"""

import pytest

from bot.slack.inbound import message_from_command, message_from_event, plain_text_of
from chat.model import COMMAND, MENTION, Message, Reply
from chat.router import Router
from knowledge.answer import POLICY, SMALLTALK

BOT = "U0TEDBOT"


@pytest.mark.parametrize(
    "slack,plain",
    [
        ("<@U0TEDBOT> can I add a supplier?", "can I add a supplier?"),
        ("<!channel> can I &lt;b&gt; post &amp; share?", "@channel can I <b> post & share?"),
        ("ask <@U0BOSS|sam> and <!subteam^S1|@comms> in <#C1|general>", "ask @sam and @comms in #general"),
        (
            "see <https://x.com/tdc/1> or <https://x.com/tdc/2|this post>",
            "see https://x.com/tdc/1 or this post (https://x.com/tdc/2)",
        ),
        ("<!here|here> hello", "here hello"),
    ],
)
def test_plain_text_of_slack_markup(slack, plain):
    assert plain_text_of(slack, "U0TEDBOT") == plain


def handler_sees(msg: Message) -> list[str]:
    """What the message handler behind the router is given."""
    seen: list[str] = []
    router = Router()
    router.on_message(lambda m: seen.append(m.text) or [Reply("ok")])
    router.on_command("/ted", lambda m: seen.append(m.text) or [Reply("ok")])
    router.message(msg)
    return seen


def test_a_mention_and_a_link_are_resolved_before_the_handler_sees_the_text():
    event = {
        "type": "app_mention",
        "channel": "C1",
        "user": "U0ALEX",
        "ts": "1.1",
        "text": f"<@{BOT}> is <https://x|the policy> fine for <@U0SAM|sam> and <@U0BOSS>? &amp; &lt;@U1&gt;",
    }
    msg, _ = message_from_event(event, "Ev1", BOT)
    assert msg.surface == MENTION
    assert handler_sees(msg) == ["is the policy (https://x) fine for @sam and @someone? & <@U1>"]
    body = {"command": "/ted", "user_id": "U0ALEX", "channel_id": "C1", "text": "<!here> see <#C9|general>"}
    msg, _ = message_from_command(body, BOT)
    assert msg.surface == COMMAND and handler_sees(msg) == ["@here see #general"]


def test_a_bare_mention_of_ted_is_an_empty_question(ted_session):
    event = {"type": "app_mention", "channel": "C1", "user": "U0ALEX", "ts": "1.1", "text": "<@U123ABC>"}
    msg, _ = message_from_event(event, "Ev1", "U123ABC")
    assert msg.text == ""
    a = ted_session.asker.ask(msg.text)
    assert a.intent == SMALLTALK and "question" in a.text.lower() and not a.citations


def test_mention_syntax_is_never_searched_or_echoed(ted_session):
    a = ted_session.asker.ask(
        plain_text_of("<!channel> <@U024BE7LH> can I put the council logo on my own instagram?", BOT)
    )
    assert a.intent == POLICY and a.citations[0].clause == "5.6"
    assert "<!channel>" not in a.plain_text and "<@U024BE7LH>" not in a.plain_text
