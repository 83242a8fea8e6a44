"""The search index (knowledge/postings.py): stored per document by the change that made it, loaded (not rebuilt)
at a start, rebuilt only for the document that changed, repaired when damaged, built in the background when a
large one is missing (TED answering meanwhile), one copy per process, and ranking the same over merged segments as
over one."""

from __future__ import annotations

import sqlite3

import numpy as np
import pytest

from app import build
from core.settings import Settings
from knowledge import postings, search, teach, text
from knowledge.ingest import parse_file
from knowledge.postings import CLAUSES_SQL, Snapshot
from knowledge.search import KnowledgeIndex
from knowledge.store import save_documents
from knowledge.vectors import make_embedder, missing_vectors
from tests.conftest import ROOT

POLICY = "tdc-social-media-policy"
HANDBOOK = ROOT / "corpora" / "tts-handbook"


def parking(tmp_path):
    p = tmp_path / "parking.md"
    p.write_text(
        "# Staff Parking Policy\n\n## 1. Permits\n\n1.1 Staff park at Weeley with a permit from Facilities.\n\n"
        "## 2. Depots\n\n2.1 Depot staff park in the yard, never in the visitor bays.\n",
        "utf-8",
    )
    return parse_file(p)


@pytest.fixture
def fresh_process():
    """A new process's view: no index loaded yet (the per-process copy is what the worker threads share)."""
    search._shared.clear()
    yield
    search._shared.clear()


def stored(db) -> dict[str, tuple[str, bytes]]:
    return {d: (s, bytes(b)) for d, s, b in db.execute("select doc_id, stamp, data from kb_segments")}


def test_first_use_stores_the_index_and_a_start_loads_it_without_building(tmp_path, fresh_process):
    path = tmp_path / "ted.db"
    ted = build(Settings(semantic=False), str(path))
    segs = stored(ted.db)
    assert set(segs) == {POLICY}
    assert segs[POLICY][0] == postings.stamps(ted.db)[POLICY][0]
    search._shared.clear()
    again = build(Settings(semantic=False), str(path))
    index = again.answerer.index
    index.refresh()
    assert index.last_load["built"] == 0 and index.last_load["stored"] == 1
    assert ask_clause(again, "can I accept a supplier's request on linkedin?") in {"5.13", "5.15"}


def ask_clause(ted, question: str) -> str:
    _, hits = ted.answerer.index.search(question, limit=1)
    return hits[0].number if hits else ""


def test_ingesting_a_document_builds_its_segment_only(tmp_path, fresh_process):
    ted = build(Settings(semantic=False), str(tmp_path / "ted.db"))
    before = stored(ted.db)
    save_documents(ted.db, [parking(tmp_path)])
    after = stored(ted.db)
    assert after[POLICY] == before[POLICY]  # the policy's segment is untouched, byte for byte
    assert set(after) == {POLICY, "parking"}
    search._shared.clear()
    index = KnowledgeIndex(ted.db)
    index.refresh()
    assert index.last_load["built"] == 0 and index.last_load["stored"] == 2
    _, hits = index.search("where do depot staff park?", limit=1)
    assert (hits[0].doc_id, hits[0].number) == ("parking", "2.1")


def test_a_damaged_stored_segment_is_rebuilt_and_search_still_answers(tmp_path, fresh_process):
    ted = build(Settings(semantic=False), str(tmp_path / "ted.db"))
    ted.db.execute("update kb_segments set data = ? where doc_id = ?", [b"not an index", POLICY])
    search._shared.clear()
    index = KnowledgeIndex(ted.db)
    assert index.search("can I accept a supplier's request on linkedin?", limit=1)[1]
    assert index.last_load["built"] == 1
    blob = stored(ted.db)[POLICY][1]
    assert postings.Segment.from_blob(POLICY, "", blob).size == 60  # repaired in the database too


def test_a_stale_segment_is_never_used(tmp_path, fresh_process):
    ted = build(Settings(semantic=False), str(tmp_path / "ted.db"))
    ted.db.execute("update kb_segments set stamp = 'from an older version'")
    search._shared.clear()
    index = KnowledgeIndex(ted.db)
    index.refresh()
    assert index.last_load["built"] == 1
    assert stored(ted.db)[POLICY][0] == postings.stamps(ted.db)[POLICY][0]


def test_what_is_taught_enters_the_index_and_what_is_forgotten_leaves_it(tmp_path, fresh_process):
    ted = build(Settings(semantic=False), str(tmp_path / "ted.db"))
    index = ted.answerer.index
    assert not index.knows("hovercraft")
    tid = teach.teach(ted.db, "5.8", "may I film the hovercraft launch for my vlog?", "casey@tendring.gov.uk")
    assert index.knows("hovercraft")
    snap = index.snapshot
    t = snap.term_id["hovercraft"]
    owners = snap.rowids[snap.pos[snap.indptr[t] : snap.indptr[t + 1]]].tolist()
    assert owners == [index.view(POLICY, "5.8").rowid]  # clause 5.8 now uses the word, as an example question
    teach.forget(ted.db, tid, "casey@tendring.gov.uk")
    assert not index.knows("hovercraft")
    blob = stored(ted.db)[POLICY][1]
    assert "hovercraft" not in postings.Segment.from_blob(POLICY, "", blob).terms  # not kept in the stored index


