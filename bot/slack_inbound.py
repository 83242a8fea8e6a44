"""Slack payloads -> TED's Message/Action, and where the answer should go. Pure functions.

Payload shapes: events https://docs.slack.dev/reference/events (message.im, app_mention),
slash commands https://docs.slack.dev/interactivity/implementing-slash-commands, block_actions and
view_submission https://docs.slack.dev/reference/interaction-payloads.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.model import COMMAND, DM, MENTION, Action, Message
from bot.slack_blocks import base_action_id, plain_text_of
from bot.slack_forms import form_values, unwrap_metadata

PLATFORM = "slack"
# Message subtypes that are a person saying something; everything else (bot_message, message_changed,
# message_deleted, channel_join…) is ignored: https://docs.slack.dev/reference/events/message#subtypes
PERSON_SUBTYPES = {None, "", "file_share", "thread_broadcast"}


@dataclass(frozen=True)
class Route:
    """Where an answer goes: the conversation, the person, and Slack's handles for answering them."""

    channel: str = ""
    user: str = ""
    thread_ts: str = ""
    response_url: str = ""
    trigger_id: str = ""
    source_ephemeral: bool = False  # the button was on an only-you-can-see message (e.g. a /ted answer)

    def metadata(self) -> dict:
        """Routing that survives a modal (see slack_forms.wrap_metadata)."""
        return {"c": self.channel, "t": self.thread_ts, "r": self.response_url}


def is_from_a_person(event: dict, bot_user_id: str = "") -> bool:
    if event.get("bot_id") or event.get("bot_profile") or event.get("subtype") not in PERSON_SUBTYPES:
        return False
    user = event.get("user", "")
    return bool(user) and user != bot_user_id


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
    msg = Message(PLATFORM, event["user"], text, conversation_id=channel, thread_id=thread, surface=surface,
                  event_id=event_id)
    return msg, Route(channel=channel, user=event["user"], thread_ts=thread)


def message_from_command(body: dict, bot_user_id: str = "") -> tuple[Message, Route]:
    user, channel = body.get("user_id", ""), body.get("channel_id", "")
    text = plain_text_of(body.get("text", ""), bot_user_id)
    msg = Message(PLATFORM, user, text, conversation_id=channel, surface=COMMAND, command=body.get("command", ""))
    return msg, Route(channel=channel, user=user, response_url=body.get("response_url", ""),
                      trigger_id=body.get("trigger_id", ""), source_ephemeral=True)


def action_from_block_actions(body: dict) -> tuple[Action, Route] | None:
    """The first button pressed in a block_actions payload (Slack sends one at a time)."""
    acts = body.get("actions") or []
    if not acts:
        return None
    pressed = acts[0]
    user = (body.get("user") or {}).get("id", "")
    container = body.get("container") or {}
    message = body.get("message") or {}
    channel = (body.get("channel") or {}).get("id", "") or container.get("channel_id", "")
    thread = container.get("thread_ts") or message.get("thread_ts", "")
    ts = container.get("message_ts") or message.get("ts", "")
    value = pressed.get("value")
    if value is None and pressed.get("selected_option"):
        value = pressed["selected_option"].get("value", "")
    act = Action(PLATFORM, user, base_action_id(pressed.get("action_id", "")), value or "",
                 conversation_id=channel, thread_id=thread, message_id=ts)
    route = Route(channel=channel, user=user, thread_ts=thread, response_url=body.get("response_url", ""),
                  trigger_id=body.get("trigger_id", ""), source_ephemeral=bool(container.get("is_ephemeral")))
    return act, route


def action_from_view_submission(body: dict) -> tuple[Action, Route]:
    """A submitted modal as Action(action_id=form_id, value=the form's private_metadata, form=values)."""
    view = body.get("view") or {}
    user = (body.get("user") or {}).get("id", "")
    metadata, where = unwrap_metadata(view.get("private_metadata", ""))
    values = form_values(view.get("state") or {})
    act = Action(PLATFORM, user, view.get("callback_id", ""), metadata, conversation_id=where.get("c", ""),
                 thread_id=where.get("t", ""), form=values)
    # A modal is private, so whatever answers it is private too (source_ephemeral).
    route = Route(channel=where.get("c", ""), user=user, thread_ts=where.get("t", ""),
                  response_url=where.get("r", ""), trigger_id=body.get("trigger_id", ""), source_ephemeral=True)
    return act, route
