"""The report form: its fields (the same on Slack, Teams and the web) and its validation."""

from __future__ import annotations

import re
from datetime import date
from urllib.parse import urlparse

from chat.actions import REPORT_SUBMIT as SUBMIT
from chat.model import Form, FormField

CATEGORIES = (
    ("disparaging", "Content disparaging the council"),
    ("abuse_me", "Abuse or harassment aimed at me"),
    ("abuse_colleague", "Abuse aimed at a colleague or councillor"),
    ("colleague_breach", "A colleague's post that may breach the policy"),
    ("other", "Something else"),
)
CATEGORY_LABELS = dict(CATEGORIES)
ABUSE = {"abuse_me", "abuse_colleague"}
PLATFORMS = (
    ("facebook", "Facebook"),
    ("instagram", "Instagram"),
    ("x", "X (Twitter)"),
    ("linkedin", "LinkedIn"),
    ("tiktok", "TikTok"),
    ("youtube", "YouTube"),
    ("threads", "Threads"),
    ("snapchat", "Snapchat"),
    ("whatsapp", "WhatsApp"),
    ("nextdoor", "Nextdoor"),
    ("other", "Another site or app"),
)
PLATFORM_LABELS = dict(PLATFORMS)
YES_NO = (("no", "No"), ("yes", "Yes"))
MAX_DESCRIPTION = 3000
MAX_ACCOUNT = 200
MAX_NOTE = 2000
MAX_LINKS = 10
MAX_INVOLVED = 20


LINE_UNDISCLOSED = "Someone in my management line — I'd rather not say who"
CONFIDENTIAL = "Keep my name from everyone except the Communications team"


# What the question "Report this" came from already says (a starting point the person can change).
_PLATFORM_WORDS = {
    "facebook": "facebook",
    "fb": "facebook",
    "messenger": "facebook",
    "instagram": "instagram",
    "insta": "instagram",
    "ig": "instagram",
    "twitter": "x",
    "tweet": "x",
    "tweets": "x",
    "x": "x",
    "linkedin": "linkedin",
    "tiktok": "tiktok",
    "youtube": "youtube",
    "threads": "threads",
    "snapchat": "snapchat",
    "whatsapp": "whatsapp",
    "nextdoor": "nextdoor",
}
_ABUSIVE = re.compile(
    r"\b(abus\w*|harass\w*|hassl\w*|threat\w*|troll\w*|bull(y|ied|ying)|racis\w*|hate\w*|homophob\w*|sexis\w*|"
    r"slur\w*|stalk\w*|intimidat\w*|nasty|offensive|insult\w*|swear\w*|swore|doxx?\w*)\b"
)
# "me", "my post": at me; "my colleague", "my team" is someone else.
_AT_ME = re.compile(
    r"\b(me|i'?m|i am|i'?ve|i was|myself|my(?! (colleague|co-?worker|workmate|team|staff|manager|boss|councillor)))\b"
)
_COLLEAGUE_POSTING = re.compile(
    r"\b(colleague|co-?worker|workmate|member of staff|staff member|my manager|my boss)s?\b"
    r"(\s+\w+){0,4}?\s+(is |has |keeps |was )?(post|posted|posting|posts|shar\w+|tweet\w*|upload\w*|put|putting|"
    r"comment\w*|film\w*|slag\w*|mock\w*)\b"
)
_DISPARAGING = re.compile(r"\b(slag\w*|slat\w*|trash\w*|bad[- ]?mouth\w*|disparag\w*|defam\w*|lies|lying|false|fake)\b")


