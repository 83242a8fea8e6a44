"""Curating the knowledge base, platform-neutral: drafts, publish, retire, history and audit, teaching."""

from __future__ import annotations

from pathlib import Path

import pytest

from app import build
from core import db as dbmod
from core.settings import Settings
from knowledge import audit, lifecycle, teach, versions
from knowledge.ingest import parse_file
from knowledge.store import list_documents, save_documents

SUPPLIER = "can I add a supplier on my personal facebook?"  # 5.13
LOGO = "can I put the council logo on my personal facebook?"  # 5.6
PERMIT = "how much does a staff parking permit cost?"


def parking(tmp_path: Path, permits: str = "Staff permits cost £5 a month.", extra: str = "") -> Path:
    path = tmp_path / "parking.md"
    path.write_text(
        f"# Parking policy\n\n## Permits\n\n{permits}\n\n## Bikes\n\nBikes go in the shed by the depot.\n{extra}",
        "utf-8",
    )
    return path


def ask(ted, question: str):
    return ted.asker.ask(question, channel="test")


def cited(ted, question: str) -> list[str]:
    return [c.text for c in ask(ted, question).citations]


@pytest.fixture
def council():
    return build(Settings(), ":memory:")


def test_a_draft_is_never_searched_cited_or_shown_until_it_is_published(council, tmp_path):
    row = lifecycle.create_draft(council.db, parse_file(parking(tmp_path)), "casey")
    assert row["status"] == "draft" and row["clause_count"] == 2
    assert ask(council, PERMIT).intent == "fallback"
    assert "parking" not in {d["id"] for d in list_documents(council.db)}
    index = council.answerer.index
    index.refresh()
    assert index.snapshot.doc_ids == ["tdc-social-media-policy"] and index.view("parking", "1.1") is None
    preview = lifecycle.preview(lifecycle.draft_for(council.db, "parking"))
    assert [c["number"] for c in preview["clauses"]] == ["1.1", "2.1"]
    assert preview["clauses"][0]["heading"] == "Permits" and "£5" in preview["clauses"][0]["text"]

    lifecycle.publish(council.db, "parking", "casey", council.answerer.index.embedder)
    answer = ask(council, PERMIT)
    assert answer.intent == "policy" and answer.citations[0].doc == "parking" and "£5" in answer.citations[0].text
    assert council.db.execute("select count(*) from clause_vectors where doc_id = 'parking'").fetchone()[0] >= 2


def test_a_new_version_replaces_the_live_one_and_the_old_one_is_history(council, tmp_path):
    emb = council.answerer.index.embedder
    save_documents(council.db, [parse_file(parking(tmp_path))], embedder=emb)
    new = parse_file(parking(tmp_path, "Staff permits cost £7 a month from April."))
    lifecycle.create_draft(council.db, new, "casey")
    assert "£5" in cited(council, PERMIT)[0]  # the draft changes nothing yet
    lifecycle.publish(council.db, "parking", "casey", emb)
    texts = cited(council, PERMIT)
    assert "£7" in texts[0] and not any("£5" in t for t in texts)
    old, new = sorted(versions.history(council.db, "parking"), key=lambda r: r["seq"])
    assert (old["status"], new["status"]) == ("superseded", "live") and new["published_by"] == "casey"
    kept = versions.from_json(council.db["doc_versions"].get(old["id"])["content"])
    assert "£5" in kept.clauses[0].text  # the old wording is kept, never cited
    actions = [e["action"] for e in audit.entries(council.db, "parking")]
    assert actions[:3] == ["publish", "draft", "ingest"]


class Broken:
    model = "broken"

    def embed(self, texts):
        raise RuntimeError("the encoder fell over")

    embed_with_tokens = embed  # passages nobody enriched are encoded with their word states (knowledge.tokensim)


