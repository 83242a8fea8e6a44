"""Word-by-word closeness (knowledge/tokensim.py): how it is measured, how it re-orders the best candidates, and that
search measures it only for passages nobody enriched, from the states stored at ingest."""

from __future__ import annotations

import numpy as np
import pytest

from knowledge import tokensim
from knowledge.minilm import TokenStates
from knowledge.model import Clause, Document
from knowledge.store import save_documents


def unit(*xs: float) -> np.ndarray:
    v = np.zeros(4, dtype=np.float32)
    v[: len(xs)] = xs
    return v / np.linalg.norm(v)


def test_each_question_piece_takes_its_best_match_and_rare_pieces_count_more():
    question = TokenStates(np.array([7, 8], dtype=np.int32), np.stack([unit(1), unit(0, 1)]))
    has_first = np.stack([unit(1), unit(0, 0, 1)])  # the first piece exactly, nothing like the second
    has_second = np.stack([unit(0, 0, 1), unit(0, 1)])
    stats = tokensim.PieceStats(passages=10, df={7: 9, 8: 1})  # piece 8 is the rare one
    w = stats.weights(question.ids)
    assert w[1] > w[0]
    first, second = tokensim.closeness(question, w, [has_first, has_second])
    assert second > first  # matching the rare piece is worth more
    assert tokensim.closeness(question, np.ones(2), [has_first])[0] == pytest.approx(0.5)
    # A question with no content pieces, or an empty passage, measures nothing.
    none = TokenStates(np.zeros(0, np.int32), np.zeros((0, 4), np.float32))
    assert tokensim.closeness(none, np.zeros(0), [has_first]).tolist() == [0.0]
    assert tokensim.closeness(question, w, [np.zeros((0, 4), np.float32)]).tolist() == [0.0]


def test_piece_stats_count_each_passage_once():
    blobs = [np.array(ids, dtype=np.int32).tobytes() for ids in ([1, 1, 2], [2, 3])]
    stats = tokensim.PieceStats.of(blobs)
    assert stats.passages == 2 and stats.df == {1: 1, 2: 2, 3: 1}


def test_rerank_only_lowers_the_candidates_that_trail_word_by_word():
    score = np.array([0.9, 0.8, 0.7, 0.6])
    tok = np.array([0.5, 0.9, 0.0, 0.6])
    has = np.array([True, True, False, True])  # the third is an enriched clause: no token states
    out = tokensim.rerank(score, tok, has, weight=0.5)
    assert out[1] == pytest.approx(0.8)  # the closest keeps its score (and so the confidence built on it)
    assert out[0] == pytest.approx(0.9 - 0.5 * 0.4) and out[3] == pytest.approx(0.6 - 0.5 * 0.3)
    assert out[2] == 0.7  # never moved, so never lifted over anything
    assert np.argmax(out) == 1
    assert tokensim.rerank(score, tok, has, weight=0.0).tolist() == score.tolist()
    # Beyond the best k the other signals decide alone; one candidate with states has nothing to trail.
    assert tokensim.rerank(score, tok, has, weight=0.5, k=1).tolist() == score.tolist()


def test_it_picks_only_the_first_and_the_rest_keep_the_order_before_it():
    base = np.array([0.9, 0.8, 0.7, 0.6, 0.5])
    score = np.array([0.55, 0.5, 0.45, 0.6, 0.4])  # the fourth is the closest word by word: the others lost ground
    assert tokensim.order(base, score, limit=5).tolist() == [3, 0, 1, 2, 4]
    assert tokensim.order(base, score, limit=2).tolist() == [3, 0]
    assert tokensim.order(base, base, limit=3).tolist() == [0, 1, 2]  # nothing re-ordered: the base order
    assert tokensim.order(np.zeros(0), np.zeros(0), limit=3).tolist() == []


def test_function_words_and_punctuation_are_not_content():
    vocab = ("[CLS]", "the", "park", "##ing", ".", "not", "only", "[SEP]")
    content = tokensim.content_pieces(vocab)
    assert [p for p, c in zip(vocab, content, strict=True) if c] == ["park", "##ing", "only"]


def test_search_measures_it_for_passages_nobody_enriched_and_only_them(ted):
    index = ted.answerer.index
    if index.embedder is None:
        pytest.skip("the model package is not installed")
    doc = Document(
        "car-parks",
        "Car Park Policy",
        (
            Clause("1.1", "Staff park in the rear car park only. Visitors use the front car park."),
            Clause("1.2", "Bicycles are kept in the locked shed beside the rear entrance."),
        ),
    )
    save_documents(ted.db, [doc], embedder=index.embedder)
    _, hits = index.search("where do I leave my bike at work?", limit=20)
    plain = [h for h in hits if h.doc_id == "car-parks"]
    assert plain and plain[0].number == "1.2"
    assert all(h.tok > 0 for h in plain)
    assert all(h.tok == 0 for h in hits if h.enriched)
    # The closer passage word by word is the bicycle one.
    by_number = {h.number: h.tok for h in plain}
    assert by_number["1.2"] > by_number.get("1.1", 0.0)


def test_the_cards_that_follow_are_judged_on_the_scores_before_the_re_ordering(ted):
    from knowledge.search import Hit

    def hit(rowid: int, number: str, score: float, base: float) -> Hit:
        return Hit(rowid, "plain", number, "t", "", "text", "", (), score=score, base=base)

    # 4.2 completes 4.3 (its neighbour) and was close enough before the re-ordering lowered it; it stays a card.
    hits = [hit(1, "4.3", 0.548, 0.548), hit(2, "0.1", 0.508, 0.536), hit(3, "4.2", 0.431, 0.481)]
    answer = ted.answerer.compose(hits, 0.9)
    assert [c.clause for c in answer.also] == ["4.2"]
    # It is among the citations; they are listed best first by the score each carries (the contract's order).
    assert [c.clause for c in answer.citations] == ["4.3", "0.1", "4.2"]