def guess(text: str) -> dict[str, str]:
    """The category and platform a question that led to "Report this" already names, if it plainly does:
    "someone left an abusive comment about me on the council's facebook page" -> abuse aimed at me, Facebook."""
    t = " ".join(text.lower().split())
    if not t:
        return {}
    out: dict[str, str] = {}
    for word in re.findall(r"[a-z]+", t):
        if word in _PLATFORM_WORDS:
            out["platform"] = _PLATFORM_WORDS[word]
            break
    if _COLLEAGUE_POSTING.search(t):  # a colleague's own post: a possible breach, unless it is abuse at me
        out["category"] = "abuse_me" if _ABUSIVE.search(t) and _AT_ME.search(t) else "colleague_breach"
    elif _ABUSIVE.search(t):
        out["category"] = "abuse_me" if _AT_ME.search(t) else "abuse_colleague"
    elif _DISPARAGING.search(t) and "council" in t:
        out["category"] = "disparaging"
    return out


def report_form(
    service_areas: list[str],
    prefill: str = "",
    errors: dict | None = None,
    values: dict | None = None,
    people: list[tuple[str, str]] | None = None,
) -> Form:
    """The report form. `people` are the directory's (email, label) for "Who is involved?" (a Slack user
    picker shows Slack's own list instead); None, for someone who isn't in the staff directory themselves (a
    Teams guest, another tenant), makes it a text field for email addresses: the staff list is never shown to
    them."""
    v = {**guess(prefill), **(values or {})}
    involved = (
        FormField(
            "involved",
            "Who is involved?",
            "people",
            tuple(people),
            value=v.get("involved", ""),
            hint="Optional: colleagues or councillors involved. Nobody you name will be sent the report, "
            "see it or act on it.",
        )
        if people is not None
        else FormField(
            "involved",
            "Who is involved?",
            "text",
            value=v.get("involved", ""),
            hint="Optional: the work email addresses of colleagues or councillors involved, separated by commas. "
            "Nobody you name will be sent the report, see it or act on it.",
        )
    )
    areas = tuple((a, a) for a in service_areas) + (("unknown", "Not sure"),)
    return Form(
        SUBMIT,
        "Report to TED",
        (
            FormField("category", "What happened?", "select", CATEGORIES, required=True, value=v.get("category", "")),
            FormField("platform", "Where was it?", "select", PLATFORMS, required=True, value=v.get("platform", "")),
            FormField(
                "links",
                "Link(s) to the post",
                "multiline",
                required=False,
                value=v.get("links", ""),
                hint="One link per line, starting https://",
                max_length=3000,
            ),
            FormField(
                "account",
                "The account responsible",
                "text",
                value=v.get("account", ""),
                hint="e.g. @name or the page name",
                max_length=200,
            ),
            FormField("seen_at", "When did you see it?", "date", value=v.get("seen_at", "")),
            FormField("service_area", "Service area concerned", "select", areas, value=v.get("service_area", "")),
            FormField(
                "description",
                "What happened, in your words",
                "multiline",
                required=True,
                value=v.get("description", prefill),
                max_length=MAX_DESCRIPTION,
                hint="Please don't engage with the poster.",
            ),
            FormField("screenshots", "Screenshots", "file", hint="Optional"),
            involved,
            FormField(
                "involved_line",
                LINE_UNDISCLOSED,
                "checkbox",
                value=v.get("involved_line", ""),
                hint="Tick this to send it to HR and the Communications team instead of your management line.",
            ),
            FormField(
                "at_risk",
                "Is anyone at risk of harm right now?",
                "select",
                YES_NO,
                required=True,
                value=v.get("at_risk", ""),
                hint="If someone is in immediate danger, call 999 first.",
            ),
            FormField("wants_hr", "Would you like support from HR?", "select", YES_NO, value=v.get("wants_hr", "no")),
            FormField(
                "confidential",
                CONFIDENTIAL,
                "select",
                YES_NO,
                value=v.get("confidential", "no"),
                hint="Yes: it goes to the Communications team (and to HR, without your name, if you ask for "
                "support or someone is at risk); only the Communications team sees your name.",
            ),
        ),
        submit_label="Send report",
        errors=errors or {},
    )


_URL_SPLIT = re.compile(r"[\s,]+")


