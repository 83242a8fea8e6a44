"""When a message leans on the one before it, and how to read the two together.

A message is read on its own first. The previous question is used only when the message can't stand alone:
"what about instagram?", "and if it's my own account?", "same for tiktok?", "does that apply to councillors
too?". The combined reading is then ranked as a new question, so a follow-up that changes the platform can
change the clause: where the follow-up names something of the same kind as a word of the previous question
(another platform, another group of people, another kind of account), it takes that word's place.
"""

from __future__ import annotations

import re

from knowledge.text import content_words, fold, stem, terms, words

# Things of one kind: a follow-up naming one of them replaces its kin in the previous question.
KINDS: dict[str, tuple[str, ...]] = {
    "platform": (
        "facebook",
        "fb",
        "instagram",
        "insta",
        "ig",
        "linkedin",
        "x",
        "twitter",
        "tiktok",
        "youtube",
        "snapchat",
        "threads",
        "whatsapp",
        "reddit",
        "nextdoor",
        "bluesky",
        "mastodon",
        "pinterest",
        "messenger",
        "blog",
        "blogs",
        "wiki",
        "forum",
        "forums",
    ),
    "people": (
        "councillor",
        "councillors",
        "cllr",
        "cllrs",
        "member",
        "members",
        "contractor",
        "contractors",
        "volunteer",
        "volunteers",
        "agency",
        "temp",
        "temps",
        "manager",
        "managers",
        "director",
        "directors",
        "colleague",
        "colleagues",
        "staff",
        "worker",
        "workers",
        "employee",
        "employees",
        "officer",
        "officers",
        "apprentice",
        "apprentices",
        "consultant",
        "consultants",
        "supplier",
        "suppliers",
        "resident",
        "residents",
        "journalist",
        "journalists",
    ),
}
# Whose account it is changes the question too ("and if it's my own account?" after a question about the
# council's page). "council" is everywhere in a question about council policy, so an owner is swapped only where
# it owns an account (the council's page, my own facebook), and added to the question when none does.
ACCOUNTS = ("personal", "own", "private", "work", "corporate", "team", "service", "official")
_KIND_OF = {w: k for k, ws in KINDS.items() for w in ws}
_ACCOUNT_NOUN = r"(?:accounts?|pages?|profiles?|channels?|feeds?|handles?|" + "|".join(KINDS["platform"]) + r")"
_CORPORATE = r"(?:(?:the|our|a) )?(?:council'?s|council|tdc'?s|tdc|corporate|official|work|team'?s|service'?s)"
_PERSONAL = r"(?:(?:my|your|their|his|her) (?:own |personal |private )*|(?:own|personal|private) )"
_OWNED = {
    side: re.compile(rf"\b{owner}\s*(?=(?:[a-z]+ ){{0,2}}{_ACCOUNT_NOUN}\b)", re.IGNORECASE)
    for side, owner in (("corporate", _CORPORATE), ("personal", _PERSONAL))
}
_SIDE_WORDS = {
    "personal": {"own", "personal", "private"},
    "corporate": {"council", "corporate", "official", "work", "team", "service", "tdc"},
}
_OWNER_PHRASE = {"personal": "my own ", "corporate": "the council's "}

_CUE = re.compile(
    r"^(and|but|also|plus|so|or|ok,? and|okay,? and|right,? and|what about|how about|what if|"
    r"same (for|with|goes for|applies to)|is that|is it|does that|does this|does it|would that|"
    r"will that|would it|and if|even if|what else)\b"
)
_TAIL = re.compile(r"\b(too|as well|also|either|then|instead)\s*[?.!]*$")
_DEICTIC = re.compile(r"\b(that|this|it|those|these|same|them|they)\b")
# "this policy", "the document": the document asked about, not the question before ("who owns this policy?").
_THE_DOCUMENT = re.compile(r"\b(this|that|these|the) (policy|policies|document|guidance|handbook|guide|rules?)\b")


def _points_back(t: str) -> bool:
    return bool(_DEICTIC.search(_THE_DOCUMENT.sub("the document", t)))


def points_back(text: str) -> bool:
    """The message refers to what came before ("that", "it", "they"; "this policy" is the document, not that)."""
    return _points_back(fold(text))


_LEAD = re.compile(  # the longer first: "and what about" is one lead, not "and" before "what about"
    r"^(and what about|and how about|ok,? and|okay,? and|right,? and|and|but|also|plus|so|or|what about|how about|"
    r"same (for|with|goes for|applies to))\s+"
)


def _words(text: str) -> list[str]:
    return [w.removesuffix("'s") for w in re.findall(r"[a-z0-9']+", fold(text))]


