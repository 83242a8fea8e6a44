"""Sentence vectors of the knowledge base: computed at ingest, stored beside each clause, loaded as matrices.

Every clause gets a `passage` vector (its heading path, title and text) and one vector per example question
(`q0`, `q1`, …) and per phrasing taught to it (`t<taught id>`, knowledge.teach); every "not covered" example
gets one too. They are written in the same transaction as the
clause (`ensure_vectors`), so a question never waits for them; a knowledge base ingested while the model was
missing is brought up to date the next time the index is built with it.

`Embedder` wraps the encoder with a memo keyed by the text's hash, seeded from the vectors shipped with the
bundled policies (`knowledge/policies/*.vectors.npz`), so loading the council policy into a fresh database
costs no encoding at all.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from importlib import resources

import numpy as np
import sqlite_utils

from core.db import transaction
from knowledge import tokensim
from knowledge.minilm import TokenStates
from knowledge.query import ranking_params
from knowledge.semantic import DIM, PINNED_SHA256, from_blob, load_encoder, to_blob

log = logging.getLogger("ted.vectors")

MODEL = "all-MiniLM-L6-v2:" + PINNED_SHA256["model.safetensors"][:12]
MAX_PASSAGE_CHARS = 1200  # the encoder reads 256 word pieces; the start of a long passage says what it is about
QUERY_MEMO = 4096
QUERY_TOKENS_MEMO = 256  # recent questions' token states (knowledge/tokensim.py): 10-20 rows of 384 numbers each


def key(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:20]


def passage_text(doc_title: str, heading: str, title: str, text: str) -> str:
    """What a clause's passage vector is made of: where it sits, what it is called, then what it says."""
    parts = [p for p in (doc_title, heading) if p]
    if title and title != heading:
        parts.append(title)
    lead = " › ".join(parts)
    return f"{lead}: {text}"[:MAX_PASSAGE_CHARS] if lead else text[:MAX_PASSAGE_CHARS]