def _links(text: str) -> tuple[list[str], str | None]:
    links = [t.strip("<>") for t in _URL_SPLIT.split(text.strip()) if t.strip()]
    if len(links) > MAX_LINKS:
        return [], f"Please give at most {MAX_LINKS} links."
    for link in links:
        u = urlparse(link)
        if u.scheme not in ("http", "https") or "." not in u.netloc or len(link) > 2000:
            return [], f"“{link[:60]}” doesn't look like a link. Links start https:// — one per line."
    return links, None


def chosen(value) -> list[str]:
    """A picker's answer as a list of values: a list (Slack, the web) or comma-separated text (Teams)."""
    items = value if isinstance(value, list | tuple) else str(value or "").split(",")
    out: list[str] = []
    for item in items:
        item = str(item).strip()[:200]
        if item and item not in out:
            out.append(item)
    return out


def truthy(value) -> bool:
    """A checkbox's answer: True (Slack), "yes"/"true" (Teams, the web), or a list of ticked values."""
    if isinstance(value, list | tuple):
        return bool(value)
    return value is True or str(value or "").strip().lower() in {"yes", "true", "on", "1"}


def validate(values: dict, today: date | None = None) -> tuple[dict, dict]:
    """Clean the submitted values. Returns (clean, errors); errors map field name -> message."""
    errors: dict[str, str] = {}

    def text(name: str) -> str:
        v = values.get(name, "")
        if isinstance(v, list | tuple):
            v = " ".join(str(x) for x in v)
        # Lone surrogates (broken emoji from some clients) can't be stored as UTF-8: replace them.
        return str(v or "").replace("\x00", "").encode("utf-8", "replace").decode("utf-8").strip()

    category = text("category")
    if category not in CATEGORY_LABELS:
        errors["category"] = "Please choose what happened."
    platform = text("platform")
    if platform not in PLATFORM_LABELS:
        errors["platform"] = "Please choose where it was."
    links, problem = _links(text("links"))
    if problem:
        errors["links"] = problem
    description = text("description")
    if not description:
        errors["description"] = "Please describe what happened — a sentence is enough."
    elif len(description) > MAX_DESCRIPTION:
        errors["description"] = f"Please keep this under {MAX_DESCRIPTION:,} characters (it is {len(description):,})."
    seen = text("seen_at")
    if seen:
        try:
            if date.fromisoformat(seen) > (today or date.today()):
                errors["seen_at"] = "That date is in the future."
        except ValueError:
            errors["seen_at"] = "Please give a date like 2026-11-23."
    if len(text("account")) > MAX_ACCOUNT:
        errors["account"] = f"Please keep this under {MAX_ACCOUNT} characters (it is {len(text('account')):,})."
    for flag in ("at_risk", "wants_hr", "confidential"):
        if text(flag) not in ("", "yes", "no"):
            errors[flag] = "Please choose yes or no."
    if not text("at_risk"):
        errors["at_risk"] = "Please say whether anyone is at risk of harm right now."
    # Emails typed by hand ("Casey.Comms@…") are the directory's lower-case ones; picker ids stay as they are.
    involved = [i.lower() if "@" in i else i for i in chosen(values.get("involved"))]
    if len(involved) > MAX_INVOLVED:
        errors["involved"] = f"Please name at most {MAX_INVOLVED} people."
    files = values.get("screenshots") or []
    files = files if isinstance(files, list | tuple) else [files]
    # Only attachment records an adapter built (after checking who uploaded them) are kept: a bare id
    # typed into a form must never attach somebody else's screenshot.
    files = [f for f in files if isinstance(f, dict) and isinstance(f.get("id"), str)]
    clean = {
        "category": category,
        "platform_name": platform,
        "links": links,
        "account": text("account")[:MAX_ACCOUNT],
        "seen_at": seen,
        "service_area": "" if text("service_area") == "unknown" else text("service_area")[:100],
        "description": description,
        "attachments": files,
        "at_risk": text("at_risk") == "yes",
        "wants_hr": text("wants_hr") == "yes",
        "confidential": text("confidential") == "yes",
        "involved": involved[:MAX_INVOLVED],
        "line_undisclosed": truthy(values.get("involved_line")),
    }
    return clean, errors
