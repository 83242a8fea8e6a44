"""TED's own inverted index of the live clauses: compact arrays, persisted per document, merged in memory.

A *segment* is one document's clauses as arrays: for each stem (term) the clauses that use it, with three
numbers per (term, clause) — the best field weight (coverage), the weighted count (Naive Bayes) and the
column-weighted term frequency (BM25) — plus the example questions (bundled and taught) as postings of their
own. Segments are stored in SQLite (`kb_segments`) with a stamp of what they were built from, so an index is
loaded, not rebuilt: a start reads the blobs, and an ingest rebuilds the segment of the document it changed.

A *snapshot* merges the segments of one knowledge-base revision into one set of arrays (term ids, int32
positions, float32 weights) and answers the three questions ranking asks, each costing what the answer costs,
not what the knowledge base holds:

- `bm25(term ids)`: scores over the terms' postings (numpy, no Python loop over clauses), the top candidates;
- `columns(term ids, candidates)`: each candidate's numbers for each term, by binary search in the postings;
- `question_matches(groups)`: the example questions sharing a word with the question.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import sqlite_utils

from knowledge.text import content_words, stem, stopwords, words

log = logging.getLogger("ted.index")

FORMAT = 2  # bump when a segment's arrays change meaning: stored segments of another format are rebuilt
NB_FIELD_COUNTS = {"text": 1.0, "title": 2.0, "keywords": 1.0, "questions": 1.0, "summary": 1.0, "heading": 0.5}
FIELD_WEIGHTS = {"text": 1.0, "title": 1.0, "keywords": 0.85, "questions": 0.75, "summary": 0.75, "heading": 0.5}
BM25_COLUMNS = {"title": 1.0, "heading": 0.5, "text": 1.0, "summary": 0.8, "keywords": 0.8, "questions": 0.6}
# A phrasing the communications team taught (knowledge.teach) is an example question, but one from real traffic:
# besides what makes it the clause's, it carries what made it that person's (a place, an event, the app they use).
# It counts like a bundled one for coverage and example-question similarity (and for BM25 where TED's own postings
# pick the candidates, beyond search.FTS5_UP_TO clauses: FTS5 indexes the clauses table only), but adds nothing to
# the clause's Naive Bayes class: there its incidental words ("beach huts") would pull every question that mentions
# them to the clause (seen on bench/teach_eval.py --train's analogue when all of half A was taught: right answers
# turned).
TAUGHT_FIELD = ("taught", 0.75, 0.0, 0.6)  # (name, coverage weight, Naive Bayes count, BM25 column weight)
K1, B = 1.2, 0.75  # BM25's usual constants (SQLite FTS5's too)
SYNC_LIMIT = 20_000  # clauses an index waits for; a larger stale document is built in the background
TINY_IDF = 1e-6  # a term in more than half the clauses: FTS5's floor for its idf

# The live clauses, each with the phrasings the communications team taught it (knowledge.teach, the last column),
# which join its example questions (TAUGHT_FIELD); column 10 says whether it has example questions of its own (an
# enriched clause: a passage with only taught phrasings is still judged as a plain one).
CLAUSES_SQL = (
    "select c.rowid, c.doc_id, c.number, c.title, c.heading, c.text, c.summary, c.keywords, c.questions, "
    "c.refs, coalesce(c.questions, '') != '', (select group_concat(t.question, char(10)) from taught t "
    "where t.doc_id = c.doc_id and t.clause = c.number and t.kind = 'phrasing' and t.status = 'active') from clauses c"
)
FIELDS = ("title", "heading", "text", "summary", "keywords", "questions")  # CLAUSES_SQL's columns 3..8, by name
TAUGHT_COLUMN = 11

# What a document's segment is built from: its clauses (re-saved whole on every change, so the ingest time and
# the rowids tell a new version) and the phrasings taught to it.
_STAMPS_SQL = (
    "select d.id, d.source_hash, d.ingested_at, count(c.rowid), min(c.rowid), max(c.rowid), "
    "(select group_concat(t.id) from taught t where t.doc_id = d.id and t.kind = 'phrasing' "
    "and t.status = 'active') from documents d left join clauses c on c.doc_id = d.id group by d.id"
)


def stamps(db: sqlite_utils.Database) -> dict[str, tuple[str, int]]:
    """{doc id: (stamp, clause count)} for every live document."""
    out = {}
    for doc_id, *parts in db.execute(_STAMPS_SQL):
        key = "|".join(str(p) for p in parts) + f"|f{FORMAT}"
        out[doc_id] = (hashlib.sha1(key.encode()).hexdigest()[:20], int(parts[2] or 0))
    return out


@dataclass
class Segment:
    """One document's clauses as arrays (positions are local: 0..n-1 in rowid order)."""

    doc_id: str
    stamp: str
    rowids: np.ndarray  # int64 [n]
    length: np.ndarray  # float32 [n]: words, every field (BM25's document length)
    nb_total: np.ndarray  # float32 [n]: the clause's weighted word count (Naive Bayes)
    has_questions: np.ndarray  # bool [n]: example questions of its own (not only taught ones)
    terms: list[str]  # [T] stems
    indptr: np.ndarray  # int64 [T+1]
    pos: np.ndarray  # int32 [P], sorted within each term
    profile: np.ndarray  # float32 [P]
    count: np.ndarray  # float32 [P]
    tf: np.ndarray  # float32 [P]
    q_owner: np.ndarray  # int32 [Q]: the clause (position) each example question belongs to
    q_indptr: np.ndarray  # int64 [T+1]
    q_ids: np.ndarray  # int32 [QP]
    words: list[str] = field(default_factory=list)  # spelled-out words, for typo correction
    word_counts: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int32))

    _ARRAYS = (
        "rowids length nb_total has_questions indptr pos profile count tf q_owner q_indptr q_ids word_counts"
    ).split()

    def to_blob(self) -> bytes:
        buf = io.BytesIO()
        np.savez(
            buf,
            **{name: getattr(self, name) for name in self._ARRAYS},
            terms=np.array("\n".join(self.terms)),
            words=np.array("\n".join(self.words)),
        )
        return buf.getvalue()

    @classmethod
    def from_blob(cls, doc_id: str, stamp: str, blob: bytes) -> Segment:
        with np.load(io.BytesIO(blob), allow_pickle=False) as z:
            arrays = {name: z[name] for name in cls._ARRAYS}
            terms, words = str(z["terms"]), str(z["words"])
        return cls(
            doc_id,
            stamp,
            terms=terms.split("\n") if terms else [],
            words=words.split("\n") if words else [],
            **arrays,
        )

    @property
    def size(self) -> int:
        return len(self.rowids)