def test_a_publish_that_fails_changes_nothing(council, tmp_path):
    save_documents(council.db, [parse_file(parking(tmp_path))], embedder=council.answerer.index.embedder)
    lifecycle.create_draft(council.db, parse_file(parking(tmp_path, "Staff permits cost £7 a month.")), "casey")
    with pytest.raises(RuntimeError):
        lifecycle.publish(council.db, "parking", "casey", Broken())
    assert "£5" in cited(council, PERMIT)[0]
    assert lifecycle.draft_for(council.db, "parking")["status"] == "draft"


def test_retired_documents_are_never_cited_and_first_use_does_not_bring_them_back(tmp_path):
    path = str(tmp_path / "ted.db")
    ted = build(Settings(), path)
    lifecycle.retire(ted.db, "tdc-social-media-policy", "casey")
    assert ask(ted, SUPPLIER).intent == "fallback"
    again = build(Settings(), path)  # a knowledge base whose documents were retired is not "first use"
    assert ask(again, SUPPLIER).intent == "fallback" and not list_documents(again.db)
    (row,) = versions.history(again.db, "tdc-social-media-policy")
    assert row["status"] == "retired" and row["ended_by"] == "casey"
    with pytest.raises(lifecycle.CurationError):
        lifecycle.retire(again.db, "tdc-social-media-policy", "casey")


def test_details_are_editable_and_every_edit_is_audited(council):
    lifecycle.edit_details(
        council.db,
        "tdc-social-media-policy",
        {"owner": "casey.comms@tendring.example", "next_review": "2027-03-31"},
        "casey",
    )
    (doc,) = list_documents(council.db)
    assert doc["owner"] == "casey.comms@tendring.example" and doc["next_review"] == "2027-03-31"
    entry = audit.entries(council.db, "tdc-social-media-policy")[0]
    assert entry["action"] == "edit" and entry["actor"] == "casey"
    assert entry["before"] == {"owner": "Communications Manager", "next_review": ""}
    assert entry["after"]["next_review"] == "2027-03-31"
    for bad in ({"next_review": "next March"}, {"title": " "}, {"owner": "x" * 300}):
        with pytest.raises(lifecycle.CurationError):
            lifecycle.edit_details(council.db, "tdc-social-media-policy", bad, "casey")
    assert len(audit.entries(council.db, "tdc-social-media-policy")) == 2  # first use, and the one edit


def test_a_new_version_keeps_the_enrichment_of_clauses_whose_words_did_not_change(council, tmp_path):
    emb = council.answerer.index.embedder
    save_documents(council.db, [parse_file(parking(tmp_path))], embedder=emb)
    council.db.execute(
        "update clauses set questions = 'where do bicycles go' where doc_id = 'parking' and number = '2.1'"
    )
    row = lifecycle.create_draft(council.db, parse_file(parking(tmp_path, "Permits cost £7.")), "casey")
    doc = versions.from_json(row["content"])
    assert doc.clauses[1].questions == ("where do bicycles go",) and doc.clauses[0].questions == ()


def test_taught_phrasings_answer_the_question_and_close_rewordings(council):
    q = "who do I speak to before I go on local radio about the beach huts"
    emb = council.answerer.index.embedder
    assert ask(council, q).intent == "fallback"
    tid = teach.teach(council.db, "6.3", q, "casey", embedder=emb)
    assert ask(council, q).citations[0].clause == "6.3" and ask(council, q).intent == "policy"
    reworded = ask(council, "who should I talk to before going on the local radio about the beach huts?")
    assert reworded.intent == "policy" and reworded.citations[0].clause == "6.3"
    assert council.db.execute("select count(*) from clause_vectors where field = ?", [f"t{tid}"]).fetchone()[0] == 1
    assert teach.teach(council.db, "6.3", q.upper(), "casey") == tid  # the same phrasing once
    teach.forget(council.db, tid, "robin")
    assert council.db.execute("select count(*) from clause_vectors where field = ?", [f"t{tid}"]).fetchone()[0] == 0
    assert ask(council, q).intent == "fallback"
    (row,) = teach.taught(council.db, include_forgotten=True)
    assert row["status"] == "forgotten" and row["ended_by"] == "robin"


