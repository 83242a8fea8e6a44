"""A new release's enrichment of the bundled policy reaches a knowledge base an earlier release made, and only
TED's own copy of it: the communications team's edits, what they taught, and a version they published stay."""

from __future__ import annotations

import json
from pathlib import Path

from app import main

ROOT = Path(__file__).resolve().parents[1]
DOC = "tdc-social-media-policy"
QUESTION = "does the social media policy apply to councillors as well as staff?"  # an example question of 2.1


def _as_an_earlier_release_left_it(db_path: str, older_copy: bool = True) -> None:
    """What a knowledge base made by an earlier release looks like: clause 2.1 without this release's example
    questions, its content hash that release's, and no note of this release's files."""
    import sqlite3

    with sqlite3.connect(db_path) as con:
        if older_copy:
            (questions,) = con.execute(
                "select questions from clauses where doc_id = ? and number = '2.1'", [DOC]
            ).fetchone()
            assert QUESTION in questions
            kept = "\n".join(q for q in questions.split("\n") if q != QUESTION)
            con.execute("update clauses set questions = ? where doc_id = ? and number = '2.1'", [kept, DOC])
        con.execute("update documents set source_hash = 'earlier' where id = ?", [DOC])
        con.execute("delete from kb_meta where key = 'bundled_release'")


def _clauses(db_path: str) -> list:
    import sqlite3

    with sqlite3.connect(db_path) as con:
        return con.execute("select number, text, title, questions from clauses where doc_id = ?", [DOC]).fetchall()


def _questions_of_2_1(db_path: str) -> str:
    import sqlite3

    with sqlite3.connect(db_path) as con:
        return con.execute("select questions from clauses where doc_id = ? and number = '2.1'", [DOC]).fetchone()[0]


def test_a_new_release_updates_teds_own_copy_keeping_edits_and_teaching(tmp_path, capsys):
    db = str(tmp_path / "t.db")
    assert main(["ask", "--db", db, "hello"]) == 0  # first use loads the bundled policy
    assert main(["kb", "edit", DOC, "--db", db, "--owner", "Head of Communications"]) == 0
    assert main(["kb", "teach", "--db", db, "--clause", "5.17", "can I pass on the council's bin day reminders"]) == 0
    _as_an_earlier_release_left_it(db)
    assert QUESTION not in _questions_of_2_1(db)

    assert main(["ask", "--db", db, "hello"]) == 0  # any command opens the knowledge base: the release applies
    assert QUESTION in _questions_of_2_1(db)
    capsys.readouterr()
    assert main(["kb", "history", DOC, "--db", db, "--json"]) == 0
    history = json.loads(capsys.readouterr().out)
    text = json.dumps(history)
    assert "ted (release update)" in text  # audited, as a new version in the history
    assert main(["kb", "list", "--db", db]) == 0
    listed = capsys.readouterr().out
    assert "live (version 2)" in listed and "Head of Communications" in listed  # the edited owner stays
    assert main(["kb", "taught", "--db", db, "--json"]) == 0
    taught = json.loads(capsys.readouterr().out)
    print(taught)
    assert [t["clause"] for t in taught if t["question"] == "can I pass on the council's bin day reminders"] == ["5.17"]

    # Opened again with the same release: nothing more to do, no new version.
    assert main(["ask", "--db", db, "hello"]) == 0
    capsys.readouterr()
    assert main(["kb", "list", "--db", db]) == 0
    assert "live (version 2)" in capsys.readouterr().out


def test_a_version_someone_published_or_a_retired_policy_is_left_as_it_is(tmp_path, capsys):
    db = str(tmp_path / "t.db")
    assert main(["ask", "--db", db, "hello"]) == 0
    # The communications team ingests their own copy of the same policy (its plain text, nobody's enrichment).
    assert main(["ingest", "--db", db, "--quiet", str(ROOT / "corpora" / f"{DOC}.txt")]) == 0
    before = _clauses(db)
    _as_an_earlier_release_left_it(db, older_copy=False)
    assert main(["ask", "--db", db, "hello"]) == 0
    assert _clauses(db) == before  # theirs, not TED's: untouched

    other = str(tmp_path / "retired.db")
    assert main(["ask", "--db", other, "hello"]) == 0
    assert main(["kb", "retire", DOC, "--db", other]) == 0
    import sqlite3

    with sqlite3.connect(other) as con:
        con.execute("delete from kb_meta where key = 'bundled_release'")
    assert main(["ask", "--db", other, "hello"]) == 0
    assert _clauses(other) == []  # retired stays retired: nothing searched
    capsys.readouterr()
    assert main(["kb", "history", DOC, "--db", other, "--json"]) == 0
    assert "ted (release update)" not in capsys.readouterr().out


def test_a_database_another_process_is_writing_is_read_as_it_is_and_updated_next_time(tmp_path, capsys):
    import sqlite3

    db = str(tmp_path / "t.db")
    assert main(["ask", "--db", db, "hello"]) == 0
    _as_an_earlier_release_left_it(db)
    writer = sqlite3.connect(db, isolation_level=None)
    writer.execute("begin immediate")  # someone else holds the write lock past TED's busy timeout
    try:
        capsys.readouterr()
        assert main(["kb", "list", "--db", db]) == 0  # read as it is: the command still works
        assert "live (version 1)" in capsys.readouterr().out
    finally:
        writer.execute("rollback")
        writer.close()
    assert QUESTION not in _questions_of_2_1(db)
    assert main(["kb", "list", "--db", db]) == 0  # the next command updates it
    assert QUESTION in _questions_of_2_1(db)


def test_a_waiting_draft_holds_the_release_back_and_unedited_details_take_the_releases(tmp_path, capsys):
    import sqlite3

    db = str(tmp_path / "t.db")
    assert main(["ask", "--db", db, "hello"]) == 0
    assert main(["ingest", "--db", db, "--draft", "--quiet", "--doc", DOC, str(ROOT / "corpora" / f"{DOC}.txt")]) == 0
    _as_an_earlier_release_left_it(db)
    assert main(["ask", "--db", db, "hello"]) == 0
    assert QUESTION not in _questions_of_2_1(db)  # someone's draft waits: their publish must still work
    with sqlite3.connect(db) as con:  # they drop it; an earlier release's version name is still on the live one
        con.execute("update doc_versions set status = 'discarded' where doc_id = ? and status = 'draft'", [DOC])
        con.execute("update documents set version = 'Old edition' where id = ?", [DOC])
    assert main(["ask", "--db", db, "hello"]) == 0
    assert QUESTION in _questions_of_2_1(db)
    with sqlite3.connect(db) as con:
        (version,) = con.execute("select version from documents where id = ?", [DOC]).fetchone()
    assert version == "Web edition"  # nobody edited it: this release's