def _runs(words: list[str]) -> list[tuple[str, str]]:
    """(kind, phrase) for each run of words of one kind: "agency staff", "councillors", "facebook"."""
    out: list[tuple[str, str]] = []
    i = 0
    while i < len(words):
        kind = _KIND_OF.get(words[i])
        j = i + 1
        while kind and j < len(words) and _KIND_OF.get(words[j]) == kind:
            j += 1
        if kind:
            out.append((kind, " ".join(words[i:j])))
        i = j
    return out


def kin(previous: str, follow_up: str) -> list[tuple[str, str]]:
    """(phrase of the previous question, phrase of the follow-up) pairs of the same kind and different: "what
    about agency staff?" after a question about contractors gives ("contractors", "agency staff"), one for one."""
    prev = _runs(_words(previous))
    pairs: list[tuple[str, str]] = []
    for kind, phrase in _runs(_words(follow_up)):
        if any(p == phrase for _, p in prev):  # already in the question: "councillors?" after "staff and councillors"
            continue
        for k, p in prev:
            if k == kind and p != phrase and all(p != old for old, _ in pairs):
                pairs.append((p, phrase))
                break
    return pairs


# A question put in full: an opening question word and a verb of its own ("and how do I change my email
# password?", "and who approves my holiday?"). "What about…", "what if…", "and if…" are not: they are shapes of
# a follow-up.
_OPENER = re.compile(
    r"^(?:how (?:much|many|long|often|soon)\b|"  # "and how much sick pay do I get?"
    r"(?:how|what|who|where|when|why|which)(?:'s| (?:do|does|did|can|could|should|would|will|is|are|was|"
    r"were|has|have|must|may|(?!(?:happens|applies|means|counts|goes|matters|changes)\b)\w+s))|"
    r"(?:can|could|do|does|is|are|should|may|must|will|would|am|have|has) "
    r"(?:i|we|you|staff|employees|the|my|our|a|an))\b"
)


def stands_alone(text: str) -> bool:
    """A whole question, though it may open like a follow-up ("and who approves my holiday?"): a question word and
    verb of its own, two or more words that carry meaning, and nothing that points back ("it", "that", "they",
    "too", "instead")."""
    t = _LEAD.sub("", fold(text))
    return bool(_OPENER.match(t)) and len(content_words(t)) >= 2 and not (_points_back(t) or _TAIL.search(t))


def is_elliptical(text: str, previous: str) -> bool:
    """True when `text` can't stand alone and leans on `previous`."""
    t = fold(text)
    n = len(content_words(t))
    if n >= 6:  # a whole question of its own, whatever it starts with
        return False
    if _CUE.match(t) or _TAIL.search(t):
        return True
    # Otherwise only a very short message leans on the previous one: "my own account?", "that one?",
    # "councillors?" do; "can I add a supplier on my personal facebook?" is a question of its own.
    if n <= 2 and (_points_back(t) or kin(previous, text) or set(_words(t)) & set(ACCOUNTS)):
        return True
    return n <= 1  # "instagram?" alone


def bare(text: str, previous: str) -> bool:
    """One word and nothing that ties it to the question before ("passwords", "weekends?"): a follow-up only if,
    alone, it finds no answer (service.AskService.reading)."""
    t = fold(text)
    return (
        len(content_words(t)) <= 1
        and not (_CUE.match(t) or _TAIL.search(t) or _points_back(t) or kin(previous, text))
        and not set(_words(t)) & set(ACCOUNTS)
    )


def owner(text: str) -> str:
    """Whose account a follow-up speaks of: "personal", "corporate", or "" when it names no owner."""
    words = set(_words(text))
    sides = [side for side, ws in _SIDE_WORDS.items() if words & ws]
    return sides[0] if len(sides) == 1 else ""


def owners(text: str) -> set[str]:
    """The sides whose accounts a text speaks of: {"corporate"} for "posts from Council accounts"."""
    return {side for side, pattern in _OWNED.items() if pattern.search(fold(text))}


def fits_owner(clause_text: str, side: str) -> bool:
    """False for a clause only about the other side's accounts (5.18's "their own social media accounts" for a
    question about the council's account)."""
    found = owners(clause_text)
    return not found or side in found


def platform_swaps(previous: str, follow_up: str) -> list[tuple[str, str]]:
    """(platform of the previous question, platform the follow-up puts in its place): ("linkedin", "facebook") for
    "and what about facebook?" after a LinkedIn question."""
    platforms = set(KINDS["platform"])
    return [(a, b) for a, b in kin(previous, follow_up) if a in platforms and b in platforms]


def fits_platforms(clause_text: str, swaps: list[tuple[str, str]]) -> bool:
    """False for a clause about the platform a follow-up moved away from, and not the one it moved to (5.15's
    LinkedIn exception, for "and what about facebook?"). A clause naming no platform, or the new one, or several
    (a list of the platforms the policy covers), still fits."""
    named = set(_words(clause_text)) & set(KINDS["platform"])
    return len(named) != 1 or not any(old in named and new not in named for old, new in swaps)


