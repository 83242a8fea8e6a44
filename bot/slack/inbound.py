"""Slack payloads -> TED's Message/Action, and where the answer should go. Pure functions.

Handlers get plain text: Slack's markup is resolved here, at the edge (plain_text_of), so nothing behind the
router knows ``<@U…>``, ``<!channel>``, ``<#C…|name>`` or ``<url|label>``
(https://docs.slack.dev/messaging/formatting-message-text).

Payload shapes: events https://docs.slack.dev/reference/events (message.im, app_mention),
slash commands https://docs.slack.dev/interactivity/implementing-slash-commands, block_actions and
view_submission https://docs.slack.dev/reference/interaction-payloads.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.slack.forms import form_values, unwrap_metadata
from bot.slack.render import base_action_id, valid_text
from chat.model import COMMAND, DM, MENTION, Action, Message

PLATFORM = "slack"
# Message subtypes that are a person saying something; everything else (bot_message, message_changed,
# message_deleted, channel_join…) is ignored: https://docs.slack.dev/reference/events/message#subtypes
PERSON_SUBTYPES = {None, "", "file_share", "thread_broadcast"}
_TOKEN = re.compile(r"<([^<>]*)>")


@dataclass(frozen=True)
class Route:
    """Where an answer goes: the conversation, the person, and Slack's handles for answering them."""

    channel: str = ""
    user: str = ""
    thread_ts: str = ""
    response_url: str = ""
    trigger_id: str = ""
    source_ephemeral: bool = False  # the button was on an only-you-can-see message (e.g. a /ted answer)
    message_ts: str = ""  # the (visible) message the button was on, for updating it in place

    def metadata(self) -> dict:
        """Routing that survives a modal (see slack_forms.wrap_metadata)."""
        return {"c": self.channel, "t": self.thread_ts, "r": self.response_url, "s": self.message_ts}


def plain_text_of(text: str, bot_user_id: str = "") -> str:
    """Slack's message text as the words a person sees: TED's own @mention dropped, a colleague's mention as
    "@name" ("@someone" when Slack gives no name), a channel as "#name", a broadcast as "@channel", a link as
    "label (url)" (or the bare url), and &amp; &lt; &gt; unescaped. Text a person typed that looks like markup
    arrives escaped from Slack, so after this it is just characters: handlers never see live markup."""

    def token(m: re.Match) -> str:
        inner = m.group(1)
        target, _, label = inner.partition("|")
        if target.startswith("@"):
            uid = target[1:]
            return "" if bot_user_id and uid == bot_user_id else "@" + (label or "someone")
        if target.startswith("#"):
            return "#" + (label or "channel")
        if target.startswith("!"):
            name = target[1:].split("^", 1)[0]
            return label if label else "@" + name
        if label and label != target:
            return f"{label} ({target})"
        return target

    out = _TOKEN.sub(token, valid_text(text if isinstance(text, str) else ""))
    out = out.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return re.sub(r"[ \t]{2,}", " ", out).strip()


def is_from_a_person(event: dict, bot_user_id: str = "") -> bool:
    if event.get("bot_id") or event.get("bot_profile") or event.get("subtype") not in PERSON_SUBTYPES:
        return False
    user = event.get("user", "")
    return isinstance(user, str) and bool(user) and user != bot_user_id


def message_from_event(event: dict, event_id: str, bot_user_id: str = "") -> tuple[Message, Route] | None:
    """A message.im or app_mention event as a Message, or None when TED should not answer it."""
    if not is_from_a_person(event, bot_user_id):
        return None
    channel = event.get("channel", "")
    if event.get("type") == "app_mention":
        surface, thread = MENTION, event.get("thread_ts") or event.get("ts", "")
    elif event.get("type") == "message" and (event.get("channel_type") == "im" or channel.startswith("D")):
        surface, thread = DM, event.get("thread_ts", "")
    else:
        return None
    text = plain_text_of(event.get("text", ""), bot_user_id)
    msg = Message(
        PLATFORM, event["user"], text, conversation_id=channel, thread_id=thread, surface=surface, event_id=event_id
    )
    return msg, Route(channel=channel, user=event["user"], thread_ts=thread)


def message_from_command(body: dict, bot_user_id: str = "") -> tuple[Message, Route]:
    user, channel = body.get("user_id", ""), body.get("channel_id", "")
    text = plain_text_of(body.get("text", ""), bot_user_id)
    msg = Message(PLATFORM, user, text, conversation_id=channel, surface=COMMAND, command=body.get("command", ""))
    return msg, Route(
        channel=channel,
        user=user,
        response_url=body.get("response_url", ""),
        trigger_id=body.get("trigger_id", ""),
        source_ephemeral=True,
    )


def _obj(value) -> dict:
    return value if isinstance(value, dict) else {}


def action_from_block_actions(body: dict) -> tuple[Action, Route] | None:
    """The first button pressed in a block_actions payload (Slack sends one at a time)."""
    acts = body.get("actions") or []
    if not isinstance(acts, list) or not acts or not isinstance(acts[0], dict):
        return None
    pressed = acts[0]
    user = _obj(body.get("user")).get("id", "")
    container = _obj(body.get("container"))
    message = _obj(body.get("message"))
    channel = _obj(body.get("channel")).get("id", "") or container.get("channel_id", "")
    thread = container.get("thread_ts") or message.get("thread_ts", "")
    ts = container.get("message_ts") or message.get("ts", "")
    value = pressed.get("value")
    if value is None:
        value = _obj(pressed.get("selected_option")).get("value", "")
    ephemeral = bool(container.get("is_ephemeral"))
    act = Action(
        PLATFORM,
        user,
        base_action_id(str(pressed.get("action_id", ""))),
        str(value or ""),
        conversation_id=channel,
        thread_id=thread,
        message_id=ts,
    )
    route = Route(
        channel=channel,
        user=user,
        thread_ts=thread,
        response_url=body.get("response_url", ""),
        trigger_id=body.get("trigger_id", ""),
        source_ephemeral=ephemeral,
        message_ts="" if ephemeral else ts,
    )
    return act, route


def action_from_view_submission(body: dict) -> tuple[Action, Route]:
    """A submitted modal as Action(action_id=form_id, value=the form's private_metadata, form=values)."""
    view = _obj(body.get("view"))
    user = _obj(body.get("user")).get("id", "")
    metadata, where = unwrap_metadata(str(view.get("private_metadata") or ""))
    values = form_values(_obj(view.get("state")))
    act = Action(
        PLATFORM,
        user,
        view.get("callback_id", ""),
        metadata,
        conversation_id=where.get("c", ""),
        thread_id=where.get("t", ""),
        form=values,
    )
    # A modal is private, so whatever answers it is private too (source_ephemeral).
    route = Route(
        channel=where.get("c", ""),
        user=user,
        thread_ts=where.get("t", ""),
        response_url=where.get("r", ""),
        trigger_id=body.get("trigger_id", ""),
        source_ephemeral=True,
        message_ts=where.get("s", ""),
    )
    return act, route
