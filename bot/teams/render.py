"""Reply -> Adaptive Card 1.5 for Microsoft Teams. Pure functions: no botbuilder, no I/O.

Teams renders a markdown subset in TextBlock text (https://learn.microsoft.com/microsoftteams/platform/
task-modules-and-cards/cards/cards-format), and escaping it with backslashes leaves the backslashes showing in
some Teams clients. So everything that came from a person or a policy goes in a RichTextBlock's TextRun, which
Adaptive Cards never read as markdown (https://adaptivecards.io/explorer/TextRun.html): it shows exactly as
written, and ``{{`` is broken up so it cannot start Teams' DATE()/TIME() substitution. TextBlock is kept for
TED's own fixed words. Labels, choice titles and button titles are plain text, so they are only cut to length.

Every Action.Submit carries ``{"action_id", "value"}`` plus a single-use ``nonce`` (bot.teams.tokens signs it,
bot.teams.turns records it on first use, so a double click or a replayed submit acts once), and on a form card
``form: true`` and the ``origin`` card the form was opened from (so the result can update that card).
"""

from __future__ import annotations

import re

from chat.model import Button, Form, FormField, Reply
from knowledge.answer import ALSO_LABEL, SEE_ALSO_CHARS, SUMMARY_LABEL

CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
VERSION = "1.5"
RESERVED = frozenset({"action_id", "value", "nonce", "sig", "origin", "form"})  # Submit data keys; never input ids
MAX_TEXT = 4000  # a TextBlock or TextRun; Teams caps a whole message at about 28 KB
MAX_TITLE = 80
MAX_ACTIONS = 6  # Teams shows at most six actions in one set
MAX_PEOPLE = 150  # "Who is involved?" choices: a card must stay under Teams' ~28 KB (about 80 bytes a person)
STYLES = {"primary": "positive", "danger": "destructive"}
WARNINGS = ("🚨", "⚠️")
_BRACES = re.compile(r"\{(?=\{)")  # "{{" can start DATE()/TIME(); "{{{" holds two of them


def safe(text: str) -> str:
    """Text for a TextRun: shown as written, except that ``{{`` cannot start a DATE()/TIME() function."""
    return _BRACES.sub("{\u200b", text)


def cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def text_block(text: str, **props) -> dict:
    """TED's own words (markdown allowed): never anything a person or a policy wrote."""
    return {"type": "TextBlock", "text": cut(text, MAX_TEXT) or " ", "wrap": True, **props}


def run(text: str, **props) -> dict:
    return {"type": "TextRun", "text": cut(safe(text), MAX_TEXT) or " ", **props}


def rich(*runs: dict | str, spacing: str | None = None, **props) -> dict:
    """A RichTextBlock of TextRuns (strings become plain runs); `props` style a single run."""
    inlines = [run(r, **props) if isinstance(r, str) else r for r in runs]
    return {"type": "RichTextBlock", "inlines": inlines, **({"spacing": spacing} if spacing else {})}


def paragraphs(text: str, bold_first: bool = False) -> list[dict]:
    """Plain text as RichTextBlocks: one per line, paragraphs spaced apart (markdown would fold single newlines).
    Warning lines (🚨, ⚠️) are shown as warnings; with `bold_first`, the first other line is the heading."""
    out: list[dict] = []
    for para in text.strip().split("\n\n"):
        for n, line in enumerate(para.split("\n")):
            props: dict = {}
            spacing = ("Medium" if n == 0 else "None") if out else None
            if line.startswith(WARNINGS):
                props |= {"color": "Attention", **({"weight": "Bolder"} if line.startswith("🚨") else {})}
            elif bold_first:
                props["weight"], bold_first = "Bolder", False
            out.append(rich(line, spacing=spacing, **props))
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
    out = {
        "type": "AdaptiveCard",
        "$schema": SCHEMA,
        "version": VERSION,
        "msteams": {"width": "Full"},
        "body": body or [text_block(" ")],
    }
    if actions:
        out["actions"] = actions[:MAX_ACTIONS]
    return out


def attachment(content: dict) -> dict:
    return {"contentType": CONTENT_TYPE, "content": content}


