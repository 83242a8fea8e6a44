"""Questions about a document TED does not hold: "what does the Procurement Policy say about…" falls back and
names that document, instead of answering from the nearest clause of a policy that merely mentions it."""

from __future__ import annotations

import re
from collections.abc import Iterable

from knowledge.text import fold

_KIND = r"(?:polic(?:y|ies)|strateg(?:y|ies)|guidelines?|procedures?|handbook|plan|charter|manual)"
# Up to three words before the kind of document: "data protection policy", "travel plan".
_NAME = re.compile(r"((?:[a-z&'-]+ ){1,3})" + _KIND + r"\b|\bcode of conduct\b")
# ... and a question about what it says.
_ABOUT = re.compile(
    r"\b(say|says|said|cover|covers|mention|mentions|state|states|contain|contains|allow|allows|"
    r"rules?|according to|under|in the|in our|what'?s in|set out|sets out|require|requires)\b"
)
# ... or nothing but the name: "and the expenses policy?", "what about the data protection policy?", "what is the
# sick leave policy" ask about it.
_JUST_A_NAME = re.compile(
    r"^(?:(?:and|but|or|so|also|what about|how about|same for|and what about|what is|what's|whats|what are|"
    r"tell me about|explain|where is|where's|where can i find|can i see|show me|is there an?|do we have an?)\s+)?"
    r"(?:(?:the|our|a|an)\s+)?"
    r"(?:[a-z&'-]+ ){1,3}" + _KIND + r"\s*(?:too|then|instead)?\s*[?.!]*$"
)
# Words that can stand before "policy" without naming a document ("what does the policy say", "this policy").
_NOT_A_NAME = {
    "what",
    "which",
    "does",
    "do",
    "is",
    "are",
    "can",
    "could",
    "would",
    "will",
    "how",
    "where",
    "when",
    "who",
    "about",
    "and",
    "so",
    "but",
    "according",
    "to",
    "under",
    "in",
    "the",
    "our",
    "my",
    "a",
    "an",
    "any",
    "anything",
    "say",
    "says",
    "of",
    "on",
    "for",
    "with",
    "this",
    "that",
    "your",
    "their",
    "there",
    "council",
    "councils",
    "council's",
    "tdc",
    "tdcs",
    "tdc's",
    "new",
    "current",
    "latest",
    "same",
    "whole",
    "relevant",
    "other",
    "another",
    "different",
    "actual",
    "official",
    "written",
    "own",
    "have",
    "has",
    "we",
    "you",
    "i",
    "me",
    "if",
    "or",
    "by",
    "at",
    "from",
    "as",
    "be",
    "been",
    "was",
    "were",
}
_KIND_WORDS = {
    "policy",
    "policies",
    "strategy",
    "strategies",
    "guideline",
    "guidelines",
    "procedure",
    "procedures",
    "code",
    "conduct",
    "handbook",
    "plan",
    "charter",
    "manual",
}


def _words(text: str) -> set[str]:
    """What tells one document from another: its words, less "policy", "the" and the like."""
    return {w for w in re.findall(r"[a-z]+", fold(text)) if w not in _KIND_WORDS and w not in _NOT_A_NAME}


# Initialisms a council's documents use, written as they are whatever the case typed ("ict" is ICT, not "Ict").
_INITIALISMS = {"it", "ict", "hr", "gdpr", "cctv", "ripa", "foi", "dbs", "sen", "cpd", "dpia", "byod", "vpn", "ai"}


def _title(name: str, typed: str = "") -> str:
    """A document's name as a title: the person's own capitals for what they wrote in capitals, initialisms in
    capitals, other words capitalised, small words left small."""
    caps = {w.lower(): w for w in re.findall(r"[A-Za-z]+", typed) if len(w) > 1 and w.isupper()}

    def one(w: str) -> str:
        if w in caps:
            return caps[w]
        if w in _INITIALISMS:
            return w.upper()
        return w if w in ("of", "and", "on", "for") else w[:1].upper() + w[1:]

    return " ".join(one(w) for w in name.split())


def unheld_document(
    question: str, held_titles: Iterable[str], known_names: Iterable[str] = (), loose: bool = False
) -> str | None:
    """The name of a document the question asks about that the knowledge base doesn't hold, or None.

    `held_titles` are the documents TED holds; `known_names` are documents they mention (their "related"
    lists), so the name is given as the document itself spells it. `loose`: any such name in the question counts,
    not only one it asks what it says or covers ("what's the telework policy at…?")."""
    q = fold(question)
    if not (loose or _ABOUT.search(q) or _JUST_A_NAME.match(q.strip())):
        return None
    held = [_words(t) for t in held_titles]
    for m in _NAME.finditer(q):
        if m.group(0) == "code of conduct":
            name_words, name = {"code", "conduct"}, "code of conduct"
        else:
            # A name is the words right before "policy" ("data protection policy"): a function word ends it, so
            # "any role in the policy" names no document ("the policy" is the one being asked about).
            lead: list[str] = []
            before = m.group(1).split()
            for i in range(len(before) - 1, -1, -1):
                w = before[i]
                # "and" joins two names of one document ("gifts and hospitality policy") when a name word
                # comes before it; otherwise it ends the name like any function word.
                if w == "and" and lead and i > 0 and before[i - 1] not in _NOT_A_NAME:
                    lead.insert(0, w)
                    continue
                if w in _NOT_A_NAME:
                    break
                lead.insert(0, w)
            if not lead:
                continue
            name = " ".join([*lead, m.group(0)[len(m.group(1)) :]])
            name_words = _words(name)
            if not name_words:
                continue
            # A held document named loosely ("the social media policy") is not a missing one.
            if any(len(name_words & h) >= max(1, len(name_words) - 1) for h in held):
                continue
        for known in known_names:
            theirs = _words(known) | ({"code", "conduct"} if "conduct" in fold(known) else set())
            if theirs and name_words <= theirs:
                return known
        return _title(name, question)
    return None


def held_document(question: str, held: dict[str, str]) -> str | None:
    """The id of the one document TED holds that the question names ("what does the Expenses Policy say about
    taxis?", "the parking policy"), or None: none named, or two it can't tell apart. `held`: {doc id: title}.
    The longest title written out in full wins ("Social Media Policy" over a page called "Social media"); else a
    name before "policy" whose words are all in one title ("the parking policy" for "Staff Parking Policy")."""
    q = " ".join(fold(question).split())
    # Only a title that says what kind of document it is ("… Policy", "… Handbook") names one when written out:
    # a page called "Sensitive information" is not named by a question about sensitive information.
    written = [
        (len(t), d)
        for d, t in held.items()
        if t and _NAME.search(fold(t)) and re.search(rf"\b{re.escape(' '.join(fold(t).split()))}\b", q)
    ]
    if written:
        written.sort(reverse=True)
        if len(written) == 1 or written[0][0] > written[1][0]:
            return written[0][1]
        return None
    found: set[str] = set()
    for m in _NAME.finditer(q):
        before = [w for w in m.group(1).split() if w not in _NOT_A_NAME]
        words = _words(" ".join(before[-3:]))
        if not words:
            continue
        found |= {d for d, t in held.items() if words <= _words(t)}
    return next(iter(found)) if len(found) == 1 else None
