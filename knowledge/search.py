"""Finding the clauses that answer a question.

Two stages. SQLite FTS5 (BM25 over clause text, titles and enrichment) picks candidates;
then each candidate is scored on signals that survive the way staff actually type:

- coverage: how much of the question's meaning (IDF-weighted words, after typo correction
  and synonym expansion) the clause and its enrichment account for;
- example-question similarity: how close the question is to one of the clause's example
  questions (the QnA-Maker "alternative phrasings" idea);
- BM25 from FTS5, normalised among the candidates.

The signals (knowledge/signals.py, plus the semantic one from knowledge/vectors.py) are fused with weights
from `knowledge/data/ranking.json`; the question is read by knowledge/query.py.
"""

from __future__ import annotations

import json
import math
import threading
from collections import Counter
from dataclasses import dataclass, field, fields

import sqlite_utils
from rapidfuzz import fuzz, process

from knowledge.query import Group, Query, ranking_params, synonym_table
from knowledge.signals import naive_bayes, question_similarity
from knowledge.store import revision
from knowledge.text import content_words, is_english_word, stem, stopwords, words
from knowledge.vectors import Embedder, Matrices, ensure_vectors, load_matrices

PREFIX_MIN = 4  # stems at least this long are matched as prefixes in FTS5 (chosen on the training sets)
MAX_QUESTION_CHARS = 2000  # longer text is analysed only this far (a pasted post, say)
NB_FIELD_COUNTS = {"text": 1.0, "title": 2.0, "keywords": 1.0, "questions": 1.0, "summary": 1.0, "heading": 0.5}
FIELD_WEIGHTS = {"text": 1.0, "title": 1.0, "keywords": 0.85, "questions": 0.75, "summary": 0.75, "heading": 0.5}


# The live clauses, each with the phrasings the communications team taught it (knowledge.teach) appended to its
# example questions, so they feed the same lexical signals (example-question similarity, Naive Bayes).
CLAUSES_SQL = (
    "select c.rowid, c.doc_id, c.number, c.title, c.heading, c.text, c.summary, c.keywords, "
    "coalesce(c.questions, '') || coalesce(char(10) || (select group_concat(t.question, char(10)) from taught t "
    "where t.doc_id = c.doc_id and t.clause = c.number and t.kind = 'phrasing' and t.status = 'active'), ''), "
    "c.refs from clauses c"
)


@dataclass(frozen=True)
class ClauseView:
    """What search knows of a clause for showing it."""

    rowid: int
    doc_id: str
    number: str
    title: str
    heading: str
    text: str
    summary: str
    refs: tuple[str, ...]

    def view(self) -> dict:
        return {f.name: getattr(self, f.name) for f in fields(ClauseView)}


@dataclass(frozen=True)
class Hit(ClauseView):
    score: float = 0.0
    coverage: float = 0.0
    qsim: float = 0.0
    bm25: float = 0.0
    nb: float = 0.0
    on_topic: bool = True  # the question uses words of the document's subject
    sem: float = 0.0  # cosine of the question with the clause (passage or best example question)
    not_covered: float = -1.0  # cosine with the closest "not covered" example of the clause's document
    enriched: bool = False  # the clause has example questions written for it


@dataclass(frozen=True)
class _Entry(ClauseView):
    profile: dict[str, float] = field(default_factory=dict)  # stem -> best field weight
    questions: list[set[str]] = field(default_factory=list)
    counts: dict[str, float] = field(default_factory=dict)  # stem -> weighted count (Naive Bayes)
    total: float = 0.0


