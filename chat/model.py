"""The platform-neutral message model: what comes in (a message or an action) and what goes out.

Adapters translate platform payloads to these at the edge and render replies back with the
pure renderers; handlers only ever see these types.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from knowledge.answer import Citation, plain_text

# Surfaces a message can arrive on.
DM, MENTION, COMMAND, WEB, TERMINAL = "dm", "mention", "command", "web", "terminal"


@dataclass(frozen=True)
class Message:
    """Someone said something to TED."""

    platform: str  # slack | teams | web | terminal
    user_id: str  # the platform's id for the person
    text: str
    conversation_id: str = ""  # channel / chat / DM id
    thread_id: str = ""  # thread (Slack thread_ts, Teams reply chain); "" for none
    surface: str = DM
    command: str = ""  # "/ted", "/report" when it came as a slash command
    event_id: str = ""  # the platform's delivery id, for de-duplication


@dataclass(frozen=True)
class Action:
    """Someone pressed a button or submitted a form."""

    platform: str
    user_id: str
    action_id: str  # one of chat.actions.*
    value: str = ""
    conversation_id: str = ""
    thread_id: str = ""
    message_id: str = ""  # the message the button was on (Slack ts, Teams activity id)
    form: dict = field(default_factory=dict, hash=False, compare=False)


@dataclass(frozen=True)
class Button:
    action_id: str
    label: str
    value: str = ""
    style: str = ""  # "" | primary | danger


@dataclass(frozen=True)
class FormField:
    name: str
    label: str
    kind: str = "text"  # text | multiline | select | multiselect | people | url | date | checkbox | file
    # (value, label); for "people", (email, name) from the staff directory (Slack's picker returns user ids)
    options: tuple[tuple[str, str], ...] = ()
    required: bool = False
    value: str = ""
    hint: str = ""
    max_length: int = 3000


@dataclass(frozen=True)
class Form:
    form_id: str
    title: str
    fields: tuple[FormField, ...]
    submit_label: str = "Submit"
    private_metadata: str = ""
    errors: dict = field(default_factory=dict, hash=False, compare=False)  # field name -> message


@dataclass(frozen=True)
class Reply:
    """What TED says back. Renderers turn it into Block Kit, an Adaptive Card or web JSON.

    A policy answer's clause is data (its citation's heading and quote, `summary`, `see_also`) that each renderer
    lays out its own way; `text` holds only TED's words besides, and `plain_text` puts the two together where a
    platform wants one plain string (notification text, the web reply's `text`)."""

    text: str  # TED's own words
    intent: str = ""
    citations: tuple[Citation, ...] = ()
    summary: str = ""  # the top clause's plain-English summary ("In short: …")
    see_also: tuple[Citation, ...] = ()
    also: tuple[Citation, ...] = ()  # clauses that complete the answer, each shown as a card ("Also relevant")
    choices: tuple[Button, ...] = ()  # "Did you mean" alternatives
    buttons: tuple[Button, ...] = ()  # feedback, report this, share
    form: Form | None = None
    ephemeral: bool = False  # only the asker sees it (Slack /ted)
    in_thread: bool = False  # answer in the thread of the message (Slack mention)
    link: str = ""  # the policy view of the top citation
    # -- what an answer is about (handlers.ask) --
    asked_id: int = 0  # the asked-question row it answers, which feedback and Share refer to; 0 for none
    confidence: float = 0.0  # how sure the answer is (0-1); kept with the reply, never shown
    shared_by: str = ""  # the platform user id of whoever shared this answer into the channel
    question: str = ""  # the question a shared answer answers, shown beside "Shared by"
    # -- what a report message is about (handlers.reports) --
    report_ref: str = ""  # the report it is about ("TED-2026-0042")
    report_refs: tuple[str, ...] = ()  # the reports a status list shows
    report_status: str = ""  # the report's status when the message was made (open | acknowledged | resolved)
    template: str = ""  # which recipient message it is (new_report, reminder, …); its first line is a heading
    changed: bool | None = None  # after a recipient's button: whether it changed the report; None otherwise
    replace_original: bool = False  # update the message whose button was pressed instead of posting a new one
    refused: bool = False  # the person may not do what they pressed: nothing changed (Teams keeps the card usable)
    panel: bool = False  # show it on its own where the platform has a dialog (Slack: a modal), e.g. report details
    links: tuple[str, ...] = ()  # links a reporter gave (http/https only), shown clickable where that is safe
    images: tuple[tuple[str, str], ...] = ()  # (name, path) of screenshots stored by the web chat (/uploads/…)

    @property
    def plain_text(self) -> str:
        """The whole reply as plain text, the same words `ted ask` prints for the answer."""
        return plain_text(self.intent, self.text, self.citations, self.summary, self.see_also, self.also)
