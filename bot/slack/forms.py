"""The generic Form <-> Slack modal: Form -> view, view_submission state -> {field: value}, errors. Pure.

A field's block_id is its name (so a handler's `errors` map straight onto Slack's inline errors) and
its action_id is its kind (so the submitted state can be read back without the Form). Limits from
https://docs.slack.dev/reference/views/modal-views and the block-element references: title, submit and
close 24 characters, 100 blocks, private_metadata 3,000, callback_id 255, input labels and hints 2,000,
placeholders 150, options 100 (checkboxes 10) with text 75 and value 150, text input 3,000.

Submitted values: text, multiline, url, select, date -> str ("" when empty); multiselect -> list of
option values; people (a multi_users_select) -> list of Slack user ids; checkbox with options -> list of
ticked values, without options -> bool; file -> list of {"id", "name", "mimetype", "url_private", "permalink"}.
A multiselect's initial `value` is its option values joined with ",".
"""

from __future__ import annotations

import json
import logging
import re

from bot.slack.render import MAX_SECTION, cut, inert, plain, sections, valid_text
from chat.model import Form, FormField, Reply

log = logging.getLogger("ted.slack.forms")

MAX_TITLE = 24
MAX_MODAL_BLOCKS = 100
MAX_METADATA = 3000
MAX_CALLBACK_ID = 255
MAX_LABEL = 2000
MAX_PLACEHOLDER = 150
MAX_OPTIONS = 100
MAX_CHECKBOXES = 10
MAX_OPTION_TEXT = 75
MAX_OPTION_VALUE = 150
MAX_FILES = 10
PANEL = "ted.panel"  # callback_id of a modal that only shows something (no inputs, no submit)
SINGLE_CHECKBOX = "checkbox_single"  # action_id of a checkbox field with no options: read back as a bool
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TRUE = {"1", "true", "yes", "on", "checked"}


def _option(value: str, label: str) -> dict:
    return {"text": plain(label or value, MAX_OPTION_TEXT), "value": value[:MAX_OPTION_VALUE]}


def _element(f: FormField) -> dict:
    kind = f.kind
    if (
        kind == "people"
    ):  # Slack's own picker of workspace members: https://docs.slack.dev/reference/block-kit/block-elements/multi-select-menu-element#users_multi_select
        el = {"type": "multi_users_select", "action_id": kind, "placeholder": plain("Choose people…", MAX_PLACEHOLDER)}
        users = [u for u in f.value.split(",") if u.startswith(("U", "W"))]
        if users:
            el["initial_users"] = users
        return el
    if kind in ("select", "multiselect"):
        opts = [_option(v, label) for v, label in f.options[:MAX_OPTIONS]] or [_option("-", "—")]
        el: dict = {
            "type": "static_select" if kind == "select" else "multi_static_select",
            "action_id": kind,
            "placeholder": plain("Choose…", MAX_PLACEHOLDER),
            "options": opts,
        }
        chosen = [o for o in opts if o["value"] in (f.value.split(",") if kind == "multiselect" else [f.value])]
        if chosen and kind == "select":
            el["initial_option"] = chosen[0]
        elif chosen:
            el["initial_options"] = chosen
        return el
    if kind == "checkbox":
        if not f.options:
            el = {"type": "checkboxes", "action_id": SINGLE_CHECKBOX, "options": [_option("yes", f.hint or "Yes")]}
            if f.value.strip().lower() in _TRUE:
                el["initial_options"] = el["options"]
            return el
        opts = [_option(v, label) for v, label in f.options[:MAX_CHECKBOXES]]
        el = {"type": "checkboxes", "action_id": kind, "options": opts}
        chosen = [o for o in opts if o["value"] in f.value.split(",")]
        if chosen:
            el["initial_options"] = chosen
        return el
    if kind == "date":
        el = {"type": "datepicker", "action_id": kind}
        if _DATE.match(f.value):
            el["initial_date"] = f.value
        return el
    if kind == "file":
        return {"type": "file_input", "action_id": kind, "max_files": MAX_FILES}
    if kind == "url":
        el = {"type": "url_text_input", "action_id": kind}
    else:
        limit = max(1, min(f.max_length or MAX_SECTION, MAX_SECTION))
        el = {
            "type": "plain_text_input",
            "action_id": "multiline" if kind == "multiline" else "text",
            "multiline": kind == "multiline",
            "max_length": limit,
        }
    if f.value:
        el["initial_value"] = f.value[: el.get("max_length", MAX_SECTION)]
    return el


def input_block(f: FormField) -> dict:
    block = {
        "type": "input",
        "block_id": f.name,
        "optional": not f.required,
        "label": plain(f.label, MAX_LABEL),
        "element": _element(f),
    }
    if f.hint and not (f.kind == "checkbox" and not f.options):
        block["hint"] = plain(f.hint, MAX_LABEL)
    return block