def test_a_taught_question_that_sounds_like_a_report_is_answered_by_its_clause(council):
    # "should I report it?" about the rules is what the communications team taught it to be; only /report files.
    q = "should I still report it if it might be a false alarm?"
    emb = council.answerer.index.embedder
    assert ask(council, q).intent == "report"
    teach.teach(council.db, "7.2", q, "casey", embedder=emb)
    for asked in (q, "if it might be a false alarm, should I still report it?"):
        got = ask(council, asked)
        assert got.intent == "policy" and got.citations[0].clause == "7.2", asked
    assert ask(council, "/report " + q).intent == "report"
    # Asking to report, in words close to what was taught: the taught answer, and the form offered with it.
    asked = ask(council, "I want to report it even if it might be a false alarm")
    assert asked.offer_report and (asked.intent == "report" or asked.citations[0].clause == "7.2")


def test_teaching_clause_a_never_breaks_an_answer_from_clause_b(council):
    assert ask(council, SUPPLIER).citations[0].clause == "5.13"
    assert ask(council, LOGO).citations[0].clause == "5.6"
    teach.teach(
        council.db,
        "5.6",
        "can I use the council crest on my own instagram page?",
        "casey",
        embedder=council.answerer.index.embedder,
    )
    teach.teach(
        council.db,
        "6.3",
        "a journalist phoned me about a facebook story, what do I do?",
        "casey",
        embedder=council.answerer.index.embedder,
    )
    for question, clause in ((SUPPLIER, "5.13"), (LOGO, "5.6")):
        answer = ask(council, question)
        assert answer.intent == "policy" and answer.citations[0].clause == clause


def test_not_covered_makes_ted_fall_back_on_the_question_and_its_rephrasings(council):
    q = "how do I reset my Teams password"
    assert ask(council, q).intent == "policy"
    tid = teach.not_covered(council.db, q, "casey", embedder=council.answerer.index.embedder)
    assert ask(council, q).intent == "fallback"
    assert ask(council, "how do i reset my password for teams?").intent == "fallback"
    assert ask(council, SUPPLIER).citations[0].clause == "5.13"
    (nc,) = council.db.execute("select source, added_by from not_covered where source = 'taught'").fetchall()
    assert nc == ("taught", "casey")
    teach.forget(council.db, tid, "casey")
    assert ask(council, q).intent == "policy"


def test_taught_phrasings_survive_a_new_version_with_the_clause_and_are_orphaned_without_it(council, tmp_path):
    emb = council.answerer.index.embedder
    save_documents(council.db, [parse_file(parking(tmp_path))], embedder=emb)
    keep = teach.teach(council.db, "2.1", "where can I leave my bicycle", "casey", doc_id="parking", embedder=emb)
    save_documents(council.db, [parse_file(parking(tmp_path, "Permits cost £7."))], embedder=emb)
    assert ask(council, "where can I leave my bicycle").citations[0].clause == "2.1"
    assert council.db.execute("select count(*) from clause_vectors where field = ?", [f"t{keep}"]).fetchone()[0] == 1
    (tmp_path / "parking.md").write_text("# Parking policy\n\n## Permits\n\nPermits cost £7.\n", "utf-8")
    lifecycle.create_draft(council.db, parse_file(tmp_path / "parking.md"), "casey")
    lifecycle.publish(council.db, "parking", "casey", emb)
    (row,) = teach.taught(council.db)
    assert row["id"] == keep and row["status"] == "orphaned"
    assert audit.entries(council.db, "parking")[1]["action"] == "orphan"
    with pytest.raises(lifecycle.CurationError):
        teach.teach(council.db, "2.1", "bikes?", "casey", doc_id="parking")