class Embedder:
    """The encoder, with memory: the same text is never encoded twice in a process."""

    def __init__(self, encoder) -> None:
        self.encoder = encoder
        self.model = MODEL
        self._memo: dict[str, np.ndarray] = {}
        self._queries: OrderedDict[str, np.ndarray] = OrderedDict()
        self._query_tokens: OrderedDict[str, TokenStates] = OrderedDict()
        self._queries_lock = threading.Lock()
        self._content: np.ndarray | None = None
        self._prepared: dict[str, tuple[np.ndarray, TokenStates]] = {}  # passages encoded ahead (prepare)
        self._prepared_lock = threading.Lock()
        self._seed_bundled()

    @property
    def content(self) -> np.ndarray:
        """Which word pieces carry meaning (knowledge.tokensim.content_pieces), per tokenizer id."""
        if self._content is None:
            self._content = tokensim.content_pieces(tokensim.vocabulary(self.encoder.tokenizer))
        return self._content

    def prepare(self, plain: Sequence[str], others: Sequence[str]) -> list[str]:
        """Encode ahead, outside any write transaction, what a change is about to store: passages nobody enriched
        with their token states (`plain`), and example questions and enriched passages (`others`). The write then
        only copies them in, so the database is not held for the encoding (staff asking meanwhile must be
        recorded). What the write never uses is dropped by `forget_prepared`."""
        todo = [t for t in dict.fromkeys(plain) if key(t) not in self._prepared]
        if todo:
            vecs, states = self.encoder.encode_tokens(todo)
            with self._prepared_lock:
                for t, v, st in zip(todo, vecs, states, strict=True):
                    self._prepared[key(t)] = (v, tokensim.content_only(st, self.content))
        self.embed(list(dict.fromkeys(others)))
        return [key(t) for t in todo]

    def forget_prepared(self, keys: Sequence[str]) -> None:
        """Drop what one change encoded ahead and didn't use (a refused publish); another change's stays."""
        with self._prepared_lock:
            for k in keys:
                self._prepared.pop(k, None)

    def embed_with_tokens(self, texts: Sequence[str]) -> tuple[np.ndarray, list[TokenStates]]:
        """Vectors of texts and, from the same pass, the states of their content word pieces (never memoised:
        a passage's are stored once, with its vector; those `prepare` encoded ahead are taken as they are)."""
        with self._prepared_lock:  # kept until its change forgets it: the same passage may come twice
            ready = [self._prepared.get(key(t)) for t in texts]
        todo = [t for t, r in zip(texts, ready, strict=True) if r is None]
        if texts and not todo:
            return np.stack([v for v, _ in ready]), [st for _, st in ready]
        if len(todo) < len(texts):  # some encoded ahead: only the rest now
            fresh = iter(zip(*self.embed_with_tokens(todo), strict=True))
            got = [r if r is not None else next(fresh) for r in ready]
            return np.stack([v for v, _ in got]), [st for _, st in got]
        vecs, states = self.encoder.encode_tokens(list(texts))
        for t, v in zip(texts, vecs, strict=True):
            self._memo.setdefault(key(t), v)
        return vecs, [tokensim.content_only(st, self.content) for st in states]

    def _seed_bundled(self) -> None:
        folder = resources.files("knowledge").joinpath("policies")
        for entry in folder.iterdir():
            if entry.name.endswith(".vectors.npz"):
                self.seed(entry)

    def seed(self, entry) -> int:
        """Take shipped vectors (a .vectors.npz written by write_bundle) into the memo; how many."""
        with entry.open("rb") as fh:
            data = np.load(fh)
            if str(data["model"]) != self.model:
                log.warning("shipped vectors %s are for another model; ignoring them", entry.name)
                return 0
            for k, v in zip(data["keys"], data["vectors"].astype(np.float32), strict=True):
                self._memo[str(k)] = v
            return len(data["keys"])

    def has(self, text: str) -> bool:
        return key(text) in self._memo

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        keys = [key(t) for t in texts]
        missing = {k: t for k, t in zip(keys, texts, strict=True) if k not in self._memo}
        if missing:
            vecs = self.encoder.encode(list(missing.values()))
            for k, v in zip(missing, vecs, strict=True):
                self._memo[k] = v
        if not keys:
            return np.zeros((0, DIM), dtype=np.float32)
        return np.stack([self._memo[k] for k in keys])

    def embed_query(self, text: str) -> np.ndarray:
        # One embedder serves every thread of `ted serve` (bot/pool.py): the LRU's reordering is guarded, since
        # another thread may evict the key in between; the encoding itself runs outside the lock.
        with self._queries_lock:
            got = self._queries.get(text)
            if got is not None:
                self._queries.move_to_end(text)
                return got
        vecs, states = self.encoder.encode_tokens([text])
        got = vecs[0]
        with self._queries_lock:
            self._queries[text] = got
            if len(self._queries) > QUERY_MEMO:
                self._queries.popitem(last=False)
            self._remember_tokens(text, tokensim.content_only(states[0], self.content))
        return got

    def query_tokens(self, text: str) -> TokenStates:
        """The question's content word pieces and their states: kept from embed_query's pass when still held."""
        with self._queries_lock:
            got = self._query_tokens.get(text)
            if got is not None:
                self._query_tokens.move_to_end(text)
                return got
        got = tokensim.content_only(self.encoder.encode_tokens([text])[1][0], self.content)
        with self._queries_lock:
            self._remember_tokens(text, got)
        return got

    def _remember_tokens(self, text: str, states: TokenStates) -> None:
        self._query_tokens[text] = states
        if len(self._query_tokens) > QUERY_TOKENS_MEMO:
            self._query_tokens.popitem(last=False)


_shared: dict[int, Embedder] = {}
ENCODE_CHUNK = 128  # texts encoded between two steps of a progress bar
ENCODE_THREADS = min(2, os.cpu_count() or 1)


def make_embedder(enabled: bool = True) -> Embedder | None:
    """The process's embedder (one encoder, one memo: a pure cache of text -> vector), or None without a model."""
    encoder = load_encoder(enabled)
    if encoder is None:
        return None
    if id(encoder) not in _shared:
        _shared[id(encoder)] = Embedder(encoder)
    return _shared[id(encoder)]


