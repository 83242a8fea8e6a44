"""The vectors shipped with the bundled policy and the intent examples are current, and vectors are stored at
ingest (never computed at the first question)."""

from __future__ import annotations

from importlib import resources

import pytest

from handlers.ask.examples import load_examples
from knowledge.bundled import bundled_documents
from knowledge.model import Clause, Document
from knowledge.store import save_documents
from knowledge.vectors import Embedder, bundle_texts, make_embedder


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
    rows = ted.db.execute("select field from clause_vectors where doc_id = 'car-parks'").fetchall()
    assert rows == [("passage",)]
    (vec,) = ted.db.execute("select vector from not_covered where doc_id = 'car-parks'").fetchone()
    assert vec and len(vec) == 384 * 4