def test_teaching_refuses_what_it_cannot_do_and_changes_nothing(council):
    for call in (
        lambda: teach.teach(council.db, "99.9", "anything", "casey"),
        lambda: teach.teach(council.db, "5.13", "   ", "casey"),
        lambda: teach.not_covered(council.db, "x", "casey", doc_id="no-such-doc"),
        lambda: teach.forget(council.db, 12345, "casey"),
    ):
        with pytest.raises(lifecycle.CurationError):
            call()
    assert not teach.taught(council.db, include_forgotten=True)


def test_the_migration_gives_documents_loaded_before_it_a_live_version():
    db = dbmod.connect(":memory:")
    db.execute("drop table doc_versions")
    db.execute("delete from _migrations where name = '009_curation'")
    for table in ("taught", "kb_audit", "kb_triage"):
        db.execute(f"drop table {table}")
    db["documents"].insert({"id": "old", "title": "An old policy", "ingested_at": "2026-01-01T00:00:00+00:00"})
    assert dbmod.migrate(db) == ["009_curation"]
    (row,) = versions.history(db, "old")
    assert row["status"] == "live" and row["seq"] == 1 and row["published_at"] == "2026-01-01T00:00:00+00:00"


def test_a_taught_question_is_answered_even_when_it_reads_like_one_about_another_document(council):
    q = "what does the IT Strategy say about who leads on social media"
    assert ask(council, q).intent == "fallback"  # it names a document TED does not hold
    teach.teach(council.db, "3.1", q, "casey", embedder=council.answerer.index.embedder)
    answer = ask(council, f"  {q.upper()} ")
    assert answer.intent == "policy" and answer.citations[0].clause == "3.1"


def test_a_rewording_of_a_taught_question_is_answered_even_when_it_names_a_document_ted_does_not_hold(council):
    q = "what does the IT Strategy say about who leads on social media"
    reworded = "who leads on social media according to the IT strategy?"
    assert ask(council, reworded).intent == "fallback"
    teach.teach(council.db, "3.1", q, "casey", embedder=council.answerer.index.embedder)
    answer = ask(council, reworded)
    assert answer.intent == "policy" and answer.citations[0].clause == "3.1" and answer.confidence > 0.8


def test_on_a_document_nobody_enriched_teaching_reaches_close_rewordings_and_nothing_else(council, tmp_path):
    emb = council.answerer.index.embedder
    save_documents(council.db, [parse_file(parking(tmp_path))], embedder=emb)
    motorbike, staff = "can I park my motorbike in the bike shed?", "how much does a staff parking permit cost?"
    assert ask(council, motorbike).citations[0].clause == "2.1"
    teach.not_covered(council.db, motorbike, "casey", doc_id="parking", embedder=emb)
    # One word away from the staff permit, but the permits clause has the word that differs ("Staff permits…").
    teach.not_covered(council.db, "how much is a visitor parking permit?", "casey", doc_id="parking", embedder=emb)
    for q in (motorbike, "is it ok to leave a motorbike in the bike shed?", "how much is a visitors parking permit"):
        assert ask(council, q).intent == "fallback", q
    for q, clause in ((staff, "1.1"), ("what does a parking permit for staff cost?", "1.1"), (SUPPLIER, "5.13")):
        answer = ask(council, q)
        assert answer.intent == "policy" and answer.citations[0].clause == clause, q
    teach.teach(council.db, "2.1", "where do I put my bike during the day?", "casey", doc_id="parking", embedder=emb)
    assert ask(council, "during the day where do I put my bicycle").citations[0].clause == "2.1"
    assert ask(council, staff).citations[0].clause == "1.1"


def test_a_generic_taught_phrasing_steals_no_other_clause_s_questions(council):
    emb = council.answerer.index.embedder
    others = {
        SUPPLIER: "5.13",
        LOGO: "5.6",
        "a journalist phoned me about a facebook story, what do I do?": "6.3",
        "can I set up a new instagram account for my team?": "6.1",
    }
    assert {q: ask(council, q).citations[0].clause for q in others} == others
    teach.teach(council.db, "5.1", "is this allowed?", "casey", embedder=emb)
    teach.teach(council.db, "8.4", "what are the rules on this?", "casey", embedder=emb)
    assert {q: ask(council, q).citations[0].clause for q in others} == others
    assert ask(council, "is that allowed?").citations[0].clause == "5.1"


