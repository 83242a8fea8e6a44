"""Telling a policy question from smalltalk and from someone who wants to report something.

Patterns are matched on folded text. They are deliberately about *how people ask* (verbs and
sentence shapes), not about topics, so they carry over to any policy the knowledge base holds.
"""

from __future__ import annotations

import re

from knowledge.text import content_words, fold

_SMALLTALK = [
    r"(hi|hello|hey|hiya|howdy|morning|good (morning|afternoon|evening)|greetings|yo|alright)( there)?( ted)?",
    r"(many )?(thanks|thank you|thank u|thx|ty|ta|cheers|much appreciated|brilliant|great|perfect|lovely)"
    r"( (very|so) much)?( ted| mate| again| a lot| for (that|the help|your help|helping))*",
    r"(ok|okay|right|cool|fab|nice|grand)?( ?(thanks|ta|cheers))?,? ?(that'?s (all|it|everything)|bye|goodbye|see you|"
    r"see ya|later|night|good ?night|that'?s great|no more questions)",
    r"(ok|okay|right|cool|great|nice|fab|got it|understood|noted|fair enough|makes sense)( (thanks|ta|cheers))?",
    r"(that'?s|that is|that was|you'?ve been|you are|you'?re)( (really|very|so|super))? (helpful|useful|great|"
    r"brilliant|perfect|clear|a great help|a big help|a help)",
    r"(how'?s it going|how are things|how'?s things|how'?s your day|you ok|you alright)",
    r"(good|great|nice) (bot|job|one)( ted)?",
    r"(bye|goodbye|see you|see ya|cya|laters)( ted)?",
    r"(what|who) (are|r) (you|u)",
    r"how (are|r) (you|u)( doing| today)?",
    r"(what can|what do|what else can|what could) (you|u|ted) (do|help( me)? with|answer)",
    r"(what|which) (sort|kind|type)s? of (things|questions|stuff) can (i|we) ask( you)?( about)?",
    r"what (can|should|could) (i|we) ask( you)?( about)?",
    r"how (do|does|can) (i|we)? ?(use )?(you|ted|this( bot)?)( work)?",
    r"(help|help me|can you help( me)?|menu|start|get started|\?)",
    r"(are you|is this) (a )?(bot|robot|human|real|person)",
]
_SMALLTALK_RE = re.compile(r"^(?:" + "|".join(f"(?:{p})" for p in _SMALLTALK) + r")[\s!.?,:)]*$")

_REPORT = [
    r"\b(want|need|wish|would like|i'?d like|going) to (report|flag)\b",
    r"^(i'?m |i am |we'?re |we are |just )?(report|reporting|flag|flagging)\b",
    r"\bhow (do|can|should|would) (i|we|you) (report|flag)\b",
    r"\b(can|could|may|should) (i|we) (report|flag)\b",
    r"\b(report|flag) (this|that|it|him|her|them)\b",
    r"\bmake a report\b|\bfile a report\b|\braise a report\b|\blog a report\b",
    r"^/?report\b",
]
_REPORT_RE = re.compile("|".join(_REPORT))
# What TED takes reports of: something online, or abuse. "How do I report a pothole?" is not one.
_REPORTABLE = re.compile(
    r"\b(post\w*|comment\w*|messag\w*|dm\w*|inbox|account\w*|tweet\w*|video\w*|stor(y|ies)|photo\w*|pic\w*|"
    r"image\w*|online|page|profile|group|thread|feed|social|facebook|fb|instagram|insta|twitter|x|tiktok|"
    r"youtube|linkedin|snapchat|threads|whatsapp|reddit|nextdoor|colleague\w*|councillor\w*|parody|fake|"
    r"impersonat\w*|troll\w*|this|it|them|him|her)\b"
)

_ABUSE = re.compile(
    r"\b(abus\w*|harass\w*|threat\w*|troll\w*|bull(y|ied|ying)|racis\w*|hate\w*|homophob\w*|sexis\w*|"
    r"swear\w*|swore|slur\w*|disparag\w*|trash\w*|slag\w*|pile[- ]?on|defam\w*|fake account|parody|"
    r"impersonat\w*|stalk\w*|doxx?\w*|intimidat\w*|nasty|offensive|insult\w*|mock\w*)\b"
)


_SEGMENTS = re.compile(r"[!.?,;:\-]+\s*|\s+-\s+")


def is_smalltalk(text: str) -> bool:
    """The whole message is pleasantries: every segment ("cheers TED, bye!") is smalltalk."""
    t = fold(text)
    if not t:
        return False
    if _SMALLTALK_RE.match(t):
        return True
    segments = [s.strip() for s in _SEGMENTS.split(t) if s.strip()]
    if segments and all(_SMALLTALK_RE.match(s) for s in segments):
        return True
    return len(t) < 40 and not content_words(t) and "?" not in t


def wants_to_report(text: str) -> bool:
    t = fold(text)
    if t.startswith("/report"):
        return True
    return bool(_REPORT_RE.search(t)) and bool(_REPORTABLE.search(t) or _ABUSE.search(t))


def describes_abuse(text: str) -> bool:
    return bool(_ABUSE.search(fold(text)))


# "my colleague keeps posting rude things about our director": a colleague's possible breach, a report category.
_COLLEAGUE = re.compile(
    r"\b(colleague|co-?worker|workmate|member of staff|staff member|someone (in|on|from) my team|"
    r"another officer|my manager|my boss|a manager)s?\b"
)
_ONLINE_ACT = re.compile(
    r"\b(post\w*|tweet\w*|comment\w*|shar(e|es|ed|ing)|upload\w*|message\w*|online|"
    r"facebook|instagram|tiktok|twitter|linkedin|whatsapp|snapchat)\b"
)
_BAD = re.compile(
    r"\b(rude|nasty|offensive|abus\w*|insult\w*|derogatory|disparag\w*|slag\w*|slat\w*|"
    r"bad[- ]?mouth\w*|criticis\w*|confidential|leak\w*|racist|sexist|mock\w*|lies|lying|false)\b"
)


def about_a_colleague(text: str) -> bool:
    """A colleague's possible breach of the policy, described as it happened."""
    t = fold(text)
    return bool(_COLLEAGUE.search(t) and _ONLINE_ACT.search(t) and _BAD.search(t))