def swap_owner(previous: str, side: str) -> str:
    """The previous question with its account owner changed to `side` ("the council's page" -> "my own page");
    unchanged when no owner of the other side owns an account in it."""
    other = "corporate" if side == "personal" else "personal"
    return _OWNED[other].sub(_OWNER_PHRASE[side], previous)


def _read_together(previous: str, follow_up: str) -> tuple[str, str]:
    """(the combined reading, what it appends of the follow-up's own words, or "" when it only swaps words)."""
    pairs = kin(previous, follow_up)
    out = previous
    for old, new in pairs:
        said_as = r"(?:'s)?\W+".join(re.escape(w) for w in old.split())  # as typed: "agency workers", "council's"
        out = re.sub(rf"\b{said_as}\b", new, out, flags=re.IGNORECASE)
    side = owner(follow_up)
    swapped = swap_owner(out, side) if side else out
    own = _LEAD.sub("", fold(follow_up))
    if not pairs and swapped == previous:
        return f"{previous} {own}", own
    # Whatever else the follow-up says that the previous question didn't ("…for a volunteer's own page?").
    said = set(content_words(swapped)) | {w for _, n in pairs for w in n.split()}
    rest = [w for w in content_words(follow_up) if w not in said and w not in _SIDE_WORDS[side or "personal"]]
    return (swapped, "") if not rest else (f"{swapped} {own}", own)


def combine(previous: str, follow_up: str) -> str:
    """The follow-up read with the question before it, as one new question."""
    return _read_together(previous, follow_up)[0]


def asks_more(previous: str, follow_up: str) -> str:
    """What the follow-up asks beyond the question before it ("at weekends?", "who do I tell?"): the words the
    combined reading appends, less those the previous question already has ("and when someone leaves the team?"
    after a question about the team's account asks "when someone leaves"); "" when it only puts another word in
    the previous question's place ("what about instagram?")."""
    own = _TAIL.sub("", _read_together(previous, follow_up)[1] or "")  # "instead", "too": no new words
    said = set(terms(previous))
    return " ".join(w for w in words(own) if stem(w) not in said) if own else ""


def added_terms(previous: str, follow_up: str) -> list[str]:
    """The stems of what the follow-up asks beyond the question before it, less "too", "instead" and the like."""
    said = set(terms(previous)) | _ACCOUNT_TERMS
    return [t for t in terms(_TAIL.sub("", asks_more(previous, follow_up))) if t not in said]


# Whose account and what kind of account: words a follow-up uses to vary the question before ("even if my
# account's private?"), never a subject of their own.
_ACCOUNT_TERMS = set(terms(" ".join((*ACCOUNTS, "account", "accounts", "page", "profile", "channel", "feed"))))


_VARIED = {
    "account",
    "accounts",
    "page",
    "pages",
    "profile",
    "profiles",
    "channel",
    "channels",
    "group",
    "groups",
    "feed",
    "post",
    "posts",
    "site",
    "website",
    "blog",
} | set(_KIND_OF)


def varies(follow_up: str) -> bool:
    """The follow-up names another account, page, platform or group of people ("what about a temporary campaign
    account?", "a community group page?"): it varies the question before, whatever else it says."""
    return bool(_VARIED & set(_words(follow_up)))


def new_words(follow_up: str, known) -> list[str]:
    """Content words of the follow-up that the knowledge base has never seen: a sign of a new topic
    ("and how do I renew my parking permit?"), not of a follow-up."""
    return [w for w in content_words(follow_up) if w not in _KIND_OF and not known(w)]


def new_topic(follow_up: str, known) -> bool:
    """Mostly words the knowledge base has never seen ("and my parking permit?", "what about the depot?"): a new
    topic. One unseen word among known ones ("do they have to arrange training too?") is still a follow-up."""
    unseen = new_words(follow_up, known)
    return 2 * len(unseen) > len(content_words(follow_up))


def fragment(text: str) -> str:
    """What a follow-up-shaped message with nothing before it asks about ("what about instagram?" -> "instagram"),
    or "" when the message is a question of its own."""
    t = fold(text).strip()
    rest = _LEAD.sub("", t)
    if rest == t or len(content_words(t)) > 1:  # only "what about…", "and…", "same for…" lead a fragment
        return ""
    rest = re.sub(r"[?.!]+$", "", rest).strip()
    return re.sub(r"^(on|for|about|in|with|from|at|to)\s+", "", rest)  # "on twitter" is about twitter


def said_back(words: str) -> str:
    """The person's words as TED says them back to them: "my own account" is "your own account"."""
    return re.sub(r"\b(my|mine|me)\b", lambda m: {"my": "your", "mine": "yours", "me": "you"}[m.group(1)], words)
