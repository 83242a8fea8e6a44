"""How what the communications team taught feeds the signals (knowledge.teach): the settling rule, the index's
fields, and the plain passages nobody wrote example questions for."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from app import build
from core.settings import Settings
from knowledge import calibration, postings, teach
from knowledge.ingest import parse_file
from knowledge.query import Group, Query, ranking_params
from knowledge.store import save_documents
from knowledge.text import stem

PARAMS = {"taught_similarity": 0.8, "taught_lead": 0.05}


@dataclass(frozen=True)
class Near:
    similarity: float
    lead: float


def test_a_taught_example_settles_when_clearly_nearest_or_a_little_further_when_the_ranking_agrees():
    assert calibration.taught_decides(Near(0.85, 0.06), PARAMS)
    assert not calibration.taught_decides(Near(0.85, 0.02), PARAMS)  # something else is as near
    assert not calibration.taught_decides(None, PARAMS, agrees=True)
    # 0.74-0.8: when the ranking puts the question on the taught clause too, and nothing else comes near; or,
    # whatever the ranking says, when it leads every clause clearly (0.2 or more).
    assert not calibration.taught_decides(Near(0.77, 0.15), PARAMS)
    assert calibration.taught_decides(Near(0.77, 0.15), PARAMS, agrees=True)
    assert calibration.taught_decides(Near(0.77, 0.2), PARAMS)
    assert not calibration.taught_decides(Near(0.73, 0.4), PARAMS)
    assert not calibration.taught_decides(Near(0.77, 0.06), PARAMS, agrees=True)
    assert not calibration.taught_decides(Near(0.7, 0.3), PARAMS, agrees=True)
    # The ranking parameters may name their own thresholds (bench/tune.py).
    tuned = PARAMS | {"taught_agreeing_similarity": 0.9}
    assert not calibration.taught_decides(Near(0.85, 0.2), tuned | {"taught_lead": 0.5}, agrees=True)


def test_a_taught_phrasing_joins_coverage_and_the_example_questions_but_not_naive_bayes():
    # CLAUSES_SQL's shape: rowid, doc, number, title, heading, text, summary, keywords, questions, refs, own, taught
    row = (1, "d", "1.1", "Permits", "Parking", "Staff permits cost five pounds.", "", "", "", "[]", 0, "")
    taught = (*row[:11], "what does a parking pass for the Weeley depot cost?")
    plain, with_taught = postings.build_segment("d", "", [row]), postings.build_segment("d", "", [taught])

    def numbers(seg, word):
        t = seg.terms.index(stem(word))
        a = seg.indptr[t]
        return float(seg.profile[a]), float(seg.count[a])

    assert stem("weeley") not in plain.terms and len(plain.q_owner) == 0
    assert numbers(with_taught, "weeley") == (0.75, 0.0)  # a word of the clause's now, of its class's never
    assert numbers(with_taught, "cost") == numbers(plain, "cost")  # its own words count as they did
    assert float(with_taught.nb_total[0]) == float(plain.nb_total[0])
    assert len(with_taught.q_owner) == 1 and not with_taught.has_questions[0]  # still a plain passage


def test_a_phrasing_taught_to_a_plain_passage_lifts_it_only_for_questions_close_to_the_phrasing(tmp_path: Path):
    ted = build(Settings(semantic=False), ":memory:", first_use=False)
    path = tmp_path / "parking.md"
    path.write_text(
        "# Parking policy\n\n## Permits\n\nStaff permits cost £5 a month.\n\n## Bikes\n\n"
        "Bikes go in the shed by the depot.\n",
        "utf-8",
    )
    save_documents(ted.db, [parse_file(path)])

    def hit(question: str, number: str):
        return next(h for h in ted.answerer.index.search(question, limit=5)[1] if h.number == number)

    w_q = ranking_params()["w_qsim"]
    # Words the clause has already (or no word of the phrasing): its other signals are as they were.
    known = ("do bikes need a staff permit?", "shed?")
    close = "where do I put a bike in the working day"
    before = {q: hit(q, "2.1").score for q in (*known, close)}
    teach.teach(ted.db, "2.1", "where do I leave my bike during the working day?", "casey", doc_id="parking")
    for q in known:
        # Untaught, a plain passage's example-question similarity is taken to be as good as its other signals
        # (`before` is those, re-weighted); the taught phrasing replaces that only where the question is closer.
        h = hit(q, "2.1")
        assert h.score == pytest.approx(max(before[q], before[q] * (1 - w_q) + w_q * h.qsim)), q
    assert hit("shed?", "2.1").score == pytest.approx(before["shed?"])
    assert hit(close, "2.1").score > before[close]
    assert ted.answerer.index.search(close, limit=1)[1][0].number == "2.1"


def test_a_not_covered_example_agrees_with_the_ranking_only_where_the_ranking_would_not_answer_either():
    from knowledge.answer import agrees
    from knowledge.search import Hit
    from knowledge.vectors import Taught

    hits = [Hit(rowid=7, doc_id="doc-a", number="1.1", title="t", heading="", text="x", summary="", refs=())]
    marked = Taught(phrasing=False, similarity=0.76, lead=0.12, doc="doc-a")
    assert not agrees(marked, hits, unsure=False)  # the ranking answers with confidence: no agreement
    assert agrees(marked, hits, unsure=True)
    assert not agrees(Taught(phrasing=False, similarity=0.76, lead=0.12, doc="doc-b"), hits, unsure=True)
    taught_here = Taught(phrasing=True, similarity=0.76, lead=0.12, clause=7)
    assert agrees(taught_here, hits, unsure=False)


def test_a_rewording_that_only_adds_a_filler_word_still_asks_what_was_taught():
    wording = {stem("director"): 1.0, stem("right"): 1.0, stem("now"): 1.0, stem("staff"): 1.0}
    query = Query("who is the director right now", [Group(w, {stem(w): 1.0}) for w in ("director", "right", "now")])
    assert not teach.says_more(query, "who is the current director", wording, {}, 0.9)
    query = Query("who is the staff director", [Group(w, {stem(w): 1.0}) for w in ("staff", "director")])
    assert teach.says_more(query, "who is the current director", wording, {}, 0.9)  # a word of the clause's own
