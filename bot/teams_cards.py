"""Reply -> Adaptive Card 1.5 for Microsoft Teams. Pure functions: no botbuilder, no I/O.

Teams renders a markdown subset in TextBlock text (https://learn.microsoft.com/microsoftteams/platform/
task-modules-and-cards/cards/cards-format), so everything that came from a person or a policy passes
through `md()`: emphasis, code, links and list/heading markers show as typed, and ``{{`` cannot start
Teams' DATE()/TIME() substitution. Labels, choice titles and button titles are plain text in Adaptive
Cards, so they are only cut to length.

Every Action.Submit carries ``{"action_id", "value"}`` plus a single-use ``nonce`` (bot.teams_bot
records it on first use, so a double click or a replayed submit acts once), and on a form card
``form: true`` and the ``origin`` card the form was opened from (so the result can update that card).
"""

from __future__ import annotations

import re

from bot.model import Button, Form, FormField, Reply
from knowledge.answer import Citation

CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
VERSION = "1.5"
RESERVED = frozenset({"action_id", "value", "nonce", "origin", "form"})  # Submit data keys; never input ids
MAX_TEXT = 4000  # a TextBlock; Teams caps a whole message at about 28 KB
MAX_TITLE = 80
MAX_ACTIONS = 6  # Teams shows at most six actions in one set
SEE_ALSO_CHARS = 300
SUMMARY_PREFIX = "In short:"  # knowledge.answer writes the clause's plain-English summary as this paragraph
STYLES = {"primary": "positive", "danger": "destructive"}
WARNINGS = ("🚨", "⚠️")

_INLINE = re.compile(r"([\\`*_~\[\]<>|])")
_LINE_START = re.compile(r"^([ \t]*)([#+\-=])(?=[\s#+\-=]|$)", re.MULTILINE)  # headings, bullets, rules
_NUMBERED = re.compile(r"^([ \t]*\d{1,9})([.)])(?=\s|$)", re.MULTILINE)  # "1. " starts a numbered list


def md(text: str) -> str:
    """Text shown exactly as written inside a TextBlock (markdown and date functions neutralised)."""
    text = _INLINE.sub(r"\\\1", text)
    text = _LINE_START.sub(lambda m: f"{m.group(1)}\\{m.group(2)}", text)
    text = _NUMBERED.sub(lambda m: f"{m.group(1)}\\{m.group(2)}", text)
    return text.replace("{{", "{\u200b{")


def cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip("\\") + "…"


def text_block(text: str, **props) -> dict:
    return {"type": "TextBlock", "text": cut(text, MAX_TEXT) or " ", "wrap": True, **props}


def paragraphs(text: str, bold_first: bool = False) -> list[dict]:
    """Plain text as TextBlocks: one per line, paragraphs spaced apart (markdown would fold single newlines).
    Warning lines (🚨, ⚠️) are shown as warnings; with `bold_first`, the first other line is the heading."""
    out: list[dict] = []
    for para in text.strip().split("\n\n"):
        for n, line in enumerate(para.split("\n")):
            props: dict = {}
            if out:
                props["spacing"] = "Medium" if n == 0 else "None"
            if line.startswith(WARNINGS):
                props |= {"color": "Attention", **({"weight": "Bolder"} if line.startswith("🚨") else {})}
            elif bold_first:
                props["weight"], bold_first = "Bolder", False
            out.append(text_block(md(line), **props))
    return out


def _data(action_id: str, value: str, nonce: str, n: int, **extra) -> dict:
    data = {"action_id": action_id, "value": value, **extra}
    if nonce:
        data["nonce"] = f"{nonce}-{n}"
    return data


def submit(b: Button, nonce: str, n: int) -> dict:
    out = {"type": "Action.Submit", "title": cut(b.label, MAX_TITLE), "data": _data(b.action_id, b.value, nonce, n)}
    if b.style in STYLES:
        out["style"] = STYLES[b.style]
    return out


def card(body: list[dict], actions: list[dict] | None = None) -> dict:
    out = {"type": "AdaptiveCard", "$schema": SCHEMA, "version": VERSION, "msteams": {"width": "Full"},
           "body": body or [text_block(" ")]}
    if actions:
        out["actions"] = actions[:MAX_ACTIONS]
    return out


def attachment(content: dict) -> dict:
    return {"contentType": CONTENT_TYPE, "content": content}


# -- answers and notifications -----------------------------------------------------------------
def _where(c: Citation) -> str:
    return f"{c.doc_title or c.doc}{', ' + c.version if c.version else ''}"