def encode_many(
    embedder: Embedder, texts: list[str], progress=None, tokens: int = 0
) -> tuple[np.ndarray, list[TokenStates]]:
    """Vectors of many texts (an ingest's passages): in chunks of similar length, on ENCODE_THREADS threads (the
    encoder's matrix products release the GIL, so two cores encode twice as fast), with a progress bar. The first
    `tokens` texts also give their content word pieces' states (knowledge.tokensim), from the same pass."""
    states: list[TokenStates] = []
    if tokens:
        bar = progress("encoding", len(texts)) if progress and texts else None
        vecs, states = _in_chunks(embedder.embed_with_tokens, texts[:tokens], bar, with_states=True)
        rest, _ = _in_chunks(embedder.embed, texts[tokens:], bar)
        if bar:
            bar.close()
        return np.concatenate([vecs, rest]), states
    bar = progress("encoding", len(texts)) if progress and texts else None
    vecs, _ = _in_chunks(embedder.embed, texts, bar)
    if bar:
        bar.close()
    return vecs, states


def _in_chunks(encode, texts: list[str], bar, with_states: bool = False) -> tuple[np.ndarray, list[TokenStates]]:
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    chunks = [[texts[i] for i in order[a : a + ENCODE_CHUNK]] for a in range(0, len(order), ENCODE_CHUNK)]
    out = np.empty((len(texts), DIM), dtype=np.float32)
    states: list[TokenStates] = [TokenStates(np.zeros(0, np.int32), np.zeros((0, DIM), np.float32))] * len(texts)
    if not texts:
        return out, states if with_states else []
    at = 0
    with ThreadPoolExecutor(max(1, min(ENCODE_THREADS, len(chunks)))) as pool:
        for got in pool.map(encode, chunks):
            vecs, st = got if with_states else (got, None)
            idx = order[at : at + len(vecs)]
            out[idx] = vecs
            if st is not None:
                for i, t in zip(idx, st, strict=True):
                    states[i] = t
            at += len(vecs)
            if bar:
                bar.update(len(vecs))
    return out, states if with_states else []


# Clauses whose passage has no vector for a model, or, with no example questions of their own, no token states.
_MISSING_SQL = (
    "from clauses c join documents d on d.id = c.doc_id where not exists (select 1 from clause_vectors v where "
    "v.clause_rowid = c.rowid and v.field = 'passage' and v.model = ?1) or (coalesce(c.questions, '') = '' and "
    "not exists (select 1 from clause_vectors v where v.clause_rowid = c.rowid and v.field = 'tokens' and "
    "v.model = ?1))"
)


def missing_vectors(db: sqlite_utils.Database, model: str) -> int:
    """How many clauses have no passage vector (or token states, knowledge.tokensim) for this model."""
    return db.execute("select count(*) " + _MISSING_SQL, [model]).fetchone()[0]


