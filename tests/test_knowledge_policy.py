"""The bundled Social Media Policy: structure, verbatim text, enrichment, metadata."""

from pathlib import Path

from knowledge.bundled import bundled_documents
from knowledge.store import list_documents, load_document

ROOT = Path(__file__).resolve().parents[1]


def _policy():
    (doc,) = [d for d in bundled_documents() if d.id == "tdc-social-media-policy"]
    return doc


def test_every_clause_is_verbatim_from_the_source_without_the_page_chrome():
    lines = (ROOT / "corpora" / "tdc-social-media-policy.txt").read_text("utf-8").splitlines()
    assert lines[:2] == ["TED Web Chat", "Talk to TED"]
    doc = _policy()
    assert [c.text for c in doc.clauses] == lines[2:]


def test_nine_sections_and_numbering_agrees_with_the_policys_own_reference_to_5_13():
    doc = _policy()
    assert [s.number for s in doc.sections] == [str(n) for n in range(1, 10)]
    by_number = {c.number: c for c in doc.clauses}
    assert len(by_number) == 60
    assert by_number["5.1"].text.startswith("TDC recognises that employees’ personal social media accounts")
    assert by_number["5.13"].text.startswith("Employees are not permitted to proactively add business contacts")
    assert "5.13" in by_number["5.15"].text
    assert by_number["5.18"].number == "5.18" and "5.19" not in by_number


def test_enrichment_is_complete_and_kept_apart_from_the_text():
    for c in _policy().clauses:
        assert c.title and c.summary, c.number
        assert len(c.keywords) >= 8 and len(c.questions) >= 6, c.number


def test_document_metadata():
    doc = _policy()
    assert doc.owner == "Communications Manager"
    assert "three years" in doc.review_cycle.lower()
    assert {"IT Strategy", "Data Protection Policy"} <= set(doc.related)


def test_first_use_loads_the_bundled_policy(ted):
    (row,) = list_documents(ted.db)
    assert row["id"] == "tdc-social-media-policy" and row["clause_count"] == 60
    stored = load_document(ted.db, "tdc-social-media-policy")
    assert stored.clauses == _policy().clauses