def build_segment(doc_id: str, stamp: str, rows: Iterable[Sequence]) -> Segment:
    """A segment from CLAUSES_SQL rows of one document (or of any clauses: the interim index uses it too)."""
    term_ids: dict[str, int] = {}
    t_list: list[int] = []
    p_list: list[int] = []
    prof_list: list[float] = []
    cnt_list: list[float] = []
    tf_list: list[float] = []
    q_terms: list[int] = []
    q_list: list[int] = []
    q_owner: list[int] = []
    rowids: list[int] = []
    length: list[float] = []
    totals: list[float] = []
    has_q: list[bool] = []
    spelled: dict[str, int] = {}  # words of four letters or more -> how often, for typo correction
    sw = stopwords()
    stems: dict[str, str] = {}  # word -> stem, for this build (most words recur thousands of times)
    fields = [(i + 3, FIELD_WEIGHTS[n], NB_FIELD_COUNTS[n], BM25_COLUMNS[n]) for i, n in enumerate(FIELDS)]
    fields.append((TAUGHT_COLUMN, *TAUGHT_FIELD[1:]))
    for p, row in enumerate(sorted(rows, key=lambda r: r[0])):
        rowids.append(row[0])
        profile: dict[str, float] = {}
        counts: dict[str, float] = {}
        tf: dict[str, float] = {}
        n_words = 0
        for col, fw, nw, cw in fields:
            value = row[col] if col < len(row) else None
            if not value:
                continue
            ws = words(value)
            n_words += len(ws)  # every token, as FTS5 counts a row's length
            for w in ws:
                if w in sw or len(w) < 2:
                    continue
                s = stems.get(w)
                if s is None:
                    s = stems[w] = stem(w)
                    if len(w) >= 4 and w.isalpha():
                        spelled[w] = 0
                if w in spelled:
                    spelled[w] += 1
                counts[s] = counts.get(s, 0.0) + nw
                tf[s] = tf.get(s, 0.0) + cw
                if fw > profile.get(s, 0.0):
                    profile[s] = fw
        for s, fw in profile.items():
            t = term_ids.setdefault(s, len(term_ids))
            t_list.append(t)
            p_list.append(p)
            prof_list.append(fw)
            cnt_list.append(counts[s])
            tf_list.append(tf[s])
        taught = row[TAUGHT_COLUMN] if len(row) > TAUGHT_COLUMN else ""
        questions = [q for q in f"{row[8] or ''}\n{taught or ''}".split("\n") if q]
        for q in questions:
            qid = len(q_owner)
            q_owner.append(p)
            for s in {stems.get(w) or stem(w) for w in content_words(q)}:
                q_terms.append(term_ids.setdefault(s, len(term_ids)))
                q_list.append(qid)
        length.append(float(n_words))
        totals.append(sum(counts.values()))
        has_q.append(bool(row[10]) if len(row) > 10 else bool(questions))
    n_terms = len(term_ids)
    t_arr = np.array(t_list, dtype=np.int64)
    order = np.argsort(t_arr, kind="stable")  # by term; positions stay ascending within a term
    qt_arr = np.array(q_terms, dtype=np.int64)
    q_order = np.argsort(qt_arr, kind="stable")
    by_count = sorted(spelled, key=lambda w: -spelled[w])
    return Segment(
        doc_id,
        stamp,
        rowids=np.array(rowids, dtype=np.int64),
        length=np.array(length, dtype=np.float32),
        nb_total=np.array(totals, dtype=np.float32),
        has_questions=np.array(has_q, dtype=bool),
        terms=list(term_ids),
        indptr=_indptr(t_arr, n_terms),
        pos=np.array(p_list, dtype=np.int32)[order],
        profile=np.array(prof_list, dtype=np.float32)[order],
        count=np.array(cnt_list, dtype=np.float32)[order],
        tf=np.array(tf_list, dtype=np.float32)[order],
        q_owner=np.array(q_owner, dtype=np.int32),
        q_indptr=_indptr(qt_arr, n_terms),
        q_ids=np.array(q_list, dtype=np.int32)[q_order],
        words=by_count,
        word_counts=np.array([spelled[w] for w in by_count], dtype=np.int32),
    )


