"""What reaches Bolt over HTTP: a request signed with TED's signing secret, and a body of the shape Bolt
and TED's listeners read. Pure functions.

The signature is checked on the raw bytes *before* anything parses them
(https://docs.slack.dev/authentication/verifying-requests-from-slack, with Bolt's five-minute window),
so unsigned junk is a 401 and never reaches a parser. A signed body that is not what Slack sends (not
JSON, a view without a type, actions that are not a list…) is a 400, described by a fixed problem name
that is safe to log: never the payload itself.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from urllib.parse import parse_qsl

from slack_sdk.signature import SignatureVerifier

# Fields Bolt reads as an object (or, for the first four, an id string); null is allowed throughout.
_DICT_OR_ID = ("team", "enterprise", "user", "channel")
_DICT = (
    "event",
    "view",
    "container",
    "message",
    "previous_message",
    "item",
    "state",
    "function_data",
    "assistant_thread",
    "workflow_step",
)
_STR = (
    "type",
    "callback_id",
    "action_id",
    "command",
    "text",
    "trigger_id",
    "response_url",
    "event_id",
    "api_app_id",
    "token",
    "team_id",
    "user_id",
    "channel_id",
)
_EVENT_STR = ("type", "subtype", "text", "ts", "thread_ts", "event_ts", "channel_type", "bot_id", "tab")


def signed(verifier: SignatureVerifier, body: bytes, timestamp: str, signature: str) -> bool:
    """True when Slack signed this body within the last five minutes (as Bolt checks it)."""
    timestamp = timestamp.strip()
    # Seconds since 1970 in ASCII digits ("²" is a digit to str.isdigit(), and 400 nines overflow a float).
    if not (timestamp.isascii() and timestamp.isdigit() and len(timestamp) <= 12) or not signature:
        return False
    try:
        return verifier.is_valid(body=body, timestamp=timestamp, signature=signature)
    except (ValueError, OverflowError) as exc:
        if not isinstance(exc, UnicodeDecodeError):
            return False
        # The SDK signs text; a signed body that is not UTF-8 is a 400, not a crash.
        if abs(verifier.clock.now() - int(timestamp)) > WINDOW_SECONDS:
            return False
        mac = hmac.new(verifier.signing_secret.encode(), b"v0:" + timestamp.encode() + b":" + body, hashlib.sha256)
        return hmac.compare_digest("v0=" + mac.hexdigest(), signature)


WINDOW_SECONDS = 60 * 5  # Slack's (and Bolt's) window for a request's timestamp


class ReplayGuard:
    """Signatures of the requests accepted in the last five minutes, so a signed request captured in transit and
    sent again inside Slack's window is answered once only. Slack's own retries of an event are signed afresh
    (and de-duplicated by event id), so only a copy of the very same request is refused. Held in memory: one
    `ted serve` process is one Slack endpoint."""

    MAX = 200_000  # far above Slack's traffic to one app in five minutes; beyond it the oldest go first

    def __init__(self, clock=time.monotonic) -> None:
        self.clock = clock
        self._seen: dict[str, float] = {}  # signature -> when first accepted (insertion order is age order)
        self._lock = threading.Lock()

    def first_time(self, signature: str) -> bool:
        now = self.clock()
        with self._lock:
            seen = self._seen
            while seen:
                oldest, at = next(iter(seen.items()))
                # A request is accepted while its timestamp is within five minutes of this clock, either way: one
                # first seen at the far edge of a skewed clock stays replayable for two windows.
                if now - at <= 2 * WINDOW_SECONDS + 60 and len(seen) < self.MAX:
                    break
                del seen[oldest]
            if signature in seen:
                return False
            seen[signature] = now
            return True


def parse_body(text: str, content_type: str | None) -> dict | list | str | int | float | None:
    """A request body as Slack means it: JSON (events), a form whose `payload` field is JSON (interactivity), or a
    plain form (slash commands). Bolt's own reader takes the word "payload" anywhere in a form (a question, a
    channel called #payload-team) for an interactivity payload, finds no such field and reads nothing."""
    if not text:
        return {}
    if content_type == "application/json" or text.startswith("{"):
        return json.loads(text)
    form = dict(parse_qsl(text, keep_blank_values=True))
    return json.loads(form["payload"]) if "payload" in form else form


def parse(text: str, content_type: str) -> tuple[dict, str]:
    """(the body as Bolt should see it, "" or the problem with it)."""
    try:
        body = parse_body(text, content_type or None)
    except ValueError:  # json.JSONDecodeError included
        return {}, "not json"
    if not isinstance(body, dict):
        return {}, "not an object"
    return body, problem(body)


def _bad_fields(
    node: dict, where: str, strs: tuple[str, ...] = (), dicts: tuple[str, ...] = (), ids: tuple[str, ...] = ()
) -> str:
    for key in strs:
        if node.get(key) is not None and not isinstance(node[key], str):
            return f"{where}{key} not a string"
    for key in dicts:
        if node.get(key) is not None and not isinstance(node[key], dict):
            return f"{where}{key} not an object"
    for key in ids:
        if node.get(key) is not None and not isinstance(node[key], (dict, str)):
            return f"{where}{key} not an object or id"
    return ""


def _list_of_dicts(value) -> bool:
    return isinstance(value, list) and all(isinstance(v, dict) for v in value)


def problem(body: dict) -> str:
    """ "" when Bolt and TED can read this payload; else a short, fixed description of what is wrong."""
    if bad := _bad_fields(body, "", _STR, _DICT, _DICT_OR_ID):
        return bad
    if body.get("authorizations") is not None and not _list_of_dicts(body["authorizations"]):
        return "authorizations not a list of objects"
    kind = body.get("type")
    if kind == "url_verification" and not (isinstance(body.get("challenge"), str) and body["challenge"]):
        return "url_verification without a challenge"
    if body.get("actions") is not None or kind == "block_actions":
        acts = body.get("actions")
        if not _list_of_dicts(acts) or (kind == "block_actions" and not acts):
            return "actions not a list of objects"
        if kind == "block_actions" and not all(isinstance(a.get("action_id"), str) for a in acts):
            return "action without an action_id"
    if kind == "event_callback":
        event = body.get("event")
        if not isinstance(event, dict) or not isinstance(event.get("type"), str):
            return "event without a type"
        if bad := _bad_fields(
            event, "event.", _EVENT_STR, ("message", "previous_message", "item"), ("user", "channel")
        ):
            return bad
    if kind in ("view_submission", "view_closed"):
        view = body.get("view")
        if not isinstance(view, dict) or not isinstance(view.get("type"), str):
            return "view without a type"
        if not isinstance(view.get("callback_id"), str):
            return "view without a callback_id"
        if bad := _bad_fields(view, "view.", ("id", "private_metadata", "hash"), ("state",)):
            return bad
        values = (view.get("state") or {}).get("values", {})
        if not isinstance(values, dict) or not all(isinstance(v, dict) for v in values.values()):
            return "view.state.values not an object of objects"
    return ""
