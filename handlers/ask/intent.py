"""Telling a policy question from smalltalk and from someone who wants to report something.

Patterns are matched on folded text. They are deliberately about *how people ask* (verbs and
sentence shapes), not about topics, so they carry over to any policy the knowledge base holds.
"""

from __future__ import annotations

import re

from knowledge.text import content_words, fold, transpositions

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
    # what TED holds: answered with the list of documents (AskService.holding)
    r"(what|which) (documents|policies|docs|guidance|handbooks)( (do|can) (you|u|ted) (have|hold|cover|"
    r"know( about)?|answer( questions)? (from|on|about))| are (you|u) (able to )?(answer|cover)\w*( from| on| about)?|"
    r" (have|do) you got)?",
    r"(list|show( me)?|tell me) (your|the|all( the| your)?) (documents|policies|docs)"
    r"( you (have|hold|know))?( please)?",
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
# Other ways to ask to file one, which council work uses too: they count for something posted, or abuse, only.
_FILE_A_REPORT = re.compile(r"\b(submit|lodge|send in|put in) a report\b|\bput a report in\b")
_ITEM = re.compile(
    r"\b(post|posts|comment\w*|repl(y|ies)|messag\w*|dms?|tweet\w*|video\w*|stor(y|ies)|photo\w*|pics?|meme\w*|"
    r"review\w*|fake account|troll\w*)\b"
)
# What TED takes reports of: something online, or abuse. "How do I report a pothole?" is not one.
_REPORTABLE = re.compile(
    r"\b(post\w*|comment\w*|repl(y|ies)|messag\w*|dm\w*|inbox|account\w*|tweet\w*|video\w*|stor(y|ies)|photo\w*|"
    r"pic\w*|image\w*|online|page|profile|group|thread|feed|social|facebook|fb|instagram|insta|twitter|x|tiktok|"
    r"youtube|linkedin|snapchat|threads|whatsapp|reddit|nextdoor|colleague\w*|councillor\w*|parody|fake|"
    r"impersonat\w*|troll\w*|this|it|them|him|her)\b"
)

