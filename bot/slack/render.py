"""Reply -> Block Kit message, the App Home view, and Slack's text format out. Pure functions.
(Slack's markup *in* is resolved in bot.slack.inbound.plain_text_of.)

Everything that came from a person or a policy is escaped for mrkdwn (``&``, ``<``, ``>``) so that
``<!channel>``, ``<!here>``, ``<@U…>`` and ``<url|label>`` can never be rendered live:
https://docs.slack.dev/messaging/formatting-message-text#escaping — and every mrkdwn object is
``verbatim`` (no auto-linking of URLs, channel names or bare @mentions). What a person wrote and TED
echoes (a shared question, a report's account, links and description) is also made inert where Slack
might still auto-link it, e.g. in notifications: ``@`` gets a zero-width joiner, URLs become `code`.
Lengths are cut to Block Kit's limits (https://docs.slack.dev/reference/block-kit/blocks):
3,000 characters a section, 50 blocks a message, 75 a button label, 2,000 a button value.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from chat.model import Button, Reply
from knowledge.answer import ALSO_LABEL, SEE_ALSO_CHARS, SUMMARY_LABEL

MAX_SECTION = 3000
MAX_BLOCKS = 50
MAX_CONTEXT = 3000
MAX_HEADER = 150
MAX_BUTTON_LABEL = 75
MAX_BUTTON_VALUE = 2000
MAX_ACTION_ID = 255
MAX_ACTIONS_PER_BLOCK = 25
MAX_TEXT = 40000  # chat.postMessage truncates `text` beyond this
DUPLICATE_SUFFIX = re.compile(r"#\d+$")  # Slack wants action_ids unique in a block; "#n" tells them apart
_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,20}$")
# A URL (up to its last non-punctuation character), or an "@" that starts a word (not an e-mail's).
_LIVE = re.compile(
    r"(?P<url>(?i:\b(?:[a-z][a-z0-9+.-]*://|www\.|mailto:))[^\s`<>]*[^\s`<>.,;:!?)\]}'\"”’])"
    r"|(?<![\w.+-])@(?=\w)"
)
ZWJ = "\u200d"
_SURROGATE = re.compile("[\ud800-\udfff]")


# -- text out ---------------------------------------------------------------------------------
def escape(text: str) -> str:
    """Make any text safe inside mrkdwn: mentions, links and broadcasts show as typed, never live."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def inert(text: str) -> str:
    """A person's words as they wrote them, but unable to mention or link anyone wherever Slack shows them:
    a zero-width joiner follows an "@" that starts a word ("@here"), and a URL is shown as `code`
    (copyable, never a live link)."""
    return _LIVE.sub(lambda m: f"`{m['url']}`" if m["url"] else "@" + ZWJ, text)


def cut(text: str, limit: int) -> str:
    """At most `limit` characters, ending in "…" when cut (never in the middle of an escape like &amp;)."""
    if len(text) <= limit:
        return text
    return re.sub(r"&[a-z]{0,4}$", "", text[: limit - 1]) + "…"


def plain(text: str, limit: int = MAX_SECTION) -> dict:
    return {"type": "plain_text", "text": cut(text, limit) or " ", "emoji": True}


def mrkdwn(text: str, limit: int = MAX_SECTION) -> dict:
    """A mrkdwn text object; verbatim, so Slack links only what TED wrote as <…> itself."""
    return {"type": "mrkdwn", "text": cut(text, limit) or " ", "verbatim": True}


def section(text: str) -> dict:
    return {"type": "section", "text": mrkdwn(text)}


def quote(text: str) -> str:
    return "\n".join("> " + line if line else ">" for line in escape(text).split("\n"))


def sections(text: str) -> list[dict]:
    """Escaped text as sections of at most 3,000 characters, split between paragraphs where possible."""
    out: list[dict] = []
    chunk = ""
    for para in escape(text.strip()).split("\n\n"):
        while len(para) > MAX_SECTION:
            if chunk:
                out.append(section(chunk))
                chunk = ""
            head = cut(para, MAX_SECTION)[:-1]
            out.append(section(head + "…"))
            para = "…" + para[len(head) :]
        candidate = f"{chunk}\n\n{para}" if chunk else para
        if len(candidate) > MAX_SECTION:
            out.append(section(chunk))
            candidate = para
        chunk = candidate
    if chunk:
        out.append(section(chunk))
    return out


def safe_url(url: str) -> str:
    """A URL that cannot break out of Slack's <url|label> syntax."""
    return url.replace("&", "&amp;").replace("<", "%3C").replace(">", "%3E").replace("|", "%7C")