def _indptr(term_of_posting: np.ndarray, n_terms: int) -> np.ndarray:
    out = np.zeros(n_terms + 1, dtype=np.int64)
    if len(term_of_posting):
        np.cumsum(np.bincount(term_of_posting, minlength=n_terms), out=out[1:])
    return out


# -- persistence -------------------------------------------------------------------------------------
def load_segments(db: sqlite_utils.Database, wanted: dict[str, str]) -> dict[str, Segment]:
    """The stored segments whose stamp is still the document's ({doc id: stamp} wanted)."""
    out: dict[str, Segment] = {}
    for doc_id, stamp, fmt, blob in db.execute("select doc_id, stamp, format, data from kb_segments"):
        if wanted.get(doc_id) == stamp and fmt == FORMAT:
            try:
                out[doc_id] = Segment.from_blob(doc_id, stamp, blob)
            except (ValueError, KeyError, OSError) as exc:  # a damaged blob is rebuilt, never fatal
                log.warning("index segment unreadable doc=%s (%s); rebuilding it", doc_id, type(exc).__name__)
    return out


def build_document(db: sqlite_utils.Database, doc_id: str, stamp: str) -> Segment:
    rows = db.execute(CLAUSES_SQL + " where c.doc_id = ?", [doc_id]).fetchall()
    return build_segment(doc_id, stamp, rows)


def save_segment(db: sqlite_utils.Database, seg: Segment) -> None:
    db.execute(
        "insert or replace into kb_segments (doc_id, stamp, format, clauses, data) values (?, ?, ?, ?, ?)",
        [seg.doc_id, seg.stamp, FORMAT, seg.size, seg.to_blob()],
    )


