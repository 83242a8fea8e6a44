"""What the web chat accepts: JSON bodies, text and form values, cleaned at the edge.

Anything a browser (or anyone with curl) sends is checked here, so the handlers behind the router see
ordinary strings: no lone surrogates (SQLite cannot store them), no control or bidi-override characters,
NFC-normalised, and within size limits. Problems become `BadInput` with a polite message, never a 500.
"""

from __future__ import annotations

import json
import re
import unicodedata

from aiohttp import web

from handlers import messages

MAX_TEXT = 4000  # a question or a button value
MAX_FIELD = 10000  # one form field (handlers apply their own, tighter limits)
MAX_FIELDS = 50
MAX_LIST = 20
_BAD_CHARS = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ufeff\ufffe\uffff\ud800-\udfff]"
)


class BadInput(Exception):
    def __init__(self, message: str, status: int = 400, field: str = ""):
        super().__init__(message)
        self.message = message
        self.status = status
        self.field = field


def clean_text(value: object, limit: int = MAX_TEXT, what: str = "message") -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise BadInput(messages.WEB_BAD_JSON)
    text = unicodedata.normalize("NFC", _BAD_CHARS.sub("", value.replace("\r\n", "\n")))
    if len(text) > limit:
        raise BadInput(messages.WEB_TOO_LONG.format(what=what, limit=limit, length=len(text)), 413)
    return text


async def read_json(request: web.Request) -> dict:
    """The request's JSON object, or BadInput (malformed, not an object, too large)."""
    try:
        raw = await request.read()
    except web.HTTPRequestEntityTooLarge as exc:
        raise BadInput(messages.WEB_BODY_TOO_LARGE, 413) from exc
    try:
        body = json.loads(raw.decode("utf-8", errors="replace")) if raw else None
    except (ValueError, RecursionError) as exc:
        raise BadInput(messages.WEB_BAD_JSON) from exc
    if not isinstance(body, dict):
        raise BadInput(messages.WEB_BAD_JSON)
    return body


def clean_form(raw: object) -> tuple[dict, dict[str, list[str]]]:
    """Submitted form values as {name: str | list[str] | bool}, and the file fields' upload ids apart
    ({name: [upload id, ...]}: the browser sends a file field as {"files": [...]})."""
    if raw is None:
        return {}, {}
    if not isinstance(raw, dict) or len(raw) > MAX_FIELDS:
        raise BadInput(messages.WEB_BAD_JSON)
    values: dict = {}
    files: dict[str, list[str]] = {}
    for name, value in raw.items():
        key = clean_text(name, 100, "field name")
        if isinstance(value, bool):
            values[key] = value
        elif isinstance(value, dict) and isinstance(value.get("files"), list):
            files[key] = [clean_text(v, 100, "file id") for v in value["files"][:MAX_LIST]]
        elif isinstance(value, list):
            values[key] = [clean_text(v, MAX_TEXT, "choice") for v in value[:MAX_LIST]]
        elif isinstance(value, str | int | float) or value is None:
            values[key] = clean_text("" if value is None else str(value), MAX_FIELD, f"“{key}” field")
        else:
            raise BadInput(messages.WEB_BAD_JSON, field=key)
    return values, files
