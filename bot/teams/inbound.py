"""Teams activities -> TED's Message and Action (chat.model). Pure translation; nothing is sent from here.

- Handlers get plain text: Teams' markup is resolved here, at the edge (plain_text_of). Personal chat is a DM;
  in a channel or group chat Teams only delivers messages that @mention TED, and that mention (``<at>TED</at>``,
  described by the activity's mention entities) is dropped; a colleague's mention keeps just their name, and
  HTML entities (``&amp;``, ``&nbsp;``) become the characters they stand for
  (https://learn.microsoft.com/microsoftteams/platform/bots/how-to/conversations/channel-and-group-conversations).
- A reply chain in a channel arrives as ``19:…@thread.tacv2;messageid=<root>``; the root id is the thread.
- People are known by their Entra (AAD) object id when Teams gives it, else by their Teams id (``29:…``);
  ``people.teams_user_id`` in the staff directory may hold either, so bot.teams.turns passes the one the
  directory knows as ``user_id``.
- An Adaptive Card Action.Submit arrives as a message whose ``value`` is the submit data merged with the
  card's inputs (https://learn.microsoft.com/microsoftteams/platform/task-modules-and-cards/cards/
  cards-actions#adaptive-cards-actions).

Activities arrive here as bot.teams.activity.TeamsActivity (the wire JSON), whichever SDK carried them.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from bot.teams.activity import PERSONAL, TeamsActivity, text
from bot.teams.render import RESERVED
from chat.model import DM, MENTION, Action, Message

NOT_INPUTS = frozenset({"screenshots"})  # form fields no Adaptive Card input can set

PLATFORM = "teams"
_THREAD = re.compile(r";messageid=(\d+)$")
_AT_TAG = re.compile(r"<at[^>]*>(.*?)</at>", re.IGNORECASE | re.DOTALL)
_REPORT = re.compile(r"^/?report\b[\s:,-]*(.*)$", re.IGNORECASE | re.DOTALL)
_TED = re.compile(r"^/ted\b\s*", re.IGNORECASE)


@dataclass(frozen=True)
class Submit:
    action: Action
    nonce: str
    origin: str  # the card a form was opened from ("" when none)
    is_form: bool
    sig: str = ""  # TED's signature over the above (bot.teams.tokens)


def split_conversation(conversation_id: str) -> tuple[str, str]:
    """(the conversation or channel id, the reply chain's root id or "")."""
    m = _THREAD.search(conversation_id or "")
    return (conversation_id[: m.start()], m.group(1)) if m else (conversation_id or "", "")


def user_key(activity: TeamsActivity) -> str:
    who = activity.sender
    return text(who.get("aadObjectId")) or text(who.get("id"))


def plain_text_of(activity: TeamsActivity) -> str:
    """The activity's text as the words a person sees: TED's own @mention(s) dropped, a colleague's mention as
    their display name, HTML entities unescaped (after the tags are gone, so a typed "&lt;at&gt;" stays text)."""
    out = activity.text
    for mention in activity.entities:
        mentioned = mention.get("mentioned") if isinstance(mention.get("mentioned"), dict) else {}
        tag = text(mention.get("text"))
        if mention.get("type") == "mention" and tag and mentioned.get("id") == activity.bot_id:
            out = out.replace(tag, " ")
    out = _AT_TAG.sub(lambda m: m.group(1), out)  # anyone else mentioned: keep the name, drop the tag
    return " ".join(html.unescape(out).replace("\xa0", " ").split())


def message_from_activity(activity: TeamsActivity, user_id: str | None = None) -> Message | None:
    """A typed message to TED; its text is "" for a bare @TED or an attachment on its own (TED says what it
    can do). None for another app's card submit, which is not TED's to answer."""
    if activity.value is not None:
        return None
    said = plain_text_of(activity)
    base, thread = split_conversation(activity.conversation_id)
    surface = DM if activity.conversation_type == PERSONAL else MENTION
    command = ""
    if m := _REPORT.match(said):
        command, said = "/report", m.group(1).strip()
    elif _TED.match(said):
        command, said = "/ted", _TED.sub("", said)
    return Message(
        platform=PLATFORM,
        user_id=user_key(activity) if user_id is None else user_id,
        text=said,
        conversation_id=base,
        thread_id=thread,
        surface=surface,
        command=command,
        event_id=activity.id,
    )


def submit_from_activity(activity: TeamsActivity, user_id: str | None = None) -> Submit | None:
    """A card's Action.Submit as an Action, or None when the value is not one of TED's cards."""
    data = activity.value
    if not isinstance(data, dict) or not isinstance(data.get("action_id"), str):
        return None
    if not data["action_id"].startswith("ted."):
        return None
    base, thread = split_conversation(activity.conversation_id)
    # A card's inputs only: Adaptive Cards have no file input, so a "screenshots" key is never one of TED's
    # (only an adapter that checked who uploaded a file may attach it: bot.web.uploads, Slack's own files).
    form = {k: v for k, v in data.items() if k not in RESERVED | NOT_INPUTS} if data.get("form") else {}
    value = data.get("value", "")
    act = Action(
        platform=PLATFORM,
        user_id=user_key(activity) if user_id is None else user_id,
        action_id=data["action_id"],
        value=value if isinstance(value, str) else str(value),
        conversation_id=base,
        thread_id=thread,
        message_id=activity.reply_to_id,
        form=form,
    )
    return Submit(
        act,
        str(data.get("nonce") or ""),
        str(data.get("origin") or ""),
        bool(data.get("form")),
        str(data.get("sig") or ""),
    )
