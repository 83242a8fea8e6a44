"""`ted backup --out FILE`: a consistent copy while another connection writes; never over an existing file
unless --force; one sentence when it cannot."""

from __future__ import annotations

import sqlite3
import threading

from core import db as dbmod
from tests.test_ops_cli import one_sentence, run_ted


def test_a_backup_taken_while_another_connection_writes_is_whole_and_has_the_rows(tmp_path):
    live = tmp_path / "ted.db"
    db = dbmod.connect(live)
    db["unanswered"].insert_all(
        {"asked_at": "2026-01-01", "channel": "web", "question": f"q{i} " + "x" * 200} for i in range(2000)
    )
    stop, written = threading.Event(), [0]

    def writer() -> None:
        conn = sqlite3.connect(live, isolation_level=None, timeout=30)
        while not stop.is_set():
            conn.execute("BEGIN IMMEDIATE")
            conn.executemany(
                "insert into unanswered (asked_at, channel, question) values (?, 'web', ?)",
                [("2026-01-02", "y" * 300)] * 50,
            )
            conn.execute("COMMIT")
            written[0] += 50
        conn.close()

    t = threading.Thread(target=writer)
    t.start()
    try:
        while written[0] < 500:  # the writer is well under way before the backup starts
            stop.wait(0.01)
        out = run_ted(["backup", "--db", str(live), "--out", "copy.db"], tmp_path)
    finally:
        stop.set()
        t.join()
    assert out.returncode == 0, out.stderr
    assert "Backed up" in out.stdout and "integrity check" in out.stdout
    copy = sqlite3.connect(tmp_path / "copy.db")
    assert copy.execute("pragma integrity_check").fetchall() == [("ok",)]
    assert copy.execute("pragma journal_mode").fetchone() == ("delete",)  # one self-contained file
    rows = copy.execute("select count(*) from unanswered").fetchone()[0]
    assert 2000 + 500 <= rows <= 2000 + written[0] and rows % 50 == 0  # whole transactions only
    assert {r[0] for r in copy.execute("select name from _migrations")} == {n for n, _ in dbmod.MIGRATIONS}
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(".")]  # no half-written file left


def test_a_backup_never_replaces_an_existing_file_unless_forced(tmp_path):
    dbmod.connect(tmp_path / "ted.db").conn.close()
    (tmp_path / "old.db").write_bytes(b"yesterday's backup")
    err = one_sentence(run_ted(["backup", "--db", "ted.db", "--out", "old.db"], tmp_path), "old.db", "--force")
    assert "already exists" in err
    assert (tmp_path / "old.db").read_bytes() == b"yesterday's backup"
    out = run_ted(["backup", "--db", "ted.db", "--out", "old.db", "--force"], tmp_path)
    assert out.returncode == 0, out.stderr
    assert sqlite3.connect(tmp_path / "old.db").execute("pragma integrity_check").fetchone() == ("ok",)


def test_a_backup_of_nothing_or_of_a_damaged_database_is_refused_in_one_sentence(tmp_path):
    one_sentence(run_ted(["backup", "--db", "missing.db", "--out", "copy.db"], tmp_path), "missing.db")
    assert not (tmp_path / "missing.db").exists()  # no empty database made on the way
    (tmp_path / "notes.db").write_text("not a database at all, just notes\n" * 20, "utf-8")
    one_sentence(
        run_ted(["backup", "--db", "notes.db", "--out", "copy.db"], tmp_path), "notes.db", "not an SQLite database"
    )
    assert not (tmp_path / "copy.db").exists()


def test_a_backup_of_a_database_damaged_inside_is_refused_and_writes_nothing(tmp_path):
    from tests.test_ops_serve import _random_pages, make_db

    _random_pages(make_db(tmp_path / "ted.db"))
    err = one_sentence(run_ted(["backup", "--db", "ted.db", "--out", "copy.db"], tmp_path), "ted.db")
    assert "damaged" in err and "nothing was written" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ted.db"]
