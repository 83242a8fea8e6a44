"""From ranked clauses to an answer: confidence, the honest fallback, "Did you mean", see-also."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, replace

import sqlite_utils

from knowledge import calibration
from knowledge.model import MAX_CITATION_CHARS
from knowledge.scope import held_document, unheld_document
from knowledge.search import Hit, KnowledgeIndex, Query, ranking_params
from knowledge.teach import is_taught, says_more, taught_exactly
from knowledge.text import fold
from knowledge.vectors import Embedder, Taught

POLICY, REPORT, SMALLTALK, FALLBACK = "policy", "report", "smalltalk", "fallback"
INTENTS = (POLICY, REPORT, SMALLTALK, FALLBACK)
SUMMARY_LABEL = "In short:"  # what every channel puts before a clause's plain-English summary
SEE_ALSO_CHARS = 300
SHOWN = 5  # ranked clauses an answer is made from
# With the semantic signal on, a best clause whose meaning is this far from the question's is never the answer,
# however its words matched: "can I post on facebook during work hours?" against a three-clause parking policy
# ("…charging bays for up to four hours", cosine 0.09) was answered at 0.53. On the training questions, of the best
# clauses below 0.25 TED answered with two, both wrong, and none was right.
MIN_MEANING = 0.25
SUGGESTED = 3  # closest clauses a "not covered" offers when TED was nearly sure (Answerer.fallback)
SEARCHED = 20  # ranked clauses looked at, so a taught clause that ranks lower can still be put first


# An owner named by a role ("Facilities Manager", "Communications team") is "the …"; a person ("Harper Singh"), an
# address and a department known by its letters ("HR") are not.
_ROLE = re.compile(
    r"\b(manager|managers|team|officer|officers|head|director|service|services|department|unit|lead|leads|"
    r"communications|comms|board|committee|office|desk|group|owner|administrator|coordinator|"
    r"adviser|advisor|controller|executive|secretary|clerk|council|partner|editor|guardian|specialist|analyst|"
    r"assistant|supervisor|consultant|coordinator|steward|champion|representative)\b",
    re.IGNORECASE,
)


# "Who owns / is responsible for / looks after the … policy?" and the clause words that answer it.
_WHO_OWNS = re.compile(
    r"\bwho(?:'s| is)?\s+(?:owns|is the owner of|the owner of|is responsible for|responsible for|looks after|"
    r"is in charge of|in charge of|wrote|maintains|manages|do i ask about|should i ask about)\s+"
    # ... the document itself ("the Expenses Policy", "this policy"), never a task ("approving new accounts")
    r"(?:the |this |that |our )?(?:[a-z&'-]+ ){0,4}(?:polic(?:y|ies)|handbook|document|guidance|procedures?|"
    r"strategy|code of conduct)(?: document)?\s*[?.!]*$"
)
_OWNERSHIP = re.compile(r"\b(owner|owns|lead officer|responsible for (this|the) (policy|document))\b")


def document_name(title: str, version: str = "") -> str:
    """How TED names a document to people, in every channel: "Social Media Policy, Web edition"."""
    return f"{title}, {version}" if version else title


@dataclass(frozen=True)
class Citation:
    doc: str
    clause: str
    title: str
    text: str
    score: float
    doc_title: str = ""
    version: str = ""
    heading: str = ""

    def to_json(self) -> dict:
        return {
            "doc": self.doc,
            "clause": self.clause,
            "title": self.title,
            "text": self.text[:MAX_CITATION_CHARS],
            "score": round(self.score, 4),
        }

    @property
    def label(self) -> str:
        """The clause by number and title: "5.13 — Adding business contacts on personal accounts"."""
        return f"{self.clause} — {self.title}" if self.title else self.clause

    @property
    def where(self) -> str:
        """The document it is quoted from, with its version (its id when it has no title)."""
        return document_name(self.doc_title or self.doc, self.version)

    @property
    def headline(self) -> str:
        """The heading over a quoted clause, the one every channel shows:
        "Social Media Policy, Web edition — 5.13 — Adding business contacts on personal accounts"."""
        return f"{self.where} — {self.label}"


def plain_text(
    intent: str,
    text: str,
    citations: tuple[Citation, ...] = (),
    summary: str = "",
    see_also: tuple[Citation, ...] = (),
    also: tuple[Citation, ...] = (),
) -> str:
    """An answer as one plain text, for what shows no cards (`ted ask`, `ted chat`, a chat message's
    notification text): a policy answer leads with the plain-English summary, then its clause (heading, quote),
    the clauses that complete it ("Also relevant"), see-also, then TED's own words. Other answers are their
    words alone; their citations are shown only as cards."""
    parts: list[str] = []
    if intent == POLICY and citations:
        c = citations[0]
        if summary:
            parts.append(f"{SUMMARY_LABEL} {summary}")
        parts += [f"{c.headline}:", f"“{c.text[:MAX_CITATION_CHARS]}”"]
        for a in also:
            parts += [f"{ALSO_LABEL} {a.label}:", f"“{a.text[:MAX_CITATION_CHARS]}”"]
        for s in see_also:
            more = "…" if len(s.text) > SEE_ALSO_CHARS else ""
            parts.append(f"See also {s.label}: “{s.text[:SEE_ALSO_CHARS]}{more}”")
    if text:
        parts.append(text)
    return "\n\n".join(parts)


def closest_names(close: tuple[Citation, ...], named_doc: str = "") -> list[str]:
    """How a "not covered" names the closest clauses, each in quotes: by number and title, by number and its
    first words where titles repeat (or only repeat the document's name, or are missing), and with the document's
    name where they come from more than one document, or from another than the one the fallback names."""
    titles = [c.title for c in close]
    out = []
    for c in close:
        title = c.title
        if not title or titles.count(title) > 1 or title == c.doc_title:
            words = c.text.split()
            title = " ".join(words[:8]) + ("…" if len(words) > 8 else "")
        name = f"{c.clause} — {title}" if title else c.clause
        if len({x.doc for x in close}) > 1 or (named_doc and c.doc != named_doc):
            name = f"{name} ({c.where})"
        out.append(f"“{name}”")
    return out


@dataclass(frozen=True)
class Answer:
    intent: str
    text: str  # TED's own words; a policy answer's clause, summary and see-also are the data below
    confidence: float = 0.0
    citations: tuple[Citation, ...] = ()
    did_you_mean: tuple[Citation, ...] = ()
    see_also: tuple[Citation, ...] = ()
    offer_report: bool = False
    nearest: tuple[str, str] = ("", "")  # a fallback's best candidate (doc id, clause), for the unanswered log
    read_as: str = ""  # the question as TED read it, when a follow-up was read with the one before it
    summary: str = ""  # the top clause's plain-English summary
    also: tuple[Citation, ...] = ()  # clauses that complete the answer (its exception, next step, cross-reference)
    taught: bool = False  # settled by what the communications team taught (knowledge.teach)
    unanswered_id: int = 0  # a fallback's row in the unanswered log (handlers.ask.service), when it was logged

    @property
    def plain_text(self) -> str:
        return plain_text(self.intent, self.text, self.citations, self.summary, self.see_also, self.also)

    def to_json(self) -> dict:
        # "answer" is the whole text shown to the person, as the contract has always had it.
        out = {
            "intent": self.intent,
            "answer": self.plain_text,
            "confidence": round(self.confidence, 4),
            "citations": [c.to_json() for c in self.citations],
        }
        if self.summary:
            out["summary"] = self.summary
        # Always present, empty when empty, so a reader of the JSON needn't test for them.
        out["also_relevant"] = [c.to_json() for c in self.also]
        out["did_you_mean"] = [c.to_json() for c in self.did_you_mean]
        out["see_also"] = [c.to_json() for c in self.see_also]
        out["offer_report"] = self.offer_report
        return out


MAX_CARDS = 3  # the best clause and at most two that complete it
ALSO_LABEL = "Also relevant:"


def _next_to(a: str, b: str) -> bool:
    """Neighbouring clauses of one section: 7.1 and 7.2, 5.16 and 5.17 (the same rule's next step)."""
    pa, pb = a.split("."), b.split(".")
    if len(pa) != len(pb) or len(pa) < 2 or pa[:-1] != pb[:-1]:
        return False
    try:
        return abs(int(pa[-1]) - int(pb[-1])) == 1
    except ValueError:
        return False


def completes(best: Hit, other: Hit) -> bool:
    """`other` belongs with `best` in one answer: a cross-reference either way (5.15's "notwithstanding 5.13"),
    or its neighbour in the same section."""
    if other.doc_id != best.doc_id:
        return False
    return other.number in best.refs or best.number in other.refs or _next_to(best.number, other.number)


def agrees(taught: Taught | None, hits: list[Hit], unsure: bool) -> bool:
    """The ranking says what the taught example says: its clause ranks first; for a "not covered" example, the
    ranking would not answer either (`unsure`: its confidence is below the threshold) and its document holds the
    best clause."""
    if taught is None or not hits:
        return False
    if taught.phrasing:
        return hits[0].rowid == taught.clause
    return unsure and hits[0].doc_id == taught.doc


class DocumentInfo:
    """Titles, versions and owners of the documents, cached per knowledge-base revision."""

    def __init__(self, db: sqlite_utils.Database):
        self.db = db
        self._rows: dict[str, dict] = {}
        self._rev = -1

    def get(self, doc_id: str, rev: int) -> dict:
        if rev != self._rev:
            self._rows = {r["id"]: r for r in self.db["documents"].rows}
            self._rev = rev
        return self._rows.get(doc_id, {})

    def all(self, rev: int) -> list[dict]:
        self.get("", rev)
        return list(self._rows.values())


class Answerer:
    """Answers one question from the knowledge base (policy or fallback, never a guess)."""

    def __init__(
        self,
        db: sqlite_utils.Database,
        min_confidence: float = -1.0,
        fallback_contact: str = "the Communications Manager",
        embedder: Embedder | None = None,
        suggest_confidence: float = 0.3,
    ):
        self.db = db
        self.index = KnowledgeIndex(db, embedder)
        self.docs = DocumentInfo(db)
        self.min_confidence_override = min_confidence
        self.fallback_contact = fallback_contact
        # A "not covered" this sure or more still offers the closest clauses (see fallback). On the training
        # questions, of the fallbacks from 0.3 to the threshold the right clause was among the first three for 13
        # of 30 on the council policy and 24 of 36 on the handbook; below 0.3, 18 of 201 and 11 of 63. With the
        # semantic signal off (its own confidence models), from 0.3: 37 of 58 and 9 of 13; below, 27 of 182 and 37
        # of 117. TED_MIN_CONFIDENCE at or below it leaves nothing between: no fallback then offers clauses.
        self.suggest_confidence = suggest_confidence

    @property
    def semantic(self) -> bool:
        return self.index.embedder is not None and not self.index.matrices.empty

    def citation(self, hit: Hit) -> Citation:
        info = self.docs.get(hit.doc_id, self.index._revision)
        return Citation(
            hit.doc_id,
            hit.number,
            hit.title or hit.heading,
            hit.text,
            hit.score,
            info.get("title", hit.doc_id),
            info.get("version", ""),
            hit.heading,
        )

    def topic_question(self, doc_id: str, number: str) -> str:
        """A question the clause answers, to stand for it as a conversation's topic: its first example question,
        else one made of its title ("" for no such clause)."""
        row = self.db.execute(
            "select questions, title from clauses where doc_id = ? and number = ?", [doc_id, number]
        ).fetchone()
        if not row:
            return ""
        questions = [q for q in (row[0] or "").split("\n") if q.strip()]
        return questions[0] if questions else (f"what does the policy say about {row[1].lower()}?" if row[1] else "")

    def clause(self, doc_id: str, number: str) -> Citation | None:
        e = self.index.view(doc_id, number)
        return self.citation(Hit(**e.view())) if e else None

    def answer(self, question: str, keep: Callable[[Hit], bool] | None = None) -> tuple[Answer, Query, list[Hit]]:
        """`keep`, when given, leaves out the clauses it refuses before the answer is ranked and scored (a
        follow-up about one's own account is not answered by a clause about the council's accounts only)."""
        named = self.named(question) if keep is None else None
        query, hits = self.index.search(question, limit=SEARCHED if keep is None and not named else 2 * SEARCHED)
        if keep is not None:
            hits = [h for h in hits if keep(h)][:SEARCHED]
        elif named and hits and hits[0].doc_id != named:
            # A question that names one of the documents TED holds ("what does the Expenses Policy say about
            # taxis?") is answered from that document, or not at all: never from another that uses its words.
            hits = [h for h in hits if h.doc_id == named][:SEARCHED]
        else:
            hits = hits[:SEARCHED]
        params = ranking_params()
        taught = self.taught(query)
        if taught is None and self.index.embedder is None and (exact := taught_exactly(self.db, question)):
            # No sentence model: what was taught is found by its words alone, the very question settling it.
            kind, where = exact
            taught = Taught(
                kind == "phrasing", 1.0, 1.0, question, **({"clause": where} if kind == "phrasing" else {"doc": where})
            )
        first = calibration.judged(hits)[:SHOWN]
        unsure = bool(taught and not taught.phrasing and hits) and calibration.confidence(
            first, params, self.semantic
        ) < calibration.threshold(params, first, self.semantic, self.min_confidence_override)
        if calibration.taught_decides(taught, params, agrees(taught, hits, unsure)) and self.settles(
            query, taught, hits, params
        ):
            # The communications team settled this question (or one worded nearly the same): theirs, whatever
            # the wording suggests (a document TED doesn't hold, a clause that reads closer).
            if not taught.phrasing:
                return replace(self.fallback(0.0, hits[:SHOWN]), taught=True), query, hits[:SHOWN]
            hits = self.promoted(hits, taught)
            conf = max(calibration.confidence(hits, params, self.semantic), taught.similarity)
            if conf >= calibration.threshold(params, hits, self.semantic, self.min_confidence_override):
                return replace(self.compose(hits, conf), taught=True), query, hits
            return self.fallback(conf, hits, suggest=True), query, hits
        judged = calibration.judged(hits)[:SHOWN]  # whether to answer is judged before the token re-ordering
        hits = hits[:SHOWN]
        missing = self.unheld(question)
        # A question the communications team taught to a clause is that clause's, whatever the wording suggests.
        if missing and not is_taught(self.db, question):
            return self.not_held(missing, hits), query, hits
        if not hits:
            return self.fallback(), query, hits
        conf = calibration.confidence(judged, params, self.semantic)
        unrelated = self.semantic and judged[0].sem < MIN_MEANING  # not an answer, nor close enough to offer
        if unrelated or conf < calibration.threshold(params, judged, self.semantic, self.min_confidence_override):
            # The closest clauses, unless the question names a policy TED doesn't hold: they are not its answer.
            offer = not unrelated and not self.unheld(question, loose=True)
            return self.fallback(conf, hits, suggest=offer), query, hits
        return self.compose(hits, conf), query, hits

    def taught(self, query: Query) -> Taught | None:
        """The taught example nearest the question (semantic: the question's vector is already memoised)."""
        m, emb = self.index.matrices, self.index.embedder
        if emb is None or m.empty or not m.has_taught or not query.text.strip():
            return None
        qv = emb.embed_query(query.corrected_text)
        return m.nearest_taught(qv, m.similarity(qv))

    def settles(self, query: Query, taught: Taught, hits: list[Hit], params: dict) -> bool:
        """Whether the taught example, near enough, may overrule the ranking: a "not covered" mark speaks for its
        own document only, and neither it nor a phrasing taught to another clause speaks for a question that adds
        words of the ranked clause's own wording (knowledge.teach.says_more)."""
        if not hits:
            return taught.phrasing
        best, typo = hits[0], params["typo_factor"]
        wording = self.index.wording(best.rowid)
        if not taught.phrasing:
            return best.doc_id == taught.doc and not says_more(query, taught.text, wording, {}, typo)
        if best.rowid == taught.clause:
            return True
        return not says_more(query, taught.text, wording, self.index.wording(taught.clause), typo)

    def promoted(self, hits: list[Hit], taught: Taught) -> list[Hit]:
        """The ranking with the taught clause first (found by meaning alone it may rank low, or not at all)."""
        mine = [h for h in hits if h.rowid == taught.clause]
        if not mine:
            got = self.index.clause_at(taught.clause)
            mine = [Hit(**got[0].view(), sem=taught.similarity, enriched=got[1])] if got else []
        return [*mine, *(h for h in hits if h.rowid != taught.clause)][:SHOWN]

    def compose(self, hits: list[Hit], confidence: float) -> Answer:
        """A policy answer from ranked hits, best first: the clauses that complete it are cards of their own
        ("Also relevant"); other close candidates are genuine alternatives ("Did you mean")."""
        best = hits[0]
        params = ranking_params()
        score = calibration.before_tokens  # the ratios and margins were fitted on these, not on re-ordered scores
        ratio = params["also_relevant_ratio"]
        also = [h for h in hits[1:4] if completes(best, h) and score(h) >= ratio * score(best)]
        also = also[: MAX_CARDS - 1]
        shown = {best.rowid, *(h.rowid for h in also)}
        close = tuple(
            self.citation(h)
            for h in hits[1:3]
            if h.rowid not in shown and abs(score(best) - score(h)) <= params["did_you_mean_margin"]
        )
        ordered = [best, *also, *(h for h in hits[1:] if h.rowid not in shown)]
        # The clauses that complete the answer are among the citations; after the answer itself, they are listed
        # by score like the rest, so `citations` is best first by the score each carries.
        cites = tuple(self.citation(h) for h in [best, *sorted(ordered[1:3], key=lambda h: -h.score)])
        see_also = tuple(
            c
            for c in (self.clause(best.doc_id, n) for n in best.refs)
            if c and c.clause not in {h.number for h in also}
        )
        return Answer(
            POLICY,
            "",
            confidence,
            cites,
            did_you_mean=close,
            see_also=see_also,
            summary=best.summary,
            also=tuple(self.citation(h) for h in also),
        )

    def document_titles(self) -> list[str]:
        return sorted(d["title"] for d in self._documents())

    def _documents(self) -> list[dict]:
        self.index.refresh()
        return self.docs.all(self.index._revision)

    def owner_of(self, question: str) -> Answer | None:
        """ "Who owns the Expenses Policy?": a document's owner is in its details, not in a clause. The answer
        says so plainly, as a fallback naming whom to ask, unless a clause of that document speaks of its
        ownership (the council policy's "lead officer for this policy"), which then answers as any question."""
        if not _WHO_OWNS.search(fold(question)):
            return None
        docs = self._documents()
        named = self.named(question) or (docs[0]["id"] if len(docs) == 1 else None)
        doc = next((d for d in docs if d["id"] == named), None)
        if doc is None:
            return None
        _, hits = self.index.search(question, limit=SHOWN)
        if any(h.doc_id == named and _OWNERSHIP.search(fold(h.text)) for h in hits):
            return None
        title = doc["title"]
        if not doc.get("owner"):
            return None
        text = (
            f"The {title} doesn't say so in a clause, but its details name {self._contact(doc['owner'])} as its "
            f"owner: please ask {self._contact(doc['owner'])} about it."
        )
        return Answer(FALLBACK, text, 0.0, nearest=(named, ""))

    def named(self, question: str) -> str | None:
        """The id of the one document, among several held, that the question names; None otherwise (with one
        document, naming it changes nothing)."""
        docs = self._documents()
        if len(docs) < 2:
            return None
        return held_document(question, {d["id"]: d["title"] for d in docs})

    def unheld(self, question: str, loose: bool = False) -> dict | None:
        """{"title", "owner"} of a document the question asks about that TED doesn't hold, or None (`loose`: one
        it merely names; see knowledge.scope.unheld_document)."""
        docs = self._documents()
        related: dict[str, str] = {}
        for d in docs:
            for r in json.loads(d.get("related") or "[]"):
                title, owner = (r.get("title", ""), r.get("owner", "")) if isinstance(r, dict) else (str(r), "")
                if title:
                    related.setdefault(title, owner)
        name = unheld_document(question, [d["title"] for d in docs], related, loose=loose)
        return {"title": name, "owner": related.get(name, "")} if name else None

    def _contact(self, owner: str) -> str:
        """Who to ask, as a sentence says it: "the Facilities Manager" (a role), but "Harper Singh" (a person) and
        "harper@…" (an address) as they are."""
        if not owner:
            return self.fallback_contact
        words = owner.split()
        person = (
            2 <= len(words) <= 4 and all(w[:1].isupper() and w.isalpha() for w in words) and not _ROLE.search(owner)
        )
        if owner.lower().startswith(("the ", "a ", "an ")) or "@" in owner or owner.isupper() or person:
            return owner
        return f"the {owner}"

    def not_held(self, missing: dict, hits: list[Hit]) -> Answer:
        text = (
            f"I don't hold the {missing['title']}, so I can't tell you what it says, and I won't guess. "
            f"Please ask {self._contact(missing['owner'])}. I've noted your question so the "
            f"knowledge base can be improved."
        )
        return Answer(FALLBACK, text, 0.0, nearest=(hits[0].doc_id, hits[0].number) if hits else ("", ""))

    def fallback(self, confidence: float = 0.0, hits: list[Hit] | None = None, suggest: bool = False) -> Answer:
        """The honest "not covered": it names the document closest to the question and who owns it, never a
        list of every title. `suggest`: when TED was nearly sure enough to answer (confidence at least
        suggest_confidence), the closest clauses, three at most, are offered as "Did you mean" choices, so the
        person is one press from the clause if one of them does answer it; never an answer in their place."""
        docs = {d["id"]: d for d in self._documents()}
        near = docs.get(hits[0].doc_id) if hits else None
        if near is None and len(docs) == 1:
            near = next(iter(docs.values()))
        if near:
            where = (
                f"the {near['title']}"
                if len(docs) == 1
                else f"the {len(docs)} documents I hold (the closest is “{near['title']}”)"
            )
            contact = self._contact(near.get("owner", ""))
        else:
            where, contact = "the policies I know", self.fallback_contact
        close = (
            tuple(self.citation(h) for h in hits[:SUGGESTED])
            if suggest and hits and confidence >= self.suggest_confidence
            else ()
        )
        if close:
            names = closest_names(close, near["id"] if near else "")
            listed = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
            which = f"is {listed}, in case it does" if len(names) == 1 else f"are {listed}, in case one of them does"
            text = (
                f"I couldn't find a clause in {where} that clearly answers that, so I won't guess. The closest "
                f"I found {which}; otherwise please ask {contact}, who can help. I've noted your question so the "
                f"knowledge base can be improved."
            )
        else:
            text = (
                f"I couldn't find that in {where}, so I won't guess. "
                f"Please ask {contact}, who can help. I've noted your question so the "
                f"knowledge base can be improved."
            )
        nearest = (hits[0].doc_id, hits[0].number) if hits else ("", "")
        return Answer(FALLBACK, text, confidence, nearest=nearest, did_you_mean=close)