class KnowledgeIndex:
    """The searchable view of the knowledge base, rebuilt when the knowledge base changes."""

    def __init__(self, db: sqlite_utils.Database, embedder: Embedder | None = None):
        self.db = db
        self.embedder = embedder
        self.matrices = Matrices()
        self._lock = threading.Lock()
        self._revision = -1
        self.entries: dict[int, _Entry] = {}
        self.df: Counter[str] = Counter()
        self.vocab: list[str] = []
        self._vocab_set: set[str] = set()
        self._stem_set: set[str] = set()
        self.topics: dict[str, set[str]] = {}
        self._idf: dict[str, float] = {}
        self._q_postings: dict[str, list[tuple[int, int]]] = {}
        self._q_weight: dict[tuple[int, int], float] = {}
        self.by_number: dict[tuple[str, str], _Entry] = {}  # (doc id, clause number) -> entry, for see-also
        self._corrections: dict[str, str | None] = {}  # typo -> correction, per revision

    # -- building -------------------------------------------------------------------------
    def refresh(self) -> None:
        rev = revision(self.db)
        if rev == self._revision:
            return
        with self._lock:
            if rev != self._revision:
                self._build()
                self._revision = rev

    def _build(self) -> None:
        entries: dict[int, _Entry] = {}
        df: Counter[str] = Counter()
        vocab: Counter[str] = Counter()
        cur = self.db.execute(CLAUSES_SQL)
        for rowid, doc_id, number, title, heading, text, summary, keywords, questions, refs in cur:
            fields = {
                "text": text,
                "title": title,
                "heading": heading,
                "summary": summary,
                "keywords": keywords,
                "questions": questions,
            }
            profile: dict[str, float] = {}
            counts: Counter[str] = Counter()
            for name, value in fields.items():
                if not value:
                    continue
                ws = content_words(value)
                vocab.update(w for w in ws if len(w) >= 4 and w.isalpha())
                for w in ws:
                    s = stem(w)
                    counts[s] += NB_FIELD_COUNTS[name]
                    if FIELD_WEIGHTS[name] > profile.get(s, 0.0):
                        profile[s] = FIELD_WEIGHTS[name]
            df.update(profile.keys())
            qs = [set(stem(w) for w in content_words(q)) for q in (questions or "").split("\n") if q]
            entries[rowid] = _Entry(
                rowid,
                doc_id,
                number,
                title,
                heading,
                text,
                summary,
                tuple(json.loads(refs or "[]")),
                profile,
                qs,
                dict(counts),
                sum(counts.values()),
            )
        topics: dict[str, set[str]] = {}
        vocab_by_doc: dict[str, set[str]] = {}
        for e in entries.values():
            vocab_by_doc.setdefault(e.doc_id, set()).update(e.profile)
        for doc_id, title, listed in self.db.execute("select id, title, topics from documents"):
            # A document's subject: the words its owner listed; for a document nobody described,
            # every word it uses (so the off-topic test only bites on questions it cannot touch).
            words_listed = " ".join(json.loads(listed or "[]"))
            if words_listed:
                topics[doc_id] = {stem(w) for w in content_words(f"{title} {words_listed}")}
            else:
                topics[doc_id] = vocab_by_doc.get(doc_id, set())
        self.entries, self.df, self.topics = entries, df, topics
        n = max(len(entries), 1)
        self._idf = {t: math.log((n + 1) / (c + 0.5)) for t, c in df.items()}
        # Example questions as an inverted index: stem -> [(rowid, question number)], and each
        # question's total IDF, so similarity touches only questions sharing a word with the query.
        postings: dict[str, list[tuple[int, int]]] = {}
        q_weight: dict[tuple[int, int], float] = {}
        for e in entries.values():
            for i, q in enumerate(e.questions):
                q_weight[(e.rowid, i)] = sum(self._idf.get(t, 0.0) for t in q)
                for t in q:
                    postings.setdefault(t, []).append((e.rowid, i))
        self._q_postings, self._q_weight = postings, q_weight
        self.by_number = {(e.doc_id, e.number): e for e in entries.values()}
        self._corrections = {}
        self.vocab = [w for w, _ in vocab.most_common()]
        self._vocab_set = set(self.vocab)
        self._stem_set = set(df)
        if self.embedder is not None:
            ensure_vectors(self.db, self.embedder)  # only a knowledge base ingested without the model lacks them
            self.matrices = load_matrices(self.db, self.embedder.model)

    def knows(self, word: str) -> bool:
        """The knowledge base uses this word (or another of its stem)."""
        self.refresh()
        return stem(word) in self._stem_set

    @property
    def size(self) -> int:
        return len(self.entries)

    def idf(self, s: str) -> float:
        cached = self._idf.get(s)
        if cached is not None:
            return cached
        return math.log((max(len(self.entries), 1) + 1) / 0.5)

    # -- the question -----------------------------------------------------------------------
    def analyse(self, question: str) -> Query:
        params = ranking_params()
        text = question[:MAX_QUESTION_CHARS]
        all_words = words(text)
        single, phrases = synonym_table()
        sw = stopwords()
        groups: list[Group] = []
        by_word: dict[str, Group] = {}
        corrections: dict[str, str] = {}
        for w in all_words:
            if w in by_word:
                continue
            syn = single.get(w)
            if (w in sw or len(w) < 2) and not syn:
                continue
            s = stem(w)
            alts: dict[str, float] = {s: 1.0}
            # Only a non-word is corrected: a real word the index lacks ("badmouth") is a vocabulary gap,
            # and turning it into the nearest index word would change the question.
            if s not in self._stem_set and not syn and len(w) >= 4 and w.isalpha() and is_english_word(w) is not True:
                fixed = self._correct(w)
                if fixed:
                    corrections[w] = fixed
                    alts[stem(fixed)] = params["typo_factor"]
                    syn = single.get(fixed)
            for c in syn or ():
                alts.setdefault(c, params["synonym_factor"])
            g = Group(w, alts)
            groups.append(g)
            by_word[w] = g
        for phrase, canon in phrases.items():
            n = len(phrase)
            for i in range(len(all_words) - n + 1):
                if tuple(all_words[i : i + n]) == phrase:
                    # A phrase ("lose my job", "say I work for") is a meaning of its own.
                    groups.append(Group(" ".join(phrase), {c: params["synonym_factor"] for c in canon}))
                    break
        unknown_idf = params["unknown_idf_ratio"] * math.log(max(len(self.entries), 2) + 1)
        for g in groups:
            # A word's weight is its own rarity; what may stand for it only counts when the word
            # itself is unknown to the knowledge base (a typo, or "fb" for "facebook").
            primary = [a for a, f in g.alts.items() if f == 1.0 and a in self._stem_set]
            known = [self.idf(a) for a in g.alts if a in self._stem_set]
            g.idf = self.idf(primary[0]) if primary else max(known) if known else unknown_idf
        return Query(text, groups, corrections)

    def _correct(self, w: str) -> str | None:
        if w in self._corrections:
            return self._corrections[w]
        fixed = self._nearest_word(w)
        if len(self._corrections) < 50_000:
            self._corrections[w] = fixed
        return fixed

    def _nearest_word(self, w: str) -> str | None:
        if not self.vocab:
            return None
        cutoff = 80 if len(w) >= 6 else 84
        found = process.extractOne(w, self.vocab, scorer=fuzz.ratio, score_cutoff=cutoff)
        return found[0] if found else None

    # -- ranking ----------------------------------------------------------------------------
    def candidates(self, query: Query, limit: int = 100) -> dict[int, float]:
        terms = query.fts_words
        if not terms:
            return {}
        # Every term is quoted, so FTS5 operators in what people type are only ever words. Only a long stem is
        # a prefix ("leav"* also finds what FTS5's own Porter stemmer makes of "leave"); a short one
        # ("t"*) would walk every term that starts with it, most of the query's cost on a large knowledge base.
        match = " OR ".join('"' + t.replace('"', "") + ('"*' if len(t) >= PREFIX_MIN else '"') for t in terms[:64])
        sql = (
            "select rowid, -bm25(clauses_fts, 1.0, 0.5, 1.0, 0.8, 0.8, 0.6) as s from clauses_fts "
            "where clauses_fts match ? order by s desc limit ?"
        )
        return {r[0]: r[1] for r in self.db.execute(sql, [match, limit])}

    def semantic(self, query: Query) -> tuple[dict[int, float], dict[str, float], list[tuple[int, float]]]:
        """(clause rowid -> similarity, doc -> not-covered similarity, the nearest clauses) or empty ones."""
        m = self.matrices
        if self.embedder is None or m.empty or not query.text.strip():
            return {}, {}, []
        qv = self.embedder.embed_query(query.corrected_text)
        sim = m.similarity(qv)
        nearest = m.nearest(sim, ranking_params().get("semantic_candidates", 30))
        return _Lookup(m.position, sim), m.not_covered_by_doc(qv), nearest

    def search(self, question: str, limit: int = 5) -> tuple[Query, list[Hit]]:
        self.refresh()
        query = self.analyse(question)
        cands = self.candidates(query)
        sims, nc, nearest = self.semantic(query)
        for rowid, _ in nearest:
            cands.setdefault(rowid, 0.0)  # found by meaning alone: no word in common, so no BM25
        if not cands:
            return query, []
        params = ranking_params()
        w_sem = params.get("w_semantic", 0.0) if sims else 0.0
        w_cov, w_q, w_bm = params["w_coverage"], params["w_qsim"], params["w_bm25"]
        total_idf = sum(g.idf for g in query.groups) or 1.0
        top_bm = max(cands.values()) or 1.0
        if top_bm <= 0:
            top_bm = 1.0
        nb = naive_bayes(query, [self.entries[r] for r in cands if r in self.entries], self._stem_set, len(self.df))
        qsims = question_similarity(
            query, self._q_postings, self._q_weight, total_idf, ranking_params().get("qsim_top_k", 1)
        )
        typo = params["typo_factor"]
        w_nb = params.get("w_nb", 0.0)
        hits = []
        for rowid, bm in cands.items():
            e = self.entries.get(rowid)
            if e is None:
                continue
            cov = (
                sum(g.idf * max(f * e.profile.get(a, 0.0) for a, f in g.alts.items()) for g in query.groups) / total_idf
            )
            qsim = qsims.get(rowid, 0.0)
            bmn = max(bm, 0.0) / top_bm
            sem = sims.get(rowid, 0.0) if sims else 0.0
            score = w_cov * cov + w_q * qsim + w_bm * bmn + w_nb * nb.get(rowid, 0.0) + w_sem * sem
            if not e.questions:
                # Nobody wrote example questions for this passage (an ingested document): judge it on
                # the other signals, re-weighted, rather than count the missing one as a miss.
                score /= (1.0 - w_q) or 1.0
            topic = self.topics.get(e.doc_id, set())
            # Words the person actually typed (or a typo of them) decide whether the question is
            # about the document's subject; synonym expansions alone don't ("rang" is not "enquiry").
            on_topic = any(a in topic for g in query.groups for a, f in g.alts.items() if f >= typo)
            hits.append(
                Hit(
                    **e.view(),
                    score=score,
                    coverage=cov,
                    qsim=qsim,
                    bm25=bmn,
                    nb=nb.get(rowid, 0.0),
                    on_topic=on_topic,
                    sem=sem,
                    not_covered=nc.get(e.doc_id, -1.0),
                    enriched=bool(e.questions),
                )
            )
        hits.sort(key=lambda h: h.score, reverse=True)
        return query, hits[:limit]


class _Lookup:
    """Similarity by clause rowid over the matrix row order, without building a dict of every clause."""

    def __init__(self, position: dict[int, int], sim) -> None:
        self.position, self.sim = position, sim

    def get(self, rowid: int, default: float = 0.0) -> float:
        i = self.position.get(rowid)
        return float(self.sim[i]) if i is not None else default

    def __bool__(self) -> bool:
        return True