def test_a_taught_phrasing_never_follows_its_clause_number_to_other_words(council, tmp_path):
    emb = council.answerer.index.embedder
    save_documents(council.db, [parse_file(parking(tmp_path))], embedder=emb)
    q = "where can I leave my bicycle"
    tid = teach.teach(council.db, "2.1", q, "casey", doc_id="parking", embedder=emb)

    def second_section_becomes(heading: str, text: str) -> str:
        path = tmp_path / "parking.md"
        path.write_text(
            f"# Parking policy\n\n## Permits\n\nStaff permits cost £5 a month.\n\n## {heading}\n\n{text}\n", "utf-8"
        )
        save_documents(council.db, [parse_file(path)], embedder=emb)
        return next(r for r in teach.taught(council.db) if r["id"] == tid)["status"]

    # A light rewording of the clause (one word) keeps what was taught.
    assert second_section_becomes("Bikes", "Bikes go in the shed beside the depot.") == "active"
    # The same number now saying something else: the phrasing is orphaned, never answered with the new words.
    assert second_section_becomes("Charging", "Electric vehicles may charge at the bays by the library.") == "orphaned"
    got = ask(council, q)
    assert not (got.intent == "policy" and "Electric" in got.citations[0].text)
    assert audit.entries(council.db, "parking")[1]["action"] == "orphan"


def test_with_the_semantic_signal_off_a_taught_question_still_takes_effect_at_once():
    lexical = build(Settings(semantic=False), ":memory:")
    q = "can I wear my lanyard in selfies"
    before = ask(lexical, q)
    teach.teach(lexical.db, "5.5", q, "casey")
    got = ask(lexical, q)
    assert got.intent == "policy" and got.citations[0].clause == "5.5", before
    oos = "how do I reset my Teams password"
    teach.not_covered(lexical.db, oos, "casey")
    assert ask(lexical, oos).intent == "fallback"


def test_a_draft_older_than_the_live_version_is_never_published_over_it(council, tmp_path):
    emb = council.answerer.index.embedder
    save_documents(council.db, [parse_file(parking(tmp_path))], embedder=emb)
    lifecycle.create_draft(
        council.db, parse_file(parking(tmp_path, "Staff permits cost £6 a month.")), "casey", "parking"
    )
    save_documents(council.db, [parse_file(parking(tmp_path, "Staff permits cost £9 a month."))], embedder=emb)
    with pytest.raises(lifecycle.CurationError, match="older than the live version"):
        lifecycle.publish(council.db, "parking", "casey", emb)
    assert "£9" in cited(council, PERMIT)[0]


def test_what_was_marked_not_covered_by_a_retired_document_is_orphaned_with_it(council, tmp_path):
    emb = council.answerer.index.embedder
    save_documents(council.db, [parse_file(parking(tmp_path))], embedder=emb)
    tid = teach.not_covered(council.db, "can I park my caravan at the depot", "casey", "parking", embedder=emb)
    lifecycle.retire(council.db, "parking", "casey")
    assert next(r for r in teach.taught(council.db) if r["id"] == tid)["status"] == "orphaned"
    assert not council.db.execute("select 1 from not_covered where source = 'taught'").fetchone()


def test_undoing_what_was_already_undone_says_so(council):
    from knowledge.lifecycle import CurationError

    tid = teach.teach(council.db, "5.13", "can my cousin and I be facebook friends", "casey@tendring.example")
    teach.forget(council.db, tid, "casey@tendring.example")
    with pytest.raises(CurationError, match="already been undone"):
        teach.forget(council.db, tid, "casey@tendring.example")
    with pytest.raises(CurationError, match="Nothing taught has the id 9999"):
        teach.forget(council.db, 9999, "casey@tendring.example")