def ensure_vectors(db: sqlite_utils.Database, embedder: Embedder | None, progress=None) -> int:
    """Write the vectors that are missing for this model (clauses and not-covered examples); returns how many.
    A clause with no example questions of its own also gets the token states of its passage (knowledge.tokensim).
    `progress(description, total)`: a bar (tqdm's shape) advanced as the texts are encoded."""
    if embedder is None:
        return 0
    rows = db.execute(
        "select c.rowid, c.doc_id, d.title, c.heading, c.title, c.text, c.questions, exists (select 1 from "
        "clause_vectors v where v.clause_rowid = c.rowid and v.field = 'passage' and v.model = ?1) " + _MISSING_SQL,
        [embedder.model],
    ).fetchall()
    plain: list[tuple[int, str, str, str]] = []  # passages that also get token states, encoded first
    todo: list[tuple[int, str, str, str]] = []  # (clause rowid, doc, field, text)
    for rowid, doc_id, doc_title, heading, title, text, questions, _ in rows:
        asked = [q for q in (questions or "").split("\n") if q]
        (todo if asked else plain).append((rowid, doc_id, "passage", passage_text(doc_title, heading, title, text)))
        todo.extend((rowid, doc_id, f"q{i}", q) for i, q in enumerate(asked))
    # Phrasings taught to a clause (knowledge.teach) are example questions too, each field `t<taught id>`.
    todo += db.execute(
        "select c.rowid, c.doc_id, 't' || t.id, t.question from taught t join clauses c on c.doc_id = t.doc_id "
        "and c.number = t.clause where t.kind = 'phrasing' and t.status = 'active' and not exists (select 1 from "
        "clause_vectors v where v.clause_rowid = c.rowid and v.field = 't' || t.id and v.model = ?)",
        [embedder.model],
    ).fetchall()
    nc = db.execute("select id, question from not_covered where vector is null").fetchall()
    todo = plain + todo
    if not todo and not nc:
        return 0
    vecs, states = encode_many(embedder, [t for *_, t in todo] + [q for _, q in nc], progress, tokens=len(plain))
    stored = [
        {"clause_rowid": r, "doc_id": d, "field": f, "model": embedder.model, "vector": to_blob(v)}
        for (r, d, f, _), v in zip(todo, vecs, strict=False)
    ]
    for (r, d, _, _), st in zip(plain, states, strict=True):
        stored.append(
            {
                "clause_rowid": r,
                "doc_id": d,
                "field": "tokens",
                "model": embedder.model,
                "vector": tokensim.states_blob(st),
            }
        )
        stored.append(
            {
                "clause_rowid": r,
                "doc_id": d,
                "field": "pieces",
                "model": embedder.model,
                "vector": tokensim.pieces_blob(st),
            }
        )
    with transaction(db) as conn:
        # A half-written set (an older model's, say) is replaced whole; a clause that lacked only its token
        # states (stored before they were) keeps the rest, its taught phrasings' vectors among them.
        conn.executemany("delete from clause_vectors where clause_rowid = ?", [(r[0],) for r in rows if not r[-1]])
        db["clause_vectors"].insert_all(
            stored,
            batch_size=500,
            replace=True,  # a taught phrasing's vector from another model is replaced
        )
        for (nid, _), v in zip(nc, vecs[len(todo) :], strict=True):
            db.execute("update not_covered set vector = ? where id = ?", [to_blob(v), nid])
    log.info(
        "vectors written clauses=%d examples=%d not_covered=%d token_states=%d",
        len(rows),
        len(todo) - len(rows),
        len(nc),
        len(plain),
    )
    return len(todo) + len(nc)