def button(b: Button, action_id: str | None = None) -> dict:
    out = {
        "type": "button",
        "action_id": (action_id or b.action_id)[:MAX_ACTION_ID],
        "text": plain(b.label, MAX_BUTTON_LABEL),
        "value": b.value[:MAX_BUTTON_VALUE],
    }
    if b.style in ("primary", "danger"):
        out["style"] = b.style
    return out


def actions_block(buttons: Iterable[Button]) -> list[dict]:
    """Buttons in actions blocks of at most 25, action_ids made unique within each block."""
    out = []
    items = list(buttons)
    for start in range(0, len(items), MAX_ACTIONS_PER_BLOCK):
        group = items[start : start + MAX_ACTIONS_PER_BLOCK]
        seen: dict[str, int] = {}
        elements = []
        for b in group:
            n = seen.get(b.action_id, 0)
            seen[b.action_id] = n + 1
            elements.append(button(b, b.action_id if n == 0 else f"{b.action_id}#{n}"))
        out.append({"type": "actions", "elements": elements})
    return out


def base_action_id(action_id: str) -> str:
    """The action id a button was made from (undoing the "#n" added to tell duplicates apart)."""
    return DUPLICATE_SUFFIX.sub("", action_id)


# -- replies ----------------------------------------------------------------------------------
def _citation_blocks(reply: Reply) -> list[dict]:
    c = reply.citations[0]
    # A direct first line: the plain-English summary leads, the clause it rests on follows.
    blocks = [section(f"*{SUMMARY_LABEL}* {escape(reply.summary)}")] if reply.summary else []
    blocks += [section(f"*{escape(c.label)}*\n{escape(c.where)}"), section(quote(c.text))]
    for a in reply.also:
        blocks += [section(f"*{ALSO_LABEL} {escape(a.label)}*"), section(quote(a.text))]
    if reply.link:
        blocks.append(
            {
                "type": "context",
                "elements": [
                    mrkdwn(f"<{safe_url(reply.link)}|Read {escape(c.clause)} in the {escape(c.where)}>", MAX_CONTEXT)
                ],
            }
        )
    for s in reply.see_also:
        more = "…" if len(s.text) > SEE_ALSO_CHARS else ""
        blocks.append(section(f"*See also {escape(s.label)}*\n{quote(s.text[:SEE_ALSO_CHARS] + more)}"))
    return blocks


def _shared_by(reply: Reply) -> list[dict]:
    user = reply.shared_by
    if not _USER_ID.match(user):
        return []
    text = f"Shared by <@{user}>"  # a mention we build from Slack's own user id, so it may be live
    if question := reply.question:
        text += f" · asked: “{escape(inert(cut(question, 500)))}”"
    return [{"type": "context", "elements": [mrkdwn(text, MAX_CONTEXT)]}]


def _written_by_people(reply: Reply) -> bool:
    """Report messages carry what a reporter wrote (account, links, description, notes)."""
    return reply.intent == "report" or bool(reply.report_ref)


def reply_message(reply: Reply) -> dict:
    """A Reply as chat.postMessage arguments: `text` (notifications, screen readers) and `blocks`."""
    text = inert(reply.plain_text) if _written_by_people(reply) else reply.plain_text
    body = _shared_by(reply)
    body += _citation_blocks(reply) if reply.citations else sections(text)
    tail: list[dict] = []
    if reply.choices:
        tail.append(section("*Did you mean…*"))
        tail += actions_block(reply.choices)
    if reply.buttons:
        tail += actions_block(reply.buttons)
    room = MAX_BLOCKS - len(tail)
    if len(body) > room:
        body = body[: room - 1] + [{"type": "context", "elements": [mrkdwn("…(shortened for Slack)")]}]
    return {"text": cut(escape(text), MAX_TEXT) or " ", "blocks": body + tail}


# -- App Home ---------------------------------------------------------------------------------
def home_view(intro: str, how_to_ask: str, how_to_report: str, policies: Iterable[str] = ()) -> dict:
    """The App Home tab: what TED can do and how to report (https://docs.slack.dev/surfaces/app-home)."""
    blocks = [{"type": "header", "text": plain("TED — the council's policy assistant", MAX_HEADER)}]
    blocks += sections(intro)
    blocks += [
        {"type": "divider"},
        section("*Asking a question*"),
        *sections(how_to_ask),
        {"type": "divider"},
        section("*Reporting abuse or disparaging content*"),
        *sections(how_to_report),
    ]
    names = [escape(p) for p in policies]
    if names:
        blocks.append({"type": "context", "elements": [mrkdwn("Policies I know: " + "; ".join(names), MAX_CONTEXT)]})
    return {"type": "home", "blocks": blocks[:100]}


# -- text in ----------------------------------------------------------------------------------
def valid_text(text: str) -> str:
    """Text that can be stored and sent: a lone surrogate (JSON "\\ud800" from a broken client) becomes U+FFFD."""
    return _SURROGATE.sub("\ufffd", text)
