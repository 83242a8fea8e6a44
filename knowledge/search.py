"""Finding the clauses that answer a question.

Two stages over TED's own index (knowledge/postings.py: arrays loaded from SQLite, not rebuilt at each start).
BM25 over clause text, titles and enrichment picks the candidates, and the semantic signal adds the clauses
nearest in meaning; then each candidate, and only the candidates, is scored on signals that survive the way
staff actually type:

- coverage: how much of the question's meaning (IDF-weighted words, after typo correction
  and synonym expansion) the clause and its enrichment account for;
- example-question similarity: how close the question is to one of the clause's example
  questions, bundled or taught (the QnA-Maker "alternative phrasings" idea);
- Naive Bayes, each clause a class trained on its own words and examples;
- BM25, normalised among the candidates;
- the semantic signal (knowledge/vectors.py): the question's cosine with the passage and its example questions.

They are fused with weights from `knowledge/data/ranking.json`; the question is read by knowledge/query.py.
While a large index is first built (in the background), SQLite FTS5 supplies the candidates and they are ranked
the same way.
"""

from __future__ import annotations

import contextlib
import json
import logging
import math
import sqlite3
import threading
from dataclasses import dataclass, fields

import numpy as np
import sqlite_utils
from rapidfuzz import fuzz, process

from core import db as dbmod
from core.db import transaction
from knowledge import postings, tokensim
from knowledge.postings import CLAUSES_SQL, Snapshot
from knowledge.query import Group, Query, ranking_params, synonym_table
from knowledge.store import bump_revision, revision
from knowledge.text import is_english_word, joined, stem, stopwords, words
from knowledge.vectors import Embedder, Matrices, ensure_vectors, load_matrices, missing_vectors, token_states

log = logging.getLogger("ted.index")

PREFIX_MIN = 4  # words at least this long are matched as prefixes in FTS5 (the interim index's candidates)
MAX_QUESTION_CHARS = 2000  # longer text is analysed only this far (a pasted post, say)
FTS5_UP_TO = 20_000  # clauses up to which SQLite FTS5 picks the candidates (knowledge/postings.py's BM25 beyond)
CANDIDATES = 100  # clauses scored in full per question (best BM25), beside the semantic signal's nearest
SYNC_VECTORS = 2000  # texts without vectors a load encodes before answering; more are encoded in the background
_VIEW_COLUMNS = "rowid, doc_id, number, title, heading, text, summary, refs"
_VIEW_SQL = f"select {_VIEW_COLUMNS} from clauses"


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

    @classmethod
    def of(cls, row) -> ClauseView:
        return cls(row[0], row[1], row[2], row[3], row[4], row[5], row[6], tuple(json.loads(row[7] or "[]")))


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
    tok: float = 0.0  # word-by-word closeness of the question to it (knowledge.tokensim; 0: not measured)
    base: float | None = None  # the score before the token re-ordering (None: the same as score)


# One loaded index per database file and revision, shared by every thread's KnowledgeIndex (the worker pool's):
# the arrays are read-only once built, so a process holds one copy however many workers it runs.
_shared: dict[str, tuple[int, Snapshot, Matrices]] = {}
_shared_lock = threading.Lock()
_builders: dict[str, threading.Thread] = {}


def fused(w: dict, coverage, qsim, bm25, nb, sem, enriched):
    """The ranking score from the signals (numbers or numpy arrays alike; bench/tune.py re-scores with it).

    Nobody wrote example questions for a passage of an ingested document: it is judged on the other signals,
    re-weighted, rather than counting the missing one as a miss (its example-question similarity is taken to be as
    good as the rest). A phrasing taught to it counts only where the question is closer to it than that, so one
    taught question does not lift its clause over every passage nobody taught anything."""
    rest = w["w_coverage"] * coverage + w["w_bm25"] * bm25 + w["w_nb"] * nb + w["w_semantic"] * sem
    imputed = rest / ((1.0 - w["w_qsim"]) or 1.0)
    return np.where(enriched, rest + w["w_qsim"] * qsim, rest + w["w_qsim"] * np.maximum(qsim, imputed))


def _file_of(db: sqlite_utils.Database) -> str:
    row = db.execute("pragma database_list").fetchone()
    return row[2] if row and row[2] else ""