def _summary(text: str) -> str:
    for para in text.split("\n\n"):
        if para.startswith(SUMMARY_PREFIX):
            return para[len(SUMMARY_PREFIX):].strip()
    return ""


def _citation_body(reply: Reply) -> list[dict]:
    c = reply.citations[0]
    body = [text_block(md(c.label), weight="Bolder", size="Medium"),
            text_block(md(_where(c)), isSubtle=True, spacing="None"),
            {"type": "Container", "style": "emphasis", "items": [text_block(md(f"“{c.text}”"))]}]
    if summary := _summary(reply.text):
        body.append(text_block(f"**In short:** {md(summary)}"))
    for s in reply.see_also:
        more = "…" if len(s.text) > SEE_ALSO_CHARS else ""
        body += [text_block(f"**See also {md(s.label)}**", spacing="Medium"),
                 text_block(md(f"“{s.text[:SEE_ALSO_CHARS]}{more}”"), isSubtle=True, spacing="None")]
    return body


def reply_card(reply: Reply, nonce: str = "") -> dict:
    """An answer, a notification or a plain message as an Adaptive Card."""
    if reply.form is not None:
        return form_card(reply.form, reply.text, nonce)
    n = 0
    if reply.citations:
        body = _citation_body(reply)
    else:
        body = paragraphs(reply.text, bold_first=bool(reply.meta.get("template")))
    if reply.choices:
        choices = []
        for b in reply.choices[:MAX_ACTIONS]:
            choices.append(submit(b, nonce, n))
            n += 1
        body += [text_block("**Did you mean…**", spacing="Medium"), {"type": "ActionSet", "actions": choices}]
    actions: list[dict] = []
    if reply.citations and reply.link.startswith(("https://", "http://")):
        c = reply.citations[0]
        actions.append({"type": "Action.OpenUrl", "title": cut(f"Read {c.clause} in the {_where(c)}", MAX_TITLE),
                        "url": reply.link})
    for b in reply.buttons:
        actions.append(submit(b, nonce, n))
        n += 1
    return card(body, actions)


# -- forms ---------------------------------------------------------------------------------------
def _input(f: FormField, files_note: str) -> list[dict]:
    base = {"id": f.name, "label": cut(f.label, MAX_TITLE)}
    if f.required:
        base |= {"isRequired": True, "errorMessage": "Required"}
    if f.kind in ("select", "multiselect"):
        item = {"type": "Input.ChoiceSet", **base, "style": "compact",
                "choices": [{"title": cut(label, MAX_TITLE), "value": value} for value, label in f.options]}
        if f.kind == "multiselect":
            item["isMultiSelect"] = True
    elif f.kind == "date":
        item = {"type": "Input.Date", **base}
    elif f.kind == "checkbox":
        item = {"type": "Input.Toggle", **base, "title": cut(f.label, MAX_TITLE), "valueOn": "yes", "valueOff": "no",
                "value": "yes" if f.value in ("yes", "true", "1") else "no"}
    elif f.kind == "file":  # Adaptive Cards have no file input; say where screenshots go instead
        return [text_block(f"**{md(f.label)}**", spacing="Medium"), text_block(md(files_note), isSubtle=True,
                                                                              spacing="None")]
    else:
        item = {"type": "Input.Text", **base, "maxLength": f.max_length}
        if f.kind == "multiline":
            item["isMultiline"] = True
        elif f.kind == "url":
            item["style"] = "Url"
    if f.value and f.kind != "checkbox":
        item["value"] = f.value
    out = [item]
    if f.hint:
        out.append(text_block(md(f.hint), isSubtle=True, size="Small", spacing="None"))
    return out


def form_card(form: Form, intro: str = "", nonce: str = "", origin: str = "", files_note: str = "") -> dict:
    """A bot.model.Form as input elements; errors from validation appear under their fields."""
    clash = RESERVED & {f.name for f in form.fields}
    if clash:
        raise ValueError(f"form field names clash with Action.Submit data: {sorted(clash)}")
    body = [text_block(md(form.title), weight="Bolder", size="Medium")]
    if intro.strip():
        body += paragraphs(intro)
    if form.errors:
        body.append(text_block("Please check the highlighted answers below.", color="Attention"))
    for f in form.fields:
        body += _input(f, files_note)
        if f.name in form.errors:
            body.append(text_block(f"⚠️ {md(str(form.errors[f.name]))}", color="Attention", spacing="None"))
    extra = {"form": True, **({"origin": origin} if origin else {})}
    data = _data(form.form_id, form.private_metadata, nonce, 0, **extra)
    return card(body, [{"type": "Action.Submit", "title": cut(form.submit_label, MAX_TITLE), "style": "positive",
                        "data": data}])