@dataclass
class Matrices:
    """The vectors of one knowledge-base revision, as float32 matrices (rows are unit length)."""

    passage_rows: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))  # clause rowids
    passages: np.ndarray = field(default_factory=lambda: np.zeros((0, DIM), dtype=np.float32))
    question_rows: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))  # owner clause rowid
    questions: np.ndarray = field(default_factory=lambda: np.zeros((0, DIM), dtype=np.float32))
    nc_docs: list[str] = field(default_factory=list)
    not_covered: np.ndarray = field(default_factory=lambda: np.zeros((0, DIM), dtype=np.float32))
    taught: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))  # question row is a taught phrasing
    nc_taught: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))  # not-covered row was taught
    texts: dict[tuple[bool, int], str] = field(default_factory=dict)  # (is a phrasing, row) -> taught question
    pieces: tokensim.PieceStats = field(default_factory=tokensim.PieceStats)  # word pieces of the token states

    position: dict[int, int] = field(default_factory=dict)  # clause rowid -> row in `passages`
    owner: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))  # question -> passage row

    def __post_init__(self) -> None:
        self.position = {int(r): i for i, r in enumerate(self.passage_rows)}
        self.owner = np.array([self.position.get(int(r), -1) for r in self.question_rows], dtype=np.int64)
        keep = self.owner >= 0
        if len(self.taught) != len(keep):
            self.taught = np.zeros(len(keep), dtype=bool)
        if len(self.nc_taught) != len(self.nc_docs):
            self.nc_taught = np.zeros(len(self.nc_docs), dtype=bool)
        rows = np.cumsum(keep) - 1  # a question's row once the orphans are dropped
        self.texts = {(p, int(rows[i]) if p else i): t for (p, i), t in self.texts.items() if not p or keep[i]}
        self.owner, self.questions, self.taught = self.owner[keep], self.questions[keep], self.taught[keep]

    @property
    def empty(self) -> bool:
        return not len(self.passage_rows)

    def similarity(self, qv: np.ndarray) -> np.ndarray:
        """Cosine of the question with each clause: the closer of its passage and its best example question."""
        sim = self.passages @ qv
        if len(self.owner):
            np.maximum.at(sim, self.owner, self.questions @ qv)
        return sim

    def nearest(self, sim: np.ndarray, k: int) -> list[tuple[int, float]]:
        """The k clauses most like the question, as (clause rowid, similarity)."""
        if not len(sim):
            return []
        k = min(k, len(sim))
        idx = np.argpartition(-sim, k - 1)[:k]
        return [(int(self.passage_rows[i]), float(sim[i])) for i in idx]

    def not_covered_by_doc(self, qv: np.ndarray) -> dict[str, float]:
        """The question's closeness to each document's "not covered" examples (its best match per document).

        One the communications team taught counts only when it is close (`taught_not_covered_floor`): it comes
        from real traffic, anywhere in the document's neighbourhood, and the confidence models were fitted on
        the examples shipped with documents, written from their scope; so a far one must not weigh against
        every clause of its document."""
        out: dict[str, float] = {}
        if len(self.nc_docs):
            floor = ranking_params().get("taught_not_covered_floor", -1.0)
            sims = self.not_covered @ qv
            for doc, v, taught in zip(self.nc_docs, sims.tolist(), self.nc_taught.tolist(), strict=True):
                if v > out.get(doc, -1.0) and not (taught and v < floor):
                    out[doc] = v
        return out

    @property
    def has_taught(self) -> bool:
        """The communications team taught something (knowledge.teach) that has a vector."""
        return bool(self.taught.any() or self.nc_taught.any())

    def nearest_taught(self, qv: np.ndarray, sim: np.ndarray) -> Taught | None:
        """What the communications team taught that is nearest the question: a phrasing taught to a clause, or a
        "not covered" example they marked, whichever is closer, with its lead over the runner-up (the best
        passage or example question of any other clause, and the nearest example of the other kind)."""
        phrasing = not_covered = (-1.0, -1)
        if self.taught.any():
            rows = np.flatnonzero(self.taught)
            ts = self.questions[rows] @ qv
            i = int(np.argmax(ts))
            phrasing = (float(ts[i]), int(rows[i]))
        if self.nc_taught.any():
            rows = np.flatnonzero(self.nc_taught)
            ns = self.not_covered[rows] @ qv
            i = int(np.argmax(ns))
            not_covered = (float(ns[i]), int(rows[i]))
        if phrasing[1] < 0 and not_covered[1] < 0:
            return None
        nc_any = float((self.not_covered @ qv).max()) if len(self.nc_docs) else -1.0
        if phrasing[0] > not_covered[0]:
            cos, row = phrasing
            own = int(self.owner[row])
            others = sim.copy()
            others[own] = -1.0
            runner_up = max(float(others.max()) if len(others) else -1.0, nc_any)
            text = self.texts.get((True, row), "")
            return Taught(True, cos, cos - runner_up, text, clause=int(self.passage_rows[own]))
        cos, row = not_covered
        runner_up = max(float(sim.max()) if len(sim) else -1.0, phrasing[0])
        return Taught(False, cos, cos - runner_up, self.texts.get((False, row), ""), doc=self.nc_docs[row])


@dataclass(frozen=True)
class Taught:
    """The taught example nearest a question (Matrices.nearest_taught)."""

    phrasing: bool  # a phrasing taught to a clause; False: a "not covered" example
    similarity: float  # its cosine with the question
    lead: float  # how much closer it is than the runner-up
    text: str = ""  # the question that was taught
    clause: int = -1  # a phrasing's clause rowid
    doc: str = ""  # a "not covered" example's document


def _stack(blobs: Iterable[bytes]) -> np.ndarray:
    out = [from_blob(b) for b in blobs]
    return np.stack(out).astype(np.float32, copy=False) if out else np.zeros((0, DIM), dtype=np.float32)