def test_a_document_called_11_is_edited_itself_never_the_draft_whose_version_id_is_11(council, tmp_path):
    drafts = [lifecycle.create_draft(council.db, parse_file(parking(tmp_path)), "casey") for _ in range(12)]
    other = drafts[-1]  # every new draft discards the one before: the last one waits
    numbered = tmp_path / f"{other['id']}.md"
    numbered.write_text("# Lockers\n\n## Keys\n\nLocker keys are at reception.\n", "utf-8")
    save_documents(council.db, [parse_file(numbered)], embedder=council.answerer.index.embedder)
    doc_id = str(other["id"])
    assert doc_id in {d["id"] for d in list_documents(council.db)}
    assert lifecycle.edit_details(council.db, doc_id, {"title": "Locker policy"}, "casey") == {"title": "Locker policy"}
    assert versions.get(council.db, other["id"])["title"] == "Parking policy"  # the draft is untouched
    assert lifecycle.edit_details(council.db, other["id"], {"owner": "Facilities"}, "casey") == {"owner": "Facilities"}


def test_an_upload_said_to_be_new_never_becomes_a_new_version_of_a_document_of_the_same_name(council, tmp_path):
    save_documents(council.db, [parse_file(parking(tmp_path))], embedder=council.answerer.index.embedder)
    waiting = lifecycle.create_draft(council.db, parse_file(parking(tmp_path, "Permits cost £6.")), "robin", "parking")
    with pytest.raises(lifecycle.CurationError, match="already in the knowledge base"):
        lifecycle.create_draft(council.db, parse_file(parking(tmp_path, "Permits cost £7.")), "casey", new_only=True)
    assert versions.current(council.db, "parking", versions.DRAFT)["id"] == waiting["id"]  # Robin's draft stays


def test_retiring_a_document_discards_its_waiting_draft_so_one_press_cant_bring_it_back(council, tmp_path):
    save_documents(council.db, [parse_file(parking(tmp_path))], embedder=council.answerer.index.embedder)
    draft = lifecycle.create_draft(council.db, parse_file(parking(tmp_path, "Permits cost £6.")), "casey", "parking")
    lifecycle.retire(council.db, "parking", "casey")
    assert versions.get(council.db, draft["id"])["status"] == versions.DISCARDED
    with pytest.raises(lifecycle.CurationError, match="no longer a draft: it was replaced or discarded by casey"):
        lifecycle.publish(council.db, draft["id"], "casey")
    assert ask(council, PERMIT).intent == "fallback"


def test_review_dates_are_written_as_yyyy_mm_dd_only(council):
    for typed in ("20270301", "2027-W13-1", "2027-3-1"):
        with pytest.raises(lifecycle.CurationError, match="must be a date like 2027-03-31"):
            lifecycle.edit_details(council.db, "tdc-social-media-policy", {"next_review": typed}, "casey")
    done = lifecycle.edit_details(council.db, "tdc-social-media-policy", {"next_review": "2027-03-01"}, "casey")
    assert done == {"next_review": "2027-03-01"}


def test_a_publish_pressed_twice_at_once_publishes_once(tmp_path):
    import threading

    path = str(tmp_path / "ted.db")
    first, second = build(Settings(), path), build(Settings(), path)
    lifecycle.create_draft(first.db, parse_file(parking(tmp_path)), "casey")
    outcomes: list[str] = []

    def press(ted):
        try:
            lifecycle.publish(ted.db, "parking", "casey", ted.answerer.index.embedder)
            outcomes.append("published")
        except lifecycle.CurationError:
            outcomes.append("refused")

    presses = [threading.Thread(target=press, args=(t,)) for t in (first, second)]
    for t in presses:
        t.start()
    for t in presses:
        t.join()
    assert sorted(outcomes) == ["published", "refused"]
    entries = [e for e in audit.entries(first.db, "parking") if e["action"] == audit.PUBLISH]
    assert len(entries) == 1