def test_threads_of_one_process_share_one_loaded_index(tmp_path, fresh_process):
    ted = build(Settings(semantic=False), str(tmp_path / "ted.db"))
    twin = ted.twin()
    a, b = ted.answerer.index, twin.answerer.index
    a.refresh()
    b.refresh()
    assert a.snapshot is b.snapshot and b.last_load["shared"]
    save_documents(ted.db, [parking(tmp_path)])  # a change any thread makes reaches every thread
    a.refresh()
    b.refresh()
    assert a.snapshot is b.snapshot and "parking" in a.snapshot.doc_ids


def test_a_large_missing_index_is_built_in_the_background_while_ted_answers(tmp_path, fresh_process):
    ted = build(Settings(semantic=False), str(tmp_path / "ted.db"))
    ted.db.execute("delete from kb_segments")
    search._shared.clear()
    index = KnowledgeIndex(ted.db, sync_limit=10)  # the policy's 60 clauses count as "large" here
    _, hits = index.search("can I accept a supplier's request on linkedin?", limit=3)
    assert index.interim and index.last_load["built"] == 0
    assert {h.number for h in hits} & {"5.13", "5.15"}  # answered meanwhile, from FTS5's candidates
    search._builders[index._path + "|ted-index"].join(30)
    assert stored(ted.db)[POLICY][0] == postings.stamps(ted.db)[POLICY][0]
    index.refresh()
    assert not index.interim and index.last_load["stored"] == 1 and index.size == 60


def test_a_read_only_database_still_gets_an_index(tmp_path, fresh_process):
    path = tmp_path / "ted.db"
    ted = build(Settings(semantic=False), str(path))
    ted.db.execute("delete from kb_segments")
    ted.db.conn.close()
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False, isolation_level=None)
    import sqlite_utils

    index = KnowledgeIndex(sqlite_utils.Database(conn))
    assert index.search("can I accept a supplier's request on linkedin?", limit=1)[1]
    assert index.last_load["built"] == 1  # built in memory; storing it could not be done, and is not fatal


def test_ranking_over_merged_segments_equals_ranking_over_one(tmp_path):
    ted = build(Settings(semantic=False), ":memory:")
    docs = [parse_file(p) for p in sorted(HANDBOOK.glob("*.md")) if p.name != "SOURCE.md"][:3]
    save_documents(ted.db, docs)
    rows = ted.db.execute(CLAUSES_SQL).fetchall()
    by_doc = {}
    for r in rows:
        by_doc.setdefault(r[1], []).append(r)
    assert len(by_doc) >= 3
    parts = [postings.build_segment(d, "", rs) for d, rs in sorted(by_doc.items())]
    merged = Snapshot(parts, {})
    whole = Snapshot([postings.build_segment("", "", rows)], {})
    assert merged.n == whole.n and set(merged.term_id) == set(whole.term_id)
    for question in ("can I post about work on facebook?", "annual leave carry over", "who signs off expenses"):
        words = text.words(question)
        a_pos, a_scores = merged.bm25(merged.query_terms(words), 20)
        b_pos, b_scores = whole.bm25(whole.query_terms(words), 20)
        a = dict(zip(merged.rowids[a_pos].tolist(), a_scores.tolist(), strict=True))
        b = dict(zip(whole.rowids[b_pos].tolist(), b_scores.tolist(), strict=True))
        assert a.keys() == b.keys() and all(abs(a[k] - b[k]) < 1e-9 for k in a)
        terms = sorted(set(merged.query_terms(words)))
        cand = a_pos[:10]
        prof, cnt = merged.columns(terms, cand)
        wterms = [whole.term_id[t] for t in (next(k for k, v in merged.term_id.items() if v == x) for x in terms)]
        wcand = whole.positions(merged.rowids[cand].tolist())
        wprof, wcnt = whole.columns(wterms, wcand)
        assert np.array_equal(prof, wprof) and np.array_equal(cnt, wcnt)


def test_an_ingest_reports_its_progress(tmp_path, fresh_process):
    seen: dict[str, list[int]] = {}

    class Bar:
        def __init__(self, desc, total):
            self.desc = desc
            seen[desc] = [total, 0]

        def update(self, n):
            seen[self.desc][1] += n

        def close(self):
            seen[self.desc].append("closed")

    ted = build(Settings(), str(tmp_path / "ted.db"), first_use=False)
    save_documents(ted.db, [parking(tmp_path)], embedder=ted.answerer.index.embedder, progress=Bar)
    assert seen["indexing"] == [2, 2, "closed"]
    if ted.answerer.index.embedder is not None:
        assert seen["encoding"][0] == seen["encoding"][1] >= 2 and seen["encoding"][2] == "closed"


def test_vectors_missing_from_a_large_knowledge_base_are_encoded_in_the_background(tmp_path, fresh_process):
    ted = build(Settings(semantic=False), str(tmp_path / "ted.db"), first_use=False)
    save_documents(ted.db, [parking(tmp_path)])  # ingested without the model: no vectors
    embedder = make_embedder()
    if embedder is None:
        pytest.skip("the sentence model is not installed")
    index = KnowledgeIndex(ted.db, embedder)
    index.sync_vectors = 0  # two passages count as "many" here
    _, hits = index.search("where do depot staff park?", limit=1)
    assert hits[0].number == "2.1"  # answered by words meanwhile
    search._builders[index._path + "|ted-vectors"].join(60)
    assert missing_vectors(ted.db, embedder.model) == 0
    index.refresh()
    assert not index.matrices.empty and index.search("where do depot staff park?", limit=1)[1][0].sem > 0
