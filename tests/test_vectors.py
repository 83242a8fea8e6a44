"""The vectors shipped with the bundled policy and the intent examples are current, and vectors are stored at
ingest (never computed at the first question)."""

from __future__ import annotations

from importlib import resources

import numpy as np
import pytest

from handlers.ask.examples import load_examples
from knowledge.bundled import bundled_documents
from knowledge.model import Clause, Document
from knowledge.store import save_documents
from knowledge.vectors import Embedder, bundle_texts, ensure_vectors, make_embedder, missing_vectors


@pytest.fixture(scope="module")
def shipped() -> Embedder:
    embedder = make_embedder()
    if embedder is None:
        pytest.skip("the model package is not installed (make install adds it)")
    fresh = Embedder(embedder.encoder)  # only what the package ships, nothing encoded since
    fresh.seed(resources.files("handlers.ask").joinpath("intents.vectors.npz"))
    return fresh


def test_shipped_vectors_cover_every_bundled_text(shipped):
    # Stale after an edit of the policy, its enrichment, its not-covered list or the intent examples:
    # run `.venv/bin/python bench/build_vectors.py`.
    texts = [t for doc in bundled_documents() for t in bundle_texts(doc)]
    intents = load_examples()
    texts += intents["smalltalk"] + intents["report"]
    missing = [t for t in texts if not shipped.has(t)]
    assert not missing, missing[:5]


def test_a_shipped_vector_is_what_the_encoder_makes(shipped):
    text = bundled_documents()[0].clauses[0].questions[0]
    got, fresh = shipped.embed([text])[0], shipped.encoder.encode([text])[0]
    assert float(got @ fresh) > 0.999  # float16 on disk, float32 in use


def test_vectors_are_written_at_ingest_in_the_same_transaction(ted):
    embedder = ted.answerer.index.embedder
    if embedder is None:
        pytest.skip("the model package is not installed")
    doc = Document(
        "car-parks",
        "Car Park Policy",
        (Clause("1.1", "Staff park in the rear car park only."),),
        not_covered=("Where can visitors park?",),
    )
    save_documents(ted.db, [doc], embedder=embedder)
    rows = dict(ted.db.execute("select field, vector from clause_vectors where doc_id = 'car-parks'").fetchall())
    # A clause nobody wrote example questions for also keeps its content word pieces' states (knowledge.tokensim):
    # Those of its passage text, "Car Park Policy: Staff park in the rear car park only." ("in", "the", ":" and "."
    # carry nothing).
    assert sorted(rows) == ["passage", "pieces", "tokens"]
    pieces = np.frombuffer(rows["pieces"], dtype=np.int32)
    assert [embedder.encoder.tokenizer.id_to_token(int(i)) for i in pieces] == [
        "car",
        "park",
        "policy",
        "staff",
        "park",
        "rear",
        "car",
        "park",
        "only",
    ]
    assert len(rows["tokens"]) == len(pieces) * 384 * 2  # float16
    (vec,) = ted.db.execute("select vector from not_covered where doc_id = 'car-parks'").fetchone()
    assert vec and len(vec) == 384 * 4


def test_a_clause_with_example_questions_keeps_no_token_states(ted):
    rows = ted.db.execute("select count(*) from clause_vectors where field in ('tokens', 'pieces')").fetchone()
    assert ted.answerer.index.embedder is None or rows == (0,)  # the bundled policy: every clause is enriched


def test_token_states_missing_from_an_older_database_are_added_and_nothing_else_is_lost(ted):
    embedder = ted.answerer.index.embedder
    if embedder is None:
        pytest.skip("the model package is not installed")
    doc = Document("car-parks", "Car Park Policy", (Clause("1.1", "Staff park in the rear car park only."),))
    save_documents(ted.db, [doc], embedder=embedder)
    ted.db.execute(  # a taught phrasing's vector, which adding the token states must keep
        "insert into clause_vectors select clause_rowid, doc_id, 't99', model, vector from clause_vectors "
        "where field = 'passage' and doc_id = 'car-parks'"
    )
    ted.db.execute("delete from clause_vectors where field in ('tokens', 'pieces')")
    assert missing_vectors(ted.db, embedder.model) == 1
    assert ensure_vectors(ted.db, embedder) == 1
    fields = {f for (f,) in ted.db.execute("select field from clause_vectors where doc_id = 'car-parks'")}
    assert fields == {"passage", "t99", "pieces", "tokens"}
    assert missing_vectors(ted.db, embedder.model) == 0


def test_the_nearest_taught_example_leads_only_when_nothing_else_is_as_close():
    import numpy as np

    from knowledge.vectors import Matrices

    def unit(*xs: float) -> np.ndarray:
        v = np.zeros(384, dtype=np.float32)
        v[: len(xs)] = xs
        return v / np.linalg.norm(v)

    m = Matrices(
        passage_rows=np.array([10, 20], dtype=np.int64),
        passages=np.stack([unit(1, 0, 0), unit(0, 1, 0)]),
        question_rows=np.array([10, 20], dtype=np.int64),
        questions=np.stack([unit(1, 1, 0), unit(0, 0, 1)]),  # a bundled question of 10, a phrasing taught to 20
        nc_docs=["doc", "doc"],
        not_covered=np.stack([unit(0, 1, 1), unit(1, -1, 0)]),  # one shipped with the document, one taught
        taught=np.array([False, True]),
        nc_taught=np.array([False, True]),
    )
    assert m.has_taught and not Matrices().has_taught
    qv = unit(0, 0.1, 1)
    near = m.nearest_taught(qv, m.similarity(qv))
    assert near.phrasing and near.clause == 20 and near.similarity > 0.99
    # its lead is over the other clause and over the shipped "not covered" example, never over its own clause
    assert near.lead == pytest.approx(near.similarity - float(m.not_covered[0] @ qv), abs=1e-6)
    qv = unit(1, -0.9, 0)
    near = m.nearest_taught(qv, m.similarity(qv))
    assert not near.phrasing and near.doc == "doc" and near.lead > 0.2
    qv = unit(1, 0.05, 0)  # nearest the passage of clause 10: a taught example is no better than runner-up
    assert m.nearest_taught(qv, m.similarity(qv)).lead < 0