def modal_view(form: Form, intro: str = "", private_metadata: str | None = None) -> dict:
    """A Form as a modal view (views.open / views.update / response_action "update")."""
    blocks = sections(intro) if intro else []
    blocks += [input_block(f) for f in form.fields]
    meta = form.private_metadata if private_metadata is None else private_metadata
    return {
        "type": "modal",
        "callback_id": form.form_id[:MAX_CALLBACK_ID],
        "title": plain(form.title, MAX_TITLE),
        "submit": plain(form.submit_label or "Submit", MAX_TITLE),
        "close": plain("Cancel", MAX_TITLE),
        "private_metadata": meta[:MAX_METADATA],
        "blocks": blocks[:MAX_MODAL_BLOCKS],
    }


def panel_view(reply: Reply) -> dict:
    """A reply shown on its own in a modal with only a Close button (e.g. a report's details and history).
    What people wrote in it is escaped and made inert, as in any report message."""
    title = f"Report {reply.report_ref}" if reply.report_ref and len(reply.report_ref) <= 17 else "Details"
    return {
        "type": "modal",
        "callback_id": PANEL,
        "title": plain(title, MAX_TITLE),
        "close": plain("Close", MAX_TITLE),
        "blocks": sections(inert(reply.text))[:MAX_MODAL_BLOCKS],
    }


def modal_errors(form: Form) -> dict[str, str]:
    """The form's errors keyed by block_id, for {"response_action": "errors", "errors": …}.

    An error for a name that is not a field (a form-level problem) is shown on the first field,
    because Slack can only show errors beside input blocks."""
    names = [f.name for f in form.fields]
    out: dict[str, str] = {}
    for name, message in form.errors.items():
        key = name if name in names else (names[0] if names else name)
        out[key] = cut(f"{out[key]} {message}" if key in out else str(message), MAX_LABEL)
    return out


def _text(value) -> str:
    return valid_text(value) if isinstance(value, str) else ""


def _file(f: dict) -> dict:
    return {k: _text(f.get(k, "")) for k in ("id", "name", "mimetype", "url_private", "permalink")}


def _chosen(options) -> list[str]:
    return [_text(o.get("value")) for o in options or [] if isinstance(o, dict)]


def form_values(state: dict) -> dict:
    """view.state.values from a view_submission as {field name: value} (types in the module docstring).
    Text is made storable (a lone surrogate becomes U+FFFD); anything of the wrong shape reads as empty."""
    out: dict = {}
    values = (state or {}).get("values") if isinstance(state, dict) else None
    for block_id, elements in (values if isinstance(values, dict) else {}).items():
        for action_id, el in (elements if isinstance(elements, dict) else {}).items():
            el = el if isinstance(el, dict) else {}
            t = el.get("type", "")
            if t == "static_select":
                out[block_id] = (_chosen([el.get("selected_option")]) or [""])[0]
            elif t == "multi_static_select":
                out[block_id] = _chosen(el.get("selected_options"))
            elif t == "multi_users_select":
                out[block_id] = [_text(u) for u in el.get("selected_users") or [] if isinstance(u, str)]
            elif t == "checkboxes":
                chosen = _chosen(el.get("selected_options"))
                out[block_id] = bool(chosen) if action_id == SINGLE_CHECKBOX else chosen
            elif t == "datepicker":
                out[block_id] = _text(el.get("selected_date"))
            elif t == "file_input":
                out[block_id] = [_file(f) for f in el.get("files") or [] if isinstance(f, dict)]
            else:  # plain_text_input, url_text_input and anything newer
                out[block_id] = _text(el.get("value"))
    return out


# -- where the answer goes after the modal closes ------------------------------------------------
def wrap_metadata(form_metadata: str, route: dict) -> str:
    """The view's private_metadata: the form's own metadata plus where to answer once it is submitted
    (view_submission payloads carry no channel). Routing is dropped before the form's own value is."""
    route = {k: v for k, v in route.items() if v}
    for keep in (("c", "t", "r", "s"), ("c", "t", "s"), ("c", "t"), ()):
        text = json.dumps({"m": form_metadata, **{k: route[k] for k in keep if k in route}}, separators=(",", ":"))
        if len(text) <= MAX_METADATA:
            return text
    return json.dumps({"m": form_metadata[: MAX_METADATA - 16]}, separators=(",", ":"))[:MAX_METADATA]


def unwrap_metadata(text: str) -> tuple[str, dict]:
    """(the form's own private_metadata, routing) from wrap_metadata's text; foreign text is all metadata."""
    try:
        data = json.loads(text or "")
    except ValueError as exc:  # not wrapped by TED (e.g. a modal opened before it wrapped them): all metadata
        log.debug("slack private_metadata is not TED's wrapper (%s); taken as the form's own", type(exc).__name__)
        return text or "", {}
    if not isinstance(data, dict) or "m" not in data:
        return text or "", {}
    return str(data.get("m", "")), {k: str(v) for k, v in data.items() if k != "m"}