# -- answers and notifications -----------------------------------------------------------------
def _citation_body(reply: Reply) -> list[dict]:
    c = reply.citations[0]
    # A direct first line: the plain-English summary leads, the clause it rests on follows.
    body = [rich(run(f"{SUMMARY_LABEL} ", weight="Bolder"), reply.summary)] if reply.summary else []
    body += [
        rich(c.label, weight="Bolder", size="Medium"),
        rich(c.where, spacing="None", isSubtle=True),
        {"type": "Container", "style": "emphasis", "items": [rich(f"“{c.text}”")]},
    ]
    for a in reply.also:
        body += [
            rich(f"{ALSO_LABEL} {a.label}", spacing="Medium", weight="Bolder"),
            {"type": "Container", "style": "emphasis", "items": [rich(f"“{a.text}”")]},
        ]
    for s in reply.see_also:
        more = "…" if len(s.text) > SEE_ALSO_CHARS else ""
        body += [
            rich(f"See also {s.label}", spacing="Medium", weight="Bolder"),
            rich(f"“{s.text[:SEE_ALSO_CHARS]}{more}”", spacing="None", isSubtle=True),
        ]
    return body


def reply_card(reply: Reply, nonce: str = "") -> dict:
    """An answer, a notification or a plain message as an Adaptive Card."""
    if reply.form is not None:
        return form_card(reply.form, reply.text, nonce)
    n = 0
    if reply.citations:
        body = _citation_body(reply)
    else:
        body = paragraphs(reply.text, bold_first=bool(reply.template))
    if reply.choices:
        choices = []
        for b in reply.choices[:MAX_ACTIONS]:
            choices.append(submit(b, nonce, n))
            n += 1
        body += [text_block("**Did you mean…**", spacing="Medium"), {"type": "ActionSet", "actions": choices}]
    actions: list[dict] = []
    if reply.citations and reply.link.startswith(("https://", "http://")):
        c = reply.citations[0]
        actions.append(
            {"type": "Action.OpenUrl", "title": cut(f"Read {c.clause} in the {c.where}", MAX_TITLE), "url": reply.link}
        )
    for b in reply.buttons:
        actions.append(submit(b, nonce, n))
        n += 1
    return card(body, actions)


# -- forms ---------------------------------------------------------------------------------------
def _input(f: FormField, files_note: str) -> list[dict]:
    base = {"id": f.name, "label": cut(f.label, MAX_TITLE)}
    if f.required:
        base |= {"isRequired": True, "errorMessage": "Required"}
    if f.kind in ("select", "multiselect", "people"):
        # A multi-select's answer comes back as its values joined with ","; "people" are the directory's.
        # A list of people (involved, reassign to) is cut to keep the card within Teams' size; the web lists all.
        options = f.options[:MAX_PEOPLE] if f.kind == "people" or len(f.options) > MAX_PEOPLE else f.options
        item = {
            "type": "Input.ChoiceSet",
            **base,
            "style": "compact",
            "placeholder": "Choose…",
            "choices": [{"title": cut(label, MAX_TITLE), "value": value} for value, label in options],
        }
        if f.kind in ("multiselect", "people"):
            item["isMultiSelect"] = True
    elif f.kind == "date":
        item = {"type": "Input.Date", **base}
    elif f.kind == "checkbox":
        item = {
            "type": "Input.Toggle",
            **base,
            "title": cut(f.label, MAX_TITLE),
            "valueOn": "yes",
            "valueOff": "no",
            "value": "yes" if f.value in ("yes", "true", "1") else "no",
        }
    elif f.kind == "file":  # Adaptive Cards have no file input; say where screenshots go instead
        return [rich(f.label, spacing="Medium", weight="Bolder"), rich(files_note, spacing="None", isSubtle=True)]
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
        out.append(rich(f.hint, spacing="None", isSubtle=True, size="Small"))
    return out


def form_card(form: Form, intro: str = "", nonce: str = "", origin: str = "", files_note: str = "") -> dict:
    """A chat.model.Form as input elements; errors from validation appear under their fields."""
    clash = RESERVED & {f.name for f in form.fields}
    if clash:
        raise ValueError(f"form field names clash with Action.Submit data: {sorted(clash)}")
    body = [rich(form.title, weight="Bolder", size="Medium")]
    if intro.strip():
        body += paragraphs(intro)
    if form.errors:
        body.append(text_block("Please check the highlighted answers below.", color="Attention"))
    for f in form.fields:
        body += _input(f, files_note)
        if f.name in form.errors:
            body.append(rich(f"⚠️ {form.errors[f.name]}", spacing="None", color="Attention"))
    extra = {"form": True, **({"origin": origin} if origin else {})}
    data = _data(form.form_id, form.private_metadata, nonce, 0, **extra)
    return card(
        body, [{"type": "Action.Submit", "title": cut(form.submit_label, MAX_TITLE), "style": "positive", "data": data}]
    )