def test_a_file_named_without_latin_letters_gets_an_id_it_can_be_updated_by(council, tmp_path):
    path = tmp_path / "政策.md"
    path.write_text("# 政策\n\n## Keys\n\nLocker keys are at reception.\n", "utf-8")
    doc = parse_file(path)
    row = lifecycle.create_draft(council.db, doc, "casey")
    lifecycle.publish(council.db, row["id"], "casey")
    again = lifecycle.create_draft(council.db, parse_file(path), "casey", doc.id)  # a new version, by its id
    assert again["doc_id"] == doc.id == "政策"  # the id it always had: nothing ingested before changes id


def test_the_same_words_taught_twice_are_one_phrasing(council):
    a = teach.teach(council.db, "5.5", "Can I post pictures of cats on the council page?", "casey")
    b = teach.teach(council.db, "5.5", "can i post pictures of cats on the council page", "casey")
    assert a == b


class WatchedEncoder:
    """The real encoder, noting whether the database was held by a write transaction while it encoded."""

    def __init__(self, real, db):
        self.real, self.db, self.inside, self.calls = real, db, 0, 0
        self.tokenizer = real.tokenizer

    def _note(self):
        self.calls += 1
        self.inside += self.db.conn.in_transaction

    def encode(self, texts, **kw):
        self._note()
        return self.real.encode(texts, **kw)

    def encode_tokens(self, texts, **kw):
        self._note()
        return self.real.encode_tokens(texts, **kw)


def test_publishing_encodes_the_new_wording_before_it_holds_the_database(tmp_path):
    ted = build(Settings(), str(tmp_path / "ted.db"))
    emb = ted.answerer.index.embedder
    if emb is None:
        pytest.skip("the semantic model is not installed")
    watched = WatchedEncoder(emb.encoder, ted.db)
    emb.encoder = watched
    row = lifecycle.create_draft(ted.db, parse_file(parking(tmp_path, "Staff permits cost £8 a month.")), "casey")
    lifecycle.publish(ted.db, row["id"], "casey", emb)
    save_documents(ted.db, [parse_file(parking(tmp_path, "Staff permits cost £9 a month."))], embedder=emb)
    assert "£9" in cited(ted, PERMIT)[0]
    copy = tmp_path / "copy"
    copy.mkdir()
    twin = parking(copy, "Staff permits cost £10 a month.")  # the same passages twice (a copy of a file)
    save_documents(ted.db, [parse_file(twin), parse_file(twin.rename(copy / "parking (1).md"))], embedder=emb)
    assert watched.calls and watched.inside == 0  # staff asking meanwhile are recorded, never kept waiting


def test_details_edited_on_a_published_draft_come_back_with_it_when_it_is_restored(council, tmp_path):
    row = lifecycle.create_draft(council.db, parse_file(parking(tmp_path)), "casey")
    lifecycle.publish(council.db, row["id"], "casey")
    lifecycle.edit_details(council.db, "parking", {"owner": "Facilities Manager"}, "casey")
    lifecycle.create_draft(council.db, parse_file(parking(tmp_path, "Permits cost £6.")), "casey", "parking")
    lifecycle.publish(council.db, "parking", "casey")
    restored = lifecycle.restore(council.db, "parking", 1, "casey")
    assert versions.from_json(versions.get(council.db, restored["id"])["content"]).owner == "Facilities Manager"


def test_a_new_documents_first_upload_can_be_corrected_by_uploading_it_again(council, tmp_path):
    first = lifecycle.create_draft(council.db, parse_file(parking(tmp_path)), "casey", new_only=True)
    again = lifecycle.create_draft(council.db, parse_file(parking(tmp_path, "£6.")), "casey", new_only=True)
    assert versions.get(council.db, first["id"])["status"] == versions.DISCARDED and again["doc_id"] == "parking"
    lifecycle.discard(council.db, again["id"], "casey")
    assert lifecycle.create_draft(council.db, parse_file(parking(tmp_path)), "casey", new_only=True)["seq"] == 3


