"""Telling a policy question from smalltalk and from someone who wants to report something.

Patterns are matched on folded text. They are deliberately about *how people ask* (verbs and
sentence shapes), not about topics, so they carry over to any policy the knowledge base holds.
"""

from __future__ import annotations

import re

from knowledge.text import content_words, fold, strip_chat_markup

_SMALLTALK = [
    r"(hi|hello|hey|hiya|howdy|morning|good (morning|afternoon|evening)|greetings|yo|alright)( there)?( ted)?",
    r"(many )?(thanks|thank you|thank u|thx|ty|ta|cheers|much appreciated|brilliant|great|perfect|lovely)"
    r"( (very|so) much)?( ted| mate| again| a lot| for (that|the help|your help|helping))*",
    r"(ok|okay|right|cool|fab|nice|grand)?( ?(thanks|ta|cheers))?,? ?(that'?s (all|it|everything)|bye|goodbye|see you|"
    r"see ya|later|night|good ?night|that'?s great|no more questions)",
    r"(ok|okay|right|cool|great|nice|fab|got it|understood|noted|fair enough|makes sense)( (thanks|ta|cheers))?",
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
    r"\b(want|need|wish|would like|i'?d like|have|got|going) to (report|flag)\b",
    r"^(i'?m |i am |we'?re |we are |just )?(report|reporting|flag|flagging)\b",
    r"\bhow (do|can|should|would) (i|we|you) (report|flag)\b",
    r"\b(can|could|may|should) (i|we) (report|flag)\b",
    r"\b(report|flag) (this|that|it|him|her|them)\b",
    r"\bmake a report\b|\bfile a report\b|\braise a report\b|\blog a report\b",
    r"^/?report\b",
]
_REPORT_RE = re.compile("|".join(_REPORT))

_ABUSE = re.compile(
    r"\b(abus\w*|harass\w*|threat\w*|troll\w*|bull(y|ied|ying)|racis\w*|hate\w*|homophob\w*|sexis\w*|"
    r"swear\w*|swore|slur\w*|disparag\w*|trash\w*|slag\w*|pile[- ]?on|defam\w*|fake account|parody|"
    r"impersonat\w*|stalk\w*|doxx?\w*|intimidat\w*|nasty|offensive|insult\w*|mock\w*)\b"
)


def _clean(text: str) -> str:
    return fold(strip_chat_markup(text))


def is_smalltalk(text: str) -> bool:
    t = _clean(text)
    if not t:
        return False
    return bool(_SMALLTALK_RE.match(t)) or (len(t) < 40 and not content_words(t) and "?" not in t)


def wants_to_report(text: str) -> bool:
    return bool(_REPORT_RE.search(_clean(text)))


def describes_abuse(text: str) -> bool:
    return bool(_ABUSE.search(_clean(text)))