def update_segments(db: sqlite_utils.Database, progress=None, limit: int | None = None) -> int:
    """Rebuild the stored segments that no longer match their document (those of at most *limit* clauses), drop
    those of documents gone; returns how many were rebuilt. Called inside the change's own transaction, so the
    index and the clauses change together. `progress(description, total)`: a bar, as knowledge.store takes."""
    current = stamps(db)
    stored = {d: s for d, s in db.execute("select doc_id, stamp from kb_segments where format = ?", [FORMAT])}
    db.execute("delete from kb_segments where doc_id not in (select id from documents) or format != ?", [FORMAT])
    todo = [(d, s, n) for d, (s, n) in current.items() if stored.get(d) != s and (limit is None or n <= limit)]
    bar = progress("indexing", sum(n for *_, n in todo)) if progress and todo else None
    for doc_id, stamp, n in todo:
        save_segment(db, build_document(db, doc_id, stamp))
        if bar:
            bar.update(n)
    if bar:
        bar.close()
    return len(todo)


# -- the merged, in-memory index ---------------------------------------------------------------------
class Snapshot:
    """Every live clause of one revision, as one set of arrays, read-only once built (threads share it)."""

    def __init__(self, segments: Sequence[Segment], topics: dict[str, set[str]]):
        self.topics = topics
        self.doc_ids = [s.doc_id for s in segments]
        sizes = [s.size for s in segments]
        offsets = np.cumsum([0, *sizes])
        self.n = int(offsets[-1])
        self.rowids = _cat([s.rowids for s in segments], np.int64)
        self.doc_of = np.repeat(np.arange(len(segments), dtype=np.int32), sizes)
        self.length = _cat([s.length for s in segments], np.float32)
        self.nb_total = _cat([s.nb_total for s in segments], np.float32)
        self.has_questions = _cat([s.has_questions for s in segments], bool)
        self._by_rowid = np.argsort(self.rowids, kind="stable")
        # One vocabulary: a segment's local term ids mapped to global ones.
        self.term_id: dict[str, int] = {}
        maps = []
        for s in segments:
            maps.append(np.array([self.term_id.setdefault(t, len(self.term_id)) for t in s.terms], dtype=np.int64))
        n_terms = len(self.term_id)
        self.indptr, (self.pos, self.profile, self.count, self.tf) = _merge(
            segments, maps, offsets, n_terms, "indptr", ("pos", "profile", "count", "tf")
        )
        q_counts = [len(s.q_owner) for s in segments]
        q_offsets = np.cumsum([0, *q_counts])
        self.q_owner = _cat([s.q_owner.astype(np.int64) + o for s, o in zip(segments, offsets, strict=False)], np.int32)
        self.q_count = np.bincount(self.q_owner, minlength=self.n)  # example questions per clause
        self.q_indptr, (self.q_ids,) = _merge(segments, maps, q_offsets, n_terms, "q_indptr", ("q_ids",))
        df = np.diff(self.indptr).astype(np.float64)  # clauses per term
        n = max(self.n, 1)
        self.idf = np.log((n + 1) / (df + 0.5))  # coverage's rarity of a word
        self.bm25_idf = np.maximum(np.log((self.n - df + 0.5) / (df + 0.5)), TINY_IDF)  # FTS5's
        avg = float(self.length.mean()) if self.n else 1.0
        norm = K1 * (1 - B + B * self.length / max(avg, 1e-9))
        tf = self.tf
        self.sat = (tf * (K1 + 1) / (tf + norm[self.pos])).astype(np.float32)  # BM25's per-posting part
        q_terms = np.repeat(np.arange(n_terms), np.diff(self.q_indptr))
        self.q_weight = np.bincount(self.q_ids, weights=self.idf[q_terms], minlength=len(self.q_owner))
        vocab: Counter[str] = Counter()
        for s in segments:
            vocab.update(dict(zip(s.words, s.word_counts.tolist(), strict=True)))
        self.vocab = [w for w, _ in vocab.most_common()]
        self.vocab_size = n_terms
        self.corrections: dict[str, str | None] = {}  # typo -> correction, for this revision

    # -- lookups ---------------------------------------------------------------------------------
    def positions(self, rowids: Iterable[int]) -> np.ndarray:
        """The positions of those of these clauses the index holds, in their order."""
        pos, keep = self.locate(list(rowids))
        return pos

    def locate(self, rowids: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
        """(positions of the clauses held, which of *rowids* are held)."""
        r = np.asarray(rowids, dtype=np.int64)
        if not self.n or not len(r):
            return np.zeros(0, dtype=np.int64), np.zeros(len(r), dtype=bool)
        i = np.searchsorted(self.rowids, r, sorter=self._by_rowid)
        i = np.minimum(i, self.n - 1)
        p = self._by_rowid[i]
        keep = self.rowids[p] == r
        return p[keep], keep

    def query_terms(self, query_words: Iterable[str]) -> list[int]:
        """The terms BM25 sums for these query words, as FTS5 would: one per word, matched by its stem (a word and
        its stem, "posting" and "post", each count, as in FTS5). Unlike FTS5, no word is a prefix: both sides are
        stemmed alike, and a prefix walks every term it begins (most of FTS5's cost at scale)."""
        return [t for t in (self.term_id.get(stem(w)) for w in query_words) if t is not None]

    # -- ranking ---------------------------------------------------------------------------------
    def bm25(self, terms: Sequence[int], limit: int) -> tuple[np.ndarray, np.ndarray]:
        """(positions, scores) of the best *limit* clauses using any of the terms, best first. A term in more than
        half the clauses scores next to nothing (FTS5's idf floor); its postings are only walked when the rarer
        terms find fewer than *limit* clauses."""
        if not terms or not self.n:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        rare = [t for t in terms if self.bm25_idf[t] > TINY_IDF]
        common = [t for t in terms if self.bm25_idf[t] <= TINY_IDF]
        scores = self._accumulate(rare)
        found = int(np.count_nonzero(scores)) if scores is not None else 0
        if found < limit and common:
            more = self._accumulate(common)
            scores = more if scores is None else scores + more
            found = int(np.count_nonzero(scores))
        if scores is None or not found:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        top = np.flatnonzero(scores)
        if len(top) > limit:
            top = top[np.argpartition(-scores[top], limit - 1)[:limit]]
        top = top[np.argsort(-scores[top], kind="stable")]
        return top, scores[top]

    def _accumulate(self, terms: Sequence[int]) -> np.ndarray | None:
        if not terms:
            return None
        spans = [(self.indptr[t], self.indptr[t + 1]) for t in terms]
        pos = np.concatenate([self.pos[a:b] for a, b in spans])
        w = np.concatenate([self.sat[a:b] * self.bm25_idf[t] for t, (a, b) in zip(terms, spans, strict=True)])
        return np.bincount(pos, weights=w, minlength=self.n)

    def columns(self, term_ids: Sequence[int], cands: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(profile, count) matrices [len(cands), len(term_ids)]: each candidate's numbers for each term."""
        prof = np.zeros((len(cands), len(term_ids)), dtype=np.float64)
        cnt = np.zeros_like(prof)
        for j, t in enumerate(term_ids):
            a, b = self.indptr[t], self.indptr[t + 1]
            if a == b:
                continue
            i = np.searchsorted(self.pos[a:b], cands)
            ic = np.minimum(i, b - a - 1)
            hit = self.pos[a + ic] == cands
            prof[:, j] = np.where(hit, self.profile[a + ic], 0.0)
            cnt[:, j] = np.where(hit, self.count[a + ic], 0.0)
        return prof, cnt

    def question_similarity(self, groups: Sequence[tuple[float, dict[int, float]]], total_idf: float, k: int):
        """Closeness to each clause's example questions: IDF-weighted Dice against each question, then the mean
        of a clause's best k. *groups*: (idf, {term id: factor}) per meaningful word. {position: similarity}."""
        ids_parts, w_parts = [], []
        for idf, alts in groups:
            spans = [(self.q_indptr[t], self.q_indptr[t + 1], f) for t, f in alts.items()]
            spans = [s for s in spans if s[1] > s[0]]
            if not spans:
                continue
            ids = np.concatenate([self.q_ids[a:b] for a, b, _ in spans])
            fs = np.concatenate([np.full(b - a, f) for a, b, f in spans])
            if len(spans) > 1:  # a question matching two alternatives of one word counts the better once
                order = np.lexsort((-fs, ids))
                ids, fs = ids[order], fs[order]
                first = np.ones(len(ids), dtype=bool)
                first[1:] = ids[1:] != ids[:-1]
                ids, fs = ids[first], fs[first]
            ids_parts.append(ids)
            w_parts.append(fs * idf)
        if not ids_parts:
            return {}
        uq, inv = np.unique(np.concatenate(ids_parts), return_inverse=True)
        shared = np.bincount(inv, weights=np.concatenate(w_parts))
        sim = np.minimum(2 * shared / (total_idf + self.q_weight[uq]), 1.0)
        owner = self.q_owner[uq]
        order = np.lexsort((-sim, owner))
        owner, sim = owner[order], sim[order]
        start = np.ones(len(owner), dtype=bool)
        start[1:] = owner[1:] != owner[:-1]
        rank = np.arange(len(owner)) - np.maximum.accumulate(np.where(start, np.arange(len(owner)), 0))
        keep = rank < k
        total = np.bincount(owner[keep], weights=sim[keep])
        clauses = np.unique(owner[keep])
        # A clause with fewer than k example questions (a passage with only the phrasings taught to it) is judged
        # on the ones it has: its missing questions are not misses.
        held = np.minimum(self.q_count[clauses], k)
        return dict(zip(clauses.tolist(), (total[clauses] / held).tolist(), strict=True))

    def naive_bayes(
        self, groups: Sequence[dict[int, float]], cands: np.ndarray, cnt: np.ndarray, col: dict
    ) -> np.ndarray:
        """Posterior over the candidates, each clause a class trained on its own words and examples."""
        if not len(cands):
            return np.zeros(0)
        alpha, v = 0.5, max(self.vocab_size, 1)
        total = np.zeros(len(cands))
        used = 0
        for alts in groups:
            if not alts:
                continue
            used += 1
            best = None
            for t, f in alts.items():
                x = np.log((cnt[:, col[t]] + alpha) * f)
                best = x if best is None else np.maximum(best, x)
            total += best
        logp = total - used * np.log(self.nb_total[cands].astype(np.float64) + alpha * v)
        e = np.exp(logp - logp.max())
        return e / e.sum()


def _cat(parts: list[np.ndarray], dtype) -> np.ndarray:
    return np.concatenate(parts).astype(dtype, copy=False) if parts else np.zeros(0, dtype=dtype)


def _merge(segments, maps, offsets, n_terms, ptr_name, names):
    """Concatenate the segments' postings under global term ids: (indptr, [arrays]), the first array shifted
    by each segment's offset (positions, or question ids)."""
    if len(segments) == 1 and np.array_equal(maps[0], np.arange(len(maps[0]))):
        s = segments[0]
        return getattr(s, ptr_name).astype(np.int64), [getattr(s, n) for n in names]
    terms = []
    cols: list[list[np.ndarray]] = [[] for _ in names]
    for s, m, off in zip(segments, maps, offsets, strict=False):
        ptr = getattr(s, ptr_name)
        terms.append(np.repeat(m, np.diff(ptr)))
        for j, name in enumerate(names):
            a = getattr(s, name)
            cols[j].append(a.astype(np.int64) + off if j == 0 else a)
    t = np.concatenate(terms) if terms else np.zeros(0, dtype=np.int64)
    order = np.argsort(t, kind="stable")  # segments in offset order: positions stay ascending within a term
    out = []
    for j, parts in enumerate(cols):
        a = np.concatenate(parts) if parts else np.zeros(0)
        a = a[order]
        out.append(a.astype(np.int32) if j == 0 else a)
    return _indptr(t, n_terms), out


def topics_of(db: sqlite_utils.Database, segments: Sequence[Segment]) -> dict[str, set[str]]:
    """A document's subject: the words its owner listed; for a document nobody described, every word it uses (so
    the off-topic test only bites on questions it cannot touch)."""
    by_doc = {s.doc_id: s for s in segments}
    out: dict[str, set[str]] = {}
    for doc_id, title, listed in db.execute("select id, title, topics from documents"):
        words_listed = " ".join(json.loads(listed or "[]"))
        if words_listed:
            out[doc_id] = {stem(w) for w in content_words(f"{title} {words_listed}")}
        elif doc_id in by_doc:
            out[doc_id] = set(by_doc[doc_id].terms)
        else:
            out[doc_id] = set()
    return out