def test_what_one_change_encoded_ahead_is_not_dropped_by_another(council):
    emb = council.answerer.index.embedder
    if emb is None:
        pytest.skip("the semantic model is not installed")
    mine = emb.prepare(["Parking › Permits: staff permits cost £5 a month."], [])
    theirs = emb.prepare(["Lockers › Keys: locker keys are at reception."], [])
    emb.forget_prepared(theirs)  # their change finished
    calls = []
    real = emb.encoder.encode_tokens
    emb.encoder.encode_tokens = lambda texts, **kw: calls.append(texts) or real(texts, **kw)
    try:
        emb.embed_with_tokens(["Parking › Permits: staff permits cost £5 a month."])
    finally:
        emb.encoder.encode_tokens = real
        emb.forget_prepared(mine)
    assert calls == []  # mine was still there: nothing encoded again


def test_a_discarded_draft_is_audited_with_what_it_was(council, tmp_path):
    save_documents(council.db, [parse_file(parking(tmp_path))], embedder=council.answerer.index.embedder)
    first = lifecycle.create_draft(council.db, parse_file(parking(tmp_path, "Permits cost £6.")), "casey", "parking")
    lifecycle.create_draft(council.db, parse_file(parking(tmp_path, "Permits cost £7.")), "robin", "parking")
    lifecycle.discard(council.db, "parking", "robin")
    discards = [e for e in audit.entries(council.db, "parking") if e["action"] == audit.DISCARD]
    assert [e["actor"] for e in discards] == ["robin", "robin"]  # the draft Robin's replaced, then Robin's own
    for e in discards:
        assert e["before"]["title"] and e["before"]["clauses"] >= 1 and e["after"] is None, e
    assert f"version {first['seq']}" in discards[1]["target"]


def test_an_upload_said_to_be_new_never_throws_away_a_draft_someone_else_made_or_edited(council, tmp_path):
    robin = lifecycle.create_draft(council.db, parse_file(parking(tmp_path)), "robin", new_only=True)
    with pytest.raises(lifecycle.CurationError, match="already waiting .*uploaded by robin"):
        lifecycle.create_draft(council.db, parse_file(parking(tmp_path, "£6.")), "casey", new_only=True)
    lifecycle.edit_details(council.db, robin["id"], {"owner": "Harper Singh"}, "robin")
    with pytest.raises(lifecycle.CurationError, match="a new draft of"):  # her own, but edited since
        lifecycle.create_draft(council.db, parse_file(parking(tmp_path, "£6.")), "robin", new_only=True)
    assert versions.current(council.db, "parking", versions.DRAFT)["id"] == robin["id"]
    # Chosen as "a new draft of" the document, it replaces the waiting draft on purpose.
    again = lifecycle.create_draft(council.db, parse_file(parking(tmp_path, "£6.")), "casey", "parking")
    assert versions.get(council.db, robin["id"])["status"] == versions.DISCARDED and again["seq"] == 2
    with pytest.raises(lifecycle.CurationError, match="Version 1 of “parking” is no longer a draft.*Reload"):
        lifecycle.publish(council.db, robin["id"], "robin")  # a second tab still showing Robin's draft


def test_a_new_version_without_a_version_label_is_warned_of(council, tmp_path):
    save_documents(council.db, [parse_file(parking(tmp_path))], embedder=council.answerer.index.embedder)
    council.db["documents"].update("parking", {"version": "1.0"})
    draft = lifecycle.create_draft(council.db, parse_file(parking(tmp_path, "£6.")), "casey", "parking")
    (warning,) = lifecycle.preview(draft, council.db)["warnings"]
    assert "no version label (the live one is “1.0”)" in warning