def load_matrices(db: sqlite_utils.Database, model: str) -> Matrices:
    rows = db.execute(
        "select v.clause_rowid, v.field, v.vector from clause_vectors v join clauses c on c.rowid = v.clause_rowid "
        "where v.model = ? and v.field not in ('tokens', 'pieces') order by v.clause_rowid",
        [model],
    ).fetchall()
    pieces = tokensim.PieceStats.of(
        b for (b,) in db.execute("select vector from clause_vectors where model = ? and field = 'pieces'", [model])
    )
    p = [(r, b) for r, f, b in rows if f == "passage"]
    q = [(r, f, b) for r, f, b in rows if f != "passage"]
    nc = db.execute(
        "select doc_id, vector, source = 'taught', question from not_covered where vector is not null order by id"
    ).fetchall()
    phrasings = {f"t{i}": t for i, t in db.execute("select id, question from taught where kind = 'phrasing'")}
    texts = {(True, i): phrasings.get(f, "") for i, (_, f, _) in enumerate(q) if f.startswith("t")}
    texts |= {(False, i): row[3] for i, row in enumerate(nc) if row[2]}
    return Matrices(
        np.array([r for r, _ in p], dtype=np.int64),
        _stack(b for _, b in p),
        np.array([r for r, _, _ in q], dtype=np.int64),
        _stack(b for _, _, b in q),
        [d for d, *_ in nc],
        _stack(b for _, b, *_ in nc),
        np.array([f.startswith("t") for _, f, _ in q], dtype=bool),
        np.array([bool(t) for _, _, t, _ in nc], dtype=bool),
        texts,
        pieces,
    )


def token_states(db: sqlite_utils.Database, model: str, rowids: Sequence[int]) -> dict[int, np.ndarray]:
    """The stored token states (knowledge.tokensim) of these clauses, by rowid; a clause without them is absent."""
    if not rowids:
        return {}
    rows = db.execute(
        "select clause_rowid, vector from clause_vectors where field = 'tokens' and model = ? and clause_rowid in "
        f"({','.join('?' * len(rowids))})",
        [model, *rowids],
    )
    return {r: tokensim.states_of(b, DIM) for r, b in rows}


def bundle_texts(doc) -> list[str]:
    """Every text of a document that gets a vector (knowledge.model.Document)."""
    out = []
    for c in doc.clauses:
        out.append(passage_text(doc.title, c.heading, c.title, c.text))
        out.extend(c.questions)
    return out + list(doc.not_covered)


def write_bundle(path, embedder: Embedder, texts: Iterable[str]) -> int:
    """Ship the vectors of the bundled policies' texts (bench/build_vectors.py), so first use encodes nothing."""
    texts = list(dict.fromkeys(texts))
    vecs = embedder.embed(texts)
    np.savez_compressed(
        path, model=np.array(embedder.model), keys=np.array([key(t) for t in texts]), vectors=vecs.astype(np.float16)
    )
    return len(texts)


def prepare_documents(embedder: Embedder | None, docs: Sequence, progress=None) -> list[str]:
    """Encode ahead what storing these documents (knowledge.model.Document) will need: the same texts
    ensure_vectors builds, so it finds them encoded and only writes them (with `progress`, the bar is here). An
    embedder that can't encode ahead (a stand-in with only embed) encodes inside the write, as before."""
    if embedder is None or not hasattr(embedder, "prepare"):
        return []
    plain: list[str] = []
    others: list[str] = []
    for doc in docs:
        for c in doc.clauses:
            passage = passage_text(doc.title, c.heading, c.title, c.text)
            if c.questions:
                others.append(passage)
                others.extend(q for q in c.questions if q)
            else:
                plain.append(passage)
        others.extend(q for q in doc.not_covered if q)
    others = [t for t in dict.fromkeys(others) if not embedder.has(t)]
    if not plain and not others:
        return []
    keys: list[str] = []

    def ahead(chunk: list[str]) -> np.ndarray:
        keys.extend(embedder.prepare(chunk, []))
        return np.zeros((len(chunk), DIM), dtype=np.float32)

    bar = progress("encoding", len(plain) + len(others)) if progress else None
    _in_chunks(ahead, plain, bar)
    _in_chunks(embedder.embed, others, bar)
    if bar:
        bar.close()
    return keys
