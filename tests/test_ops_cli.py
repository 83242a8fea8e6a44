"""Clear errors from the command line: a missing or malformed file is one sentence on stderr and a non-zero exit,
never a traceback; every sub-command, nested ones included, has its own --help."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

import pytest

from app import main, parser

ROOT = Path(__file__).resolve().parents[1]
TED = [sys.executable, "-c", "import sys, app; sys.exit(app.main())"]


def run_ted(args: list[str], cwd: Path, **env) -> subprocess.CompletedProcess:
    full = dict(os.environ, PYTHONPATH=str(ROOT), TED_SEMANTIC="0", **env)
    full.pop("TED_LOG_LEVEL", None)
    return subprocess.run(TED + args, capture_output=True, text=True, env=full, cwd=cwd, timeout=60)


def one_sentence(out: subprocess.CompletedProcess, *words: str) -> str:
    """The command failed with one line on stderr, naming *words*, and no traceback."""
    err = out.stderr.strip()
    assert out.returncode != 0, out
    assert "Traceback" not in out.stderr and len(err.splitlines()) == 1, out.stderr
    for w in words:
        assert w in err, (w, err)
    return err


def command_paths(p: argparse.ArgumentParser, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    out = []
    for action in p._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                out.append((*prefix, name))
                out += command_paths(sub, (*prefix, name))
    return out


PATHS = command_paths(parser())


def test_the_command_tree_has_nested_sub_commands():
    assert ("kb", "list") in PATHS and ("reports", "show") in PATHS and ("directory", "import") in PATHS
    assert ("teams", "package") in PATHS and ("backup",) in PATHS


@pytest.mark.parametrize("path", PATHS, ids=" ".join)
def test_every_sub_command_shows_its_own_help(path, capsys):
    with pytest.raises(SystemExit) as exc:
        main([*path, "--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: ted {' '.join(path)} "), out[:200]
    assert "--db" in out


def test_db_may_come_before_or_after_a_nested_sub_command(tmp_path, capsys):
    db = str(tmp_path / "t.db")
    csv = tmp_path / "staff.csv"
    csv.write_text(
        "email,name,slack_user_id,teams_user_id,manager_email,service_area,roles\na@tendring.example,A,,,,Leisure,\n",
        "utf-8",
    )
    assert main(["directory", "import", "--db", db, str(csv)]) == 0
    assert main(["directory", "--db", db, "list"]) == 0
    assert "a@tendring.example" in capsys.readouterr().out


def test_eval_with_a_missing_or_malformed_file_says_so_in_one_sentence(tmp_path):
    (tmp_path / "broken.jsonl").write_text('{"id": 1, "question": "hi"\n', "utf-8")
    (tmp_path / "no_kind.jsonl").write_text('{"id": 1, "question": "hi"}\n', "utf-8")
    (tmp_path / "list.jsonl").write_text("[1, 2]\n", "utf-8")
    (tmp_path / "latin1.jsonl").write_bytes(b'{"question": "caf\xe9"}\n')
    (tmp_path / "folder.jsonl").mkdir()
    for name in ("missing.jsonl", "broken.jsonl", "no_kind.jsonl", "list.jsonl", "latin1.jsonl", "folder.jsonl"):
        one_sentence(run_ted(["eval", "--db", "t.db", name], tmp_path), name, "ted eval:")


def test_ingest_with_a_missing_or_malformed_file_says_so_in_one_sentence(tmp_path):
    (tmp_path / "broken.docx").write_bytes(b"PK\x03\x04 not really a zip")
    (tmp_path / "broken.pdf").write_bytes(b"%PDF-1.4 and then nothing")
    (tmp_path / "notes.xyz").write_text("x", "utf-8")
    (tmp_path / "empty.md").write_text("", "utf-8")
    for name in ("missing.md", "broken.docx", "broken.pdf", "notes.xyz", "empty.md"):
        one_sentence(run_ted(["ingest", "--db", "t.db", "--quiet", name], tmp_path), name, "ted ingest:")


def test_directory_import_with_a_missing_or_malformed_file_says_so_in_one_sentence(tmp_path):
    (tmp_path / "wrong_header.csv").write_text("name,email\nA,a@b.example\n", "utf-8")
    (tmp_path / "latin1.csv").write_bytes(b"email,name\ncaf\xe9@b.example,Caf\xe9\n")
    (tmp_path / "nul.csv").write_bytes(b"email\x00,name\n")
    (tmp_path / "folder.csv").mkdir()
    for name in ("missing.csv", "wrong_header.csv", "latin1.csv", "nul.csv", "folder.csv"):
        err = one_sentence(run_ted(["directory", "import", "--db", "t.db", name], tmp_path), name)
        assert "nothing was changed" in err


def test_a_directory_file_that_would_lose_or_confuse_people_is_refused_naming_its_line(tmp_path):
    header = "email,name,slack_user_id,teams_user_id,manager_email,service_area,roles\n"
    files = {
        "header_only.csv": (header, "nobody in it"),  # importing it would mark everyone as left
        "blank_lines.csv": (header + "\n\n\na@x.example,A,,,,,\nbad-email,B,,,,,\n", "line 6"),
        "unclosed.csv": (header + 'z@x.example,Z,,,,,\n"a@x.example,A,,,,,\nb@x.example,B,,,,,\n', "line 3:"),
        # the quote opens on line 4, after two blank lines
        "unclosed_late.csv": (header + '\n\na@x.example,"A,,,,S,\n', "line 4:"),
        # a row cut short would empty that person's roles and ids
        "short.csv": (header + "a@x.example,A,,,,,admin\nb@x.example,B,UB\n", "line 3: fewer fields"),
        "extra.csv": (header + "a@x.example,A,,,,,hr,extra1,extra2\n", "more fields"),
        "same_slack.csv": (header + "a@x.example,A,U1,,,,\nb@x.example,B,U1,,,,\n", "U1"),
        "bad_manager.csv": (header + "a@x.example,A,,,not-an-email,,\n", "not an email address"),
    }
    for name, (text, _) in files.items():
        (tmp_path / name).write_text(text, "utf-8")
    for name, (_, said) in files.items():
        err = one_sentence(run_ted(["directory", "import", "--db", "t.db", name], tmp_path), name)
        assert "nothing was changed" in err and said in err, (name, err)


def test_a_directory_with_a_missing_manager_or_a_loop_of_managers_is_imported_with_a_note(tmp_path):
    header = "email,name,slack_user_id,teams_user_id,manager_email,service_area,roles\n"
    rows = "a@x.example,A,,,b@x.example,,\nb@x.example,B,,,a@x.example,,\nc@x.example,C,,,gone@x.example,,\n"
    ceo = "d@x.example,D,,,d@x.example,,\n"  # HR exports often list the chief executive as their own manager
    (tmp_path / "staff.csv").write_text(header + rows + ceo, "utf-8")
    out = run_ted(["directory", "import", "--db", "t.db", "staff.csv"], tmp_path)
    assert out.returncode == 0 and "4 added" in out.stdout
    assert "gone@x.example" in out.stderr and "a@x.example → b@x.example → a@x.example" in out.stderr
    assert "own manager, so taken as having none: d@x.example" in out.stderr


def test_an_address_with_an_apostrophe_is_an_address():
    from handlers.directory import parse_csv

    header = "email,name,slack_user_id,teams_user_id,manager_email,service_area,roles\n"
    (row,) = parse_csv(header + "sean.o'brien@tendring.example,Sean O'Brien,,,,,\n")
    assert row["email"] == "sean.o'brien@tendring.example"


def test_the_operations_settings_are_read_and_checked(tmp_path):
    from core.settings import Settings

    s = Settings.from_env(
        {
            "TED_UPLOAD_QUOTA_COUNT": "5",
            "TED_UPLOAD_QUOTA_MB": "2.5",
            "TED_UPLOAD_ORPHAN_HOURS": "6",
            "TED_HEADER_TIMEOUT_SECONDS": "10",
            "TED_BODY_TIMEOUT_SECONDS": "30",
            "TED_HEALTH_OUTBOX_MAX": "7",
            "TED_HEALTH_OUTBOX_MINUTES": "20",
        }
    ).check()
    assert (s.upload_quota_count, s.upload_quota_mb, s.upload_orphan_hours) == (5, 2.5, 6)
    assert (s.header_timeout_seconds, s.body_timeout_seconds) == (10, 30)
    assert (s.health_outbox_max, s.health_outbox_minutes) == (7, 20)
    d = Settings().check()
    assert (d.upload_quota_count, d.upload_quota_mb, d.upload_orphan_hours) == (20, 50, 24)
    assert (d.header_timeout_seconds, d.body_timeout_seconds, d.health_outbox_max) == (15, 60, 100)
    out = run_ted(["serve", "--db", "t.db"], tmp_path, TED_HEADER_TIMEOUT_SECONDS="0")
    assert out.returncode == 2 and out.stderr.strip() == "ted: TED_HEADER_TIMEOUT_SECONDS must be more than 0"
    out = run_ted(["serve", "--db", "t.db"], tmp_path, TED_UPLOAD_QUOTA_MB="lots")
    assert out.returncode == 2 and "TED_UPLOAD_QUOTA_MB must be a number" in out.stderr


def test_teams_package_into_a_folder_and_uploads_pointed_at_a_file_say_so_in_one_sentence(tmp_path):
    (tmp_path / "afolder").mkdir()
    app_id = "11111111-2222-3333-4444-555555555555"
    one_sentence(run_ted(["teams", "package", "--out", "afolder"], tmp_path, TEAMS_APP_ID=app_id), "is a folder")
    (tmp_path / "afile").write_text("x", "utf-8")
    out = run_ted(["serve", "--db", "t.db"], tmp_path, TED_WEB_UPLOADS=str(tmp_path / "afile"), TED_PORT="0")
    assert out.returncode == 1 and "TED_WEB_UPLOADS" in out.stderr and "Traceback" not in out.stderr


def test_another_programs_sqlite_file_or_a_newer_teds_is_left_as_it_was(tmp_path):
    import sqlite3

    foreign = tmp_path / "places.sqlite"
    with sqlite3.connect(foreign) as con:
        con.execute("create table moz_places (id integer primary key, url text)")
    before = foreign.read_bytes()
    one_sentence(run_ted(["reports", "list", "--db", str(foreign)], tmp_path), "not TED's", str(foreign))
    assert foreign.read_bytes() == before  # no TED tables, not even the journal mode changed
    newer = tmp_path / "newer.db"
    assert run_ted(["reports", "list", "--db", str(newer)], tmp_path).returncode == 0
    with sqlite3.connect(newer) as con:
        con.execute("insert into _migrations values ('099_from_the_future', '2030-01-01T00:00:00+00:00')")
    one_sentence(run_ted(["directory", "import", "x.csv", "--db", str(newer)], tmp_path), "newer TED", "099")


def test_an_empty_path_or_database_from_an_unset_variable_is_refused(tmp_path):
    one_sentence(run_ted(["ingest", "--db", "t.db", "--replace", ""], tmp_path), "empty")
    one_sentence(run_ted(["backup", "--db", "", "--out", "x.db"], tmp_path), "empty")
    assert not (tmp_path / "x.db").exists()


def test_an_argument_that_is_not_utf8_is_one_sentence_and_changes_nothing(tmp_path):
    bad = b"caf\xe9 posts".decode("utf-8", "surrogateescape")  # as Python hands over a Latin-1 argument
    assert main(["ask", "--db", str(tmp_path / "t.db"), "hello"]) == 0
    out = run_ted(["kb", "teach", "--db", "t.db", "--clause", "5.13", bad], tmp_path)
    one_sentence(out, "not UTF-8")
    out = run_ted(["kb", "taught", "--db", "t.db", "--json"], tmp_path)
    assert out.returncode == 0 and out.stdout.strip() == "[]"


def test_a_backup_never_replaces_one_of_the_databases_own_files_and_a_huge_limit_is_refused(tmp_path):
    assert main(["ask", "--db", str(tmp_path / "t.db"), "hello"]) == 0
    for own in ("t.db.lock", "t.db-wal"):
        one_sentence(run_ted(["backup", "--db", "t.db", "--out", own, "--force"], tmp_path), "database's own files")
    out = run_ted(["unanswered", "--db", "t.db", "--limit", "99999999999999999999"], tmp_path)
    assert out.returncode == 2 and "at most" in out.stderr and "Traceback" not in out.stderr


def test_serve_refuses_a_screenshots_folder_it_cannot_write_to_at_start(tmp_path):
    (tmp_path / "afile").write_text("x", "utf-8")
    out = run_ted(["serve", "--db", "t.db"], tmp_path, TED_WEB_UPLOADS=str(tmp_path / "afile" / "up"), TED_PORT="0")
    assert out.returncode == 1 and "Traceback" not in out.stderr  # the server logs its start before it
    assert "cannot write screenshots" in out.stderr.splitlines()[-1] and "TED_WEB_UPLOADS" in out.stderr


def test_ingest_names_a_pipe_or_a_broken_link_instead_of_waiting_or_skipping_it(tmp_path):
    os.mkfifo(tmp_path / "stuck.md")
    one_sentence(run_ted(["ingest", "--db", "t.db", "stuck.md"], tmp_path), "stuck.md", "not a regular file")
    folder = tmp_path / "policies"
    folder.mkdir()
    (folder / "real.md").write_text("# Real\n\n## One\n\nText.\n", "utf-8")
    (folder / "gone.md").symlink_to(tmp_path / "nowhere.md")
    one_sentence(run_ted(["ingest", "--db", "t.db", "policies"], tmp_path), "gone.md", "isn't there")
    one_sentence(run_ted(["ingest", "--db", "t.db", "--draft", "--replace", "policies/real.md"], tmp_path), "--draft")