class KnowledgeIndex:
    """The searchable view of the knowledge base: loaded from its stored segments (knowledge/postings.py) when
    the knowledge base's revision changes, built only for what changed."""

    def __init__(self, db: sqlite_utils.Database, embedder: Embedder | None = None, sync_limit: int | None = None):
        self.db = db
        self.embedder = embedder
        self.sync_limit = postings.SYNC_LIMIT if sync_limit is None else sync_limit
        self.sync_vectors = SYNC_VECTORS
        self.last_load: dict = {}  # how the current revision was loaded: segments stored, built, or shared
        self.snapshot = Snapshot([], {})
        self.matrices = Matrices()
        self._lock = threading.Lock()
        self._revision = -1
        self._path = _file_of(db)
        self.interim = False  # segments are being built in the background: candidates come from FTS5 meanwhile
        self.measure_tokens = False  # token closeness even at weight 0 (bench/tune.py fits the weight on it)

    # -- loading ----------------------------------------------------------------------------
    def refresh(self) -> None:
        rev = revision(self.db)
        if rev == self._revision and not (self.interim and not self._building()):
            return
        with self._lock:
            if rev != self._revision or (self.interim and not self._building()):
                self._load(rev)

    def _building(self) -> bool:
        return self._running("ted-index")

    def _load(self, rev: int) -> None:
        if self._path:
            with _shared_lock:
                got = _shared.get(self._path)
            if got and got[0] == rev:
                _, self.snapshot, self.matrices = got
                self._revision, self.interim = rev, False
                self.last_load = {"revision": rev, "shared": True, "stored": 0, "built": 0}
                return
        if self.embedder is not None:
            # Only a knowledge base ingested without the model lacks vectors: a few are encoded now, many on a
            # thread of their own (the semantic signal covers them from the next revision; words answer meanwhile).
            if self._path and missing_vectors(self.db, self.embedder.model) > self.sync_vectors:
                self._start("ted-vectors", _encode_in_background, self.embedder)
            elif not self._running("ted-vectors"):
                ensure_vectors(self.db, self.embedder)
        with _reading(self.db):
            current = postings.stamps(self.db)
            segments = postings.load_segments(self.db, {d: s for d, (s, _) in current.items()})
            missing = {d: v for d, v in current.items() if d not in segments}
            if self._path and sum(n for _, n in missing.values()) > self.sync_limit:
                self._start_builder()
                self.interim, self._revision = True, rev
                self.last_load = {"revision": rev, "shared": False, "stored": len(segments), "built": 0}
                self.snapshot = Snapshot([], {})
                self.matrices = load_matrices(self.db, self.embedder.model) if self.embedder else Matrices()
                return
            built = [postings.build_document(self.db, d, s) for d, (s, _) in missing.items()]
            segments.update((b.doc_id, b) for b in built)
            ordered = [segments[d] for d in sorted(segments)]
            snapshot = Snapshot(ordered, postings.topics_of(self.db, ordered))
            matrices = load_matrices(self.db, self.embedder.model) if self.embedder else Matrices()
        if built:
            self._store(built)
        self.snapshot, self.matrices, self._revision, self.interim = snapshot, matrices, rev, False
        self.last_load = {"revision": rev, "shared": False, "stored": len(segments) - len(built), "built": len(built)}
        log.info("index loaded revision=%d segments=%d built=%d clauses=%d", rev, len(segments), len(built), snapshot.n)
        if self._path:
            with _shared_lock:
                _shared[self._path] = (rev, snapshot, matrices)

    def _store(self, built: list[postings.Segment]) -> None:
        try:
            with transaction(self.db):
                for seg in built:
                    postings.save_segment(self.db, seg)
        except sqlite3.OperationalError as exc:  # busy or read-only: the index works from memory this time
            log.warning("index segments not stored (%s); they are rebuilt at the next start", exc)

    def _start_builder(self) -> None:
        if self._start("ted-index", _build_in_background):
            log.info("index building in the background; answering from FTS5 candidates meanwhile")

    def _running(self, name: str) -> bool:
        t = _builders.get(f"{self._path}|{name}")
        return t is not None and t.is_alive()

    def _start(self, name: str, target, *args) -> bool:
        """Run target(database path, *args) on a thread called *name*, unless one is running for this file."""
        with _shared_lock:
            if self._running(name):
                return False
            t = threading.Thread(target=target, args=(self._path, *args), name=name, daemon=True)
            _builders[f"{self._path}|{name}"] = t
            t.start()
            return True

    def knows(self, word: str) -> bool:
        """The knowledge base uses this word (or another of its stem)."""
        self.refresh()
        return stem(word) in self.snapshot.term_id

    @property
    def size(self) -> int:
        return self.snapshot.n

    def idf(self, s: str, snap: Snapshot | None = None) -> float:
        snap = snap or self.snapshot
        t = snap.term_id.get(s)
        if t is not None:
            return float(snap.idf[t])
        return math.log((max(snap.n, 1) + 1) / 0.5)

    def view(self, doc_id: str, number: str) -> ClauseView | None:
        """One live clause by document and number (see-also, the clause search)."""
        row = self.db.execute(_VIEW_SQL + " where doc_id = ? and number = ?", [doc_id, number]).fetchone()
        return ClauseView.of(row) if row else None

    def clause_at(self, rowid: int) -> tuple[ClauseView, bool] | None:
        """A live clause by rowid, and whether it has example questions of its own (is enriched)."""
        row = self.db.execute(
            f"select {_VIEW_COLUMNS}, coalesce(questions, '') != '' from clauses where rowid = ?", [rowid]
        ).fetchone()
        return (ClauseView.of(row), bool(row[8])) if row else None

    def wording(self, rowid: int) -> dict[str, float]:
        """A clause's words as ranking sees them: stem -> the weight of the best field it is in (its text, title,
        summary, keywords, example questions — taught ones too — or heading)."""
        row = self.db.execute(CLAUSES_SQL + " where c.rowid = ?", [rowid]).fetchone()
        if not row:
            return {}
        seg = postings.build_segment("", "", [row])
        return {
            t: float(seg.profile[seg.indptr[i]]) for i, t in enumerate(seg.terms) if seg.indptr[i + 1] > seg.indptr[i]
        }

    def with_number(self, number: str) -> list[ClauseView]:
        """Every live clause numbered *number*, in any document."""
        return [ClauseView.of(r) for r in self.db.execute(_VIEW_SQL + " where number = ? order by doc_id", [number])]

    # -- the question -----------------------------------------------------------------------
    def analyse(self, question: str, snap: Snapshot | None = None) -> Query:
        snap = snap or self.snapshot
        known = snap.term_id
        params = ranking_params()
        text = question[:MAX_QUESTION_CHARS]
        all_words = joined(words(text))
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
            if s not in known and not syn and len(w) >= 4 and w.isalpha() and is_english_word(w) is not True:
                fixed = self._correct(w, snap)
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
        unknown_idf = params["unknown_idf_ratio"] * math.log(max(snap.n, 2) + 1)
        for g in groups:
            # A word's weight is its own rarity; what may stand for it only counts when the word
            # itself is unknown to the knowledge base (a typo, or "fb" for "facebook").
            primary = [a for a, f in g.alts.items() if f == 1.0 and a in known]
            rarity = [self.idf(a, snap) for a in g.alts if a in known]
            g.idf = self.idf(primary[0], snap) if primary else max(rarity) if rarity else unknown_idf
        return Query(text, groups, corrections)

    def _correct(self, w: str, snap: Snapshot) -> str | None:
        cache = snap.corrections
        if w in cache:
            return cache[w]
        fixed = None
        if snap.vocab:
            cutoff = 80 if len(w) >= 6 else 84
            found = process.extractOne(w, snap.vocab, scorer=fuzz.ratio, score_cutoff=cutoff)
            fixed = found[0] if found else None
        if len(cache) < 50_000:
            cache[w] = fixed
        return fixed

    # -- ranking ----------------------------------------------------------------------------
    def fts_candidates(self, query: Query, limit: int = CANDIDATES) -> list[tuple[int, float]]:
        """SQLite FTS5's best clauses for the question, (rowid, BM25), best first: the candidates of a knowledge base
        of up to FTS5_UP_TO clauses (what the weights were fitted on), and of the interim index while a large one
        builds. Every term is quoted, so FTS5 operators in what people type are only ever words; a long stem is a
        prefix ("leav"* also finds what FTS5's own Porter stemmer makes of "leave")."""
        terms = query.fts_words
        if not terms:
            return []
        match = " OR ".join('"' + t.replace('"', "") + ('"*' if len(t) >= PREFIX_MIN else '"') for t in terms[:64])
        sql = (
            "select rowid, -bm25(clauses_fts, 1.0, 0.5, 1.0, 0.8, 0.8, 0.6) as s from clauses_fts "
            "where clauses_fts match ? order by s desc limit ?"
        )
        return [(r[0], r[1]) for r in self.db.execute(sql, [match, limit])]

    def _candidates(
        self, query: Query, snap: Snapshot, found: list[tuple[int, float]] | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """(positions, BM25) of the clauses worth scoring: FTS5's on a knowledge base of council size (about 4 ms at
        10,000 clauses), TED's own postings beyond, where FTS5's prefix walk costs 40 ms and more. *found*: FTS5's
        candidates when they are already known (the interim index is made of them)."""
        if found is None:
            if snap.n > FTS5_UP_TO:
                return snap.bm25(snap.query_terms(query.fts_words), CANDIDATES)
            found = self.fts_candidates(query)
        if not found:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        pos, keep = snap.locate([r for r, _ in found])
        return pos, np.array([b for (_, b), k in zip(found, keep, strict=True) if k], dtype=np.float64)

    def _interim(self, question: str) -> tuple[Query, Snapshot, list[tuple[int, float]]]:
        """While the segments build: an index of FTS5's candidates alone, ranked the same way (and the candidates)."""
        empty = Snapshot([], {})
        found = self.fts_candidates(self.analyse(question, empty))
        if not found:
            return self.analyse(question, empty), empty, []
        rowids = [r for r, _ in found]
        rows = self.db.execute(CLAUSES_SQL + f" where c.rowid in ({','.join('?' * len(rowids))})", rowids).fetchall()
        seg = postings.build_segment("", "", rows)
        listed = postings.topics_of(self.db, [])
        snap = Snapshot([seg], {d: topic or set(seg.terms) for d, topic in listed.items()})
        return self.analyse(question, snap), snap, found

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
        found = None
        if self.interim:
            query, snap, found = self._interim(question)
        else:
            query, snap = self.analyse(question), self.snapshot
        sims, nc, nearest = self.semantic(query)
        if not snap.n:
            return query, []
        params = ranking_params()
        cand, bm = self._candidates(query, snap, found)
        extra = snap.positions(r for r, _ in nearest)  # found by meaning alone: no word in common, so no BM25
        extra = extra[~np.isin(extra, cand)]
        if len(extra):
            cand = np.concatenate([cand, extra])
            bm = np.concatenate([bm, np.zeros(len(extra))])
        if not len(cand):
            return query, []
        w_sem = params.get("w_semantic", 0.0) if sims else 0.0
        w_cov, w_q, w_bm, w_nb = params["w_coverage"], params["w_qsim"], params["w_bm25"], params.get("w_nb", 0.0)
        typo = params["typo_factor"]
        total_idf = sum(g.idf for g in query.groups) or 1.0
        top_bm = float(bm.max()) if len(bm) else 0.0
        top_bm = top_bm if top_bm > 0 else 1.0
        # Each meaningful word, as term ids: what stands for it, and how much a match on each counts.
        groups = [{snap.term_id[a]: f for a, f in g.alts.items() if a in snap.term_id} for g in query.groups]
        used = sorted({t for alts in groups for t in alts})
        col = {t: j for j, t in enumerate(used)}
        prof, cnt = snap.columns(used, cand)
        cov = np.zeros(len(cand))
        for g, alts in zip(query.groups, groups, strict=True):
            if alts:
                cov += g.idf * np.max([f * prof[:, col[t]] for t, f in alts.items()], axis=0)
        cov /= total_idf
        nb = snap.naive_bayes(groups, cand, cnt, col)
        qs = snap.question_similarity(
            [(g.idf, alts) for g, alts in zip(query.groups, groups, strict=True)],
            total_idf,
            params.get("qsim_top_k", 1),
        )
        qsim = np.array([qs.get(int(p), 0.0) for p in cand])
        rowids = snap.rowids[cand]
        sem = np.array([sims.get(int(r), 0.0) for r in rowids]) if sims else np.zeros(len(cand))
        enriched = snap.has_questions[cand]
        weights = {"w_coverage": w_cov, "w_qsim": w_q, "w_bm25": w_bm, "w_nb": w_nb, "w_semantic": w_sem}
        score = fused(weights, cov, qsim, np.maximum(bm, 0.0) / top_bm, nb, sem, enriched)
        tok = self._token_closeness(query, score, rowids, enriched, limit) if sims else np.zeros(len(cand))
        base, score = score, tokensim.rerank(score, tok, tok != 0, params.get("w_tokens", 0.0) if sims else 0.0)
        order = tokensim.order(base, score, limit)
        # Words the person actually typed (or a typo of them) decide whether the question is about the
        # document's subject; synonym expansions alone don't ("rang" is not "enquiry").
        typed = {a for g in query.groups for a, f in g.alts.items() if f >= typo}
        views = self._views([int(rowids[i]) for i in order])
        hits = []
        for i in order:
            v = views.get(int(rowids[i]))
            if v is None:  # gone since this revision was loaded
                continue
            hits.append(
                Hit(
                    **v.view(),
                    score=float(score[i]),
                    coverage=float(cov[i]),
                    qsim=float(qsim[i]),
                    bm25=float(max(bm[i], 0.0) / top_bm),
                    nb=float(nb[i]),
                    on_topic=bool(typed & snap.topics.get(v.doc_id, set())),
                    sem=float(sem[i]),
                    not_covered=nc.get(v.doc_id, -1.0),
                    enriched=bool(enriched[i]),
                    tok=float(tok[i]),
                    base=float(base[i]),
                )
            )
        return query, hits

    def _token_closeness(self, query: Query, score, rowids, enriched, limit: int) -> np.ndarray:
        """knowledge.tokensim's closeness for the best candidates nobody enriched (as many as will be re-ordered
        or returned), 0 for the rest and for any without stored token states."""
        out = np.zeros(len(score))
        wanted = self.measure_tokens or ranking_params().get("w_tokens", 0.0)
        if self.embedder is None or not wanted or enriched.all():
            return out
        best = np.argsort(-score, kind="stable")[: max(tokensim.RERANK, limit)]
        best = best[~enriched[best]]
        stored = token_states(self.db, self.embedder.model, [int(rowids[i]) for i in best])
        if not stored:
            return out
        question = self.embedder.query_tokens(query.corrected_text)
        weights = self.matrices.pieces.weights(question.ids)
        got = [i for i in best if int(rowids[i]) in stored]
        out[got] = tokensim.closeness(question, weights, [stored[int(rowids[i])] for i in got])
        return out

    def _views(self, rowids: list[int]) -> dict[int, ClauseView]:
        if not rowids:
            return {}
        rows = self.db.execute(_VIEW_SQL + f" where rowid in ({','.join('?' * len(rowids))})", rowids)
        return {r[0]: ClauseView.of(r) for r in rows}


def _encode_in_background(path: str, embedder: Embedder) -> None:
    """Encode every missing vector on a connection of its own, then mark the knowledge base changed so every
    index loads them."""
    try:
        db = dbmod.connect(path)
        n = ensure_vectors(db, embedder)
        with transaction(db):
            bump_revision(db, ingest=False)
        log.info("vectors encoded in the background texts=%d", n)
        db.conn.close()
    except Exception:  # the lexical signals keep answering; the next start tries again
        log.exception("vector encoding in the background failed")


def _build_in_background(path: str) -> None:
    """Build and store every missing segment on a connection of its own; the next question loads them."""
    try:
        db = dbmod.connect(path)
        current = postings.stamps(db)
        have = {d for d, s in db.execute("select doc_id, stamp from kb_segments") if current.get(d, ("",))[0] == s}
        for doc_id, (stamp, n) in current.items():
            if doc_id in have:
                continue
            seg = postings.build_document(db, doc_id, stamp)
            with transaction(db):
                postings.save_segment(db, seg)
            log.info("index segment built doc=%s clauses=%d", doc_id, n)
        db.conn.close()
    except Exception:  # the interim index keeps answering; the next start tries again
        log.exception("index build in the background failed")


@contextlib.contextmanager
def _reading(db: sqlite_utils.Database):
    """One read transaction: the stamps, segments and clauses an index is built from are of one moment."""
    if db.conn.in_transaction:
        yield
        return
    db.execute("begin")
    try:
        yield
    finally:
        if db.conn.in_transaction:
            db.execute("commit")


class _Lookup:
    """Similarity by clause rowid over the matrix row order, without building a dict of every clause."""

    def __init__(self, position: dict[int, int], sim) -> None:
        self.position, self.sim = position, sim

    def get(self, rowid: int, default: float = 0.0) -> float:
        i = self.position.get(rowid)
        return float(self.sim[i]) if i is not None else default

    def __bool__(self) -> bool:
        return True