_ABUSE = re.compile(
    r"\b(abus\w*|harass\w*|hassl\w*|threat\w*|troll\w*|bull(y|ied|ying)|racis\w*|hate\w*|homophob\w*|sexis\w*|"
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


# Only swaps, never a letter changed: "repost" (a real word, and a policy question) must stay itself.
_REPORT_SLIPS = {slip: word for word in ("report", "reporting", "reported") for slip in transpositions(word)}


def _unslipped(t: str) -> str:
    return re.sub(r"[a-z]+", lambda m: _REPORT_SLIPS.get(m.group(0), m.group(0)), t)


# Nothing but asking to report ("report", "I want to report something", "I'd like to make a report"): what TED's
# greeting and help tell people to type. Whatever it is about comes in the form.
_JUST_REPORT = re.compile(
    r"^(please |pls |hi,? |hello,? )?((i|we)( (want|need|would like|wish)|'d like) to |(can|could|may) (i|we) |"
    r"how (do|can|would) (i|we) |i'?m (here|trying) to |let me |i'?d like |i want )?"
    r"(report|flag|make a report|file a report|raise a report|log a report|submit a report|open a report|"
    r"start a report|a report)( (something|an incident|a problem|an issue|a concern|someone|somebody|a post|"
    r"a comment|a message))?( (please|pls|now))?[\s.!?]*$"
)


def wants_to_report(text: str) -> bool:
    t = _unslipped(fold(text))
    if t.startswith("/report") or _JUST_REPORT.match(t.strip()):
        return True
    if _FILE_A_REPORT.search(t):  # "submit a report to cabinet about our social media strategy" is council work
        return bool(_ITEM.search(t) or _ABUSE.search(t))
    return bool(_REPORT_RE.search(t)) and bool(_REPORTABLE.search(t) or _ABUSE.search(t))


# Something online or abuse, named as such: what the report form takes. Narrower than _REPORTABLE, whose pronouns
# stand for anything at all, because the semantic route has no "report" verb to lean on.
_ONLINE_THING = re.compile(
    r"\b(post\w*|comment\w*|messag\w*|dms?|inbox|account\w*|tweet\w*|video\w*|stor(y|ies)|photo\w*|pics?|"
    r"image\w*|online|page|profile|group|thread|feed|social|facebook|fb|instagram|insta|twitter|x|tiktok|"
    r"youtube|linkedin|snapchat|threads|whatsapp|reddit|nextdoor|messenger|parody|fake|meme\w*|review\w*|"
    r"forum|impersonat\w*|troll\w*|screenshot\w*|blog\w*)\b"
)


def reportable(text: str) -> bool:
    """It is about something TED takes reports of: something online, or abuse."""
    t = fold(text)
    return bool(_ONLINE_THING.search(t) or _ABUSE.search(t))


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


# Sentence shapes that tell a report from a question about the rules, whatever the topic. A report tells what is
# happening ("there's a post…", "a resident keeps messaging me…", "I've been sent…"); a question about the rules
# asks in general or in the conditional ("what happens if…", "am I allowed to…", "does the policy…").
_HAPPENING = re.compile(
    r"\b(there'?s|there is|there are|there'?re|some(one|body)'?s|i'?ve (been|had|got|seen|just|found)|"
    r"i'?m (being|getting|receiving)|i (got|was|keep|just)|got sent|just (seen|found|had|got)|"
    r"((?<=[a-z] )(is|are|am|keeps?|been|was|were)|'s|'re) (posting|sending|messaging|commenting|calling|threatening|"
    r"harass\w*|abusing|trolling|slagging|slating|bad-?mouthing|spreading|sharing|tagging|filming|leaving|"
    r"piling|ganging|running|pretending|impersonating|writing|saying|getting|receiving|mocking|attacking|naming|"
    r"accusing|blaming|insulting|targeting|bullying|hassling|stalking|following|contacting)|"
    r"(has|have|had) (posted|put|shared|written|sent|made|set up|left|called|threatened|said|filmed|"
    r"screenshotted|uploaded|leaked|started)|"
    r"(posted|sent|wrote|called|threatened|shared|left|filmed|said|made|leaked|tagged) (me|my|a |an |on |in |"
    r"that|it|this|about|our|the|him|her|them|photos?|pics?|videos?))\b"
)
_IN_GENERAL = re.compile(
    r"^((is|are) \w+ing\b|(can|could|would) you (tell|show|find|get|give) me|if|when|what if|what happens|"
    r"why (is|are) \w+ing\b|"  # an activity in general: "why is abusing coworkers online such a big deal"
    r"what would|what (is|'s|are) (the|our|my) (process|rules?|policy|procedure|position|stance|attitude|"
    r"council'?s)|what (counts|does|do)|am i allowed|are (we|staff|employees) "
    r"(allowed|supposed|expected)|(can|could|may|must|should|do|does|will|would|is|are) (i|we|staff|employees|"
    r"the policy|the council|it|there|my manager|contractors|volunteers)\b|is it (ok|okay|alright|allowed|fine|"
    r"a breach|against)|who (is|looks|keeps|monitors|reviews|needs|should be)|how (often|quickly|long))|"
    r"\bif (i|we|they|he|she|someone|somebody|anyone|anybody|a|an|any|staff|people|my|our|the|you|your)\b|"
    r"\bam i allowed\b|"
    # Asking about one's own conduct, anywhere in the message: "…tagged me in it, should I reply?"
    r"\b(should|can|could|may|must|do) (i|we) (\w+ )?(say|reply|respond|comment|challenge|answer|delete|block|"
    r"share|post|like|ignore|hide|accept|add|use|put|have to|need to)\b|"
    r"\b(am i|are we|is it|is that|is this) (ok|okay|alright|allowed|fine|a breach|against|acceptable|"
    r"appropriate|expected|supposed|required|meant)\b|"
    r"\b(will|could|would|can|might) (i|we) (get|be) (in trouble|disciplined|sacked|dismissed)\b|"
    # Work one has been given, or one's own slip, then a question about the rules: "I've been asked to reply to
    # residents for the council, do I need permission?", "I posted on the council page as myself, what's the
    # rule on that?" (someone else's post with the same question is still a report).
    r"\bi'?(ve| have) been (asked|told) to\b.*\b(do|will) (i|we) (need|have to)\b|"
    r"\bi (accidentally |just |have |'ve )?(posted|put|shared|wrote|commented|replied|tweeted)\b.*"
    r"\bwhat( is|'?s| are) the (rules?|policy|position|guidance) (on|about|for)\b"
)
_PASS_ON = re.compile(
    r"\b(report\w*|flag\w*|log|record|escalat\w*|pass (it |this |them )?on|forward|send (it|this|them)|"
    r"tell(?! me)|let \w+ know|look at|deal with|on record|who do i (go|send|tell|pass))\b"
)


def report_cues(text: str) -> dict[str, float]:
    """How the message is put, as numbers for the report model (handlers/ask/examples.py)."""
    t = _unslipped(fold(text))
    return {
        "happening": float(bool(_HAPPENING.search(t))),
        "in_general": float(bool(_IN_GENERAL.search(t))),
        "pass_on": float(bool(_PASS_ON.search(t))),
        "abuse": float(describes_abuse(t) or about_a_colleague(t)),
    }


# Someone may be in danger: a threat of physical harm, a weapon, being followed or found at home. Checked before
# anything is ranked, whatever the rest says: the answer puts 999 first and offers the report form, never "the
# policy doesn't cover that" (which would also leave the threat in the unanswered list for the comms team).
_DANGER = re.compile(
    r"\b((with|has|had|have|carrying|carries|bring\w*|brought|pulled|waving|wielding) an? (knife|gun|weapon)|"
    r"(knife|gun|weapon|bomb|acid)s? (at|to) (me|him|her|them|us|the office|the depot|work)|"
    r"(stab|murder|bomb) (me|him|her|them|us|you|the office|the depot|staff)|"
    # People, not "my chances" or "our budget": "will leave hurt my review?" is no threat.
    r"(kill|hurt|beat up|punch|batter|stab) (me|you|him|her|them|us|staff|someone|a colleague|the staff|"
    r"(my|our|your|his|her) (kids?|children|child|family|partner|wife|husband|son|daughter|colleagues?|team|staff))"
    r"\b(?!'s))\b"
)
# Weaker signs, a threat only when someone said or sent them, or the person is afraid: "they know where I live" in a
# comment is; "will someone wait for me at reception on my first day?" is not.
_MENACE = re.compile(
    r"\b(knows? where (i|you|he|she|they|we|my \w+|our \w+) (live|lives|work|works|go|goes|park|parks)|"
    r"where (my|our|her|his) (kids|children|son|daughter|family|partner) (go|goes|live|lives)|"
    r"wait(ing)? for (me|you|her|him|them) (after|outside)|"
    r"watch (my|your|his|her|their) back|follow(ed|ing|s)? (me|her|him|them) (home|to my)|"
    r"outside my (house|home|door|flat)|turn(ed|ing)? up at my (house|home|door|flat)|"
    # "attack" has an everyday sense ("hackers who attack us"): a threat when someone said it
    r"attack (me|you|him|her|them|us|staff|someone))\b"
)
_SAID_OR_AFRAID = re.compile(
    r"\b(said|says|saying|told|tells|threat\w*|messag\w*|comment\w*|post(ed|ing)?|dm\w*|wrote|writes|"
    r"tweet\w*|email\w*|call(ed|s)?|rang|scared|afraid|frightened|unsafe|terrified)\b"
)
_SELF_HARM = re.compile(
    r"\b(kill (my|him|her|them)sel(f|ves)|end (my|his|her) (own )?life|suicid\w*|self[- ]harm\w*|"
    r"(want|going) to die|hurt (my|him|her)self)\b"
)


# A council's own work on the subject (a knife crime campaign, suicide prevention week) is not anyone in danger.
_CAMPAIGN = re.compile(r"\b(awareness|campaign\w*|amnesty|prevention|poster\w*)\b")


def in_danger(text: str) -> bool:
    """Someone may be in danger from another person (a threat to hurt them, a weapon, being followed)."""
    t = fold(text)
    threat = _DANGER.search(t) or (_MENACE.search(t) and _SAID_OR_AFRAID.search(t))
    return bool(threat) and not _CAMPAIGN.search(t)


def may_self_harm(text: str) -> bool:
    t = fold(text)
    return bool(_SELF_HARM.search(t)) and not _CAMPAIGN.search(t)
