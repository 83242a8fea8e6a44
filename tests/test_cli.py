"""The `ted` command line, through the real console script where the contract is about processes."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from app import main

ROOT = Path(__file__).resolve().parents[1]
TED = [sys.executable, "-c", "import sys, app; sys.exit(app.main())"]


def run_ted(args, stdin="", tmp_path=None):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.pop("TED_LOG_LEVEL", None)
    return subprocess.run(TED + args, input=stdin, capture_output=True, text=True, env=env, cwd=tmp_path, timeout=60)


def test_ask_json_reads_one_question_per_line_from_stdin(tmp_path):
    db = str(tmp_path / "ted.db")
    qs = ["hello", "can I put the council logo on my personal facebook?", "", "who won the pub quiz last week?"]
    out = run_ted(["ask", "--db", db, "--json"], "\n".join(qs) + "\n", tmp_path)
    assert out.returncode == 0, out.stderr
    answers = [json.loads(line) for line in out.stdout.splitlines()]
    assert len(answers) == len(qs)
    assert [a["intent"] for a in answers] == ["smalltalk", "policy", "smalltalk", "fallback"]
    assert answers[1]["citations"][0]["clause"] == "5.6"
    assert out.stderr == ""  # the command line is quiet; logs never carry question text


def test_ask_single_question_plain_text(tmp_path, capsys):
    assert main(["ask", "--db", str(tmp_path / "t.db"), "can I add a supplier on facebook?"]) == 0
    out = capsys.readouterr().out
    assert "5.13" in out and "business contacts" in out


def test_kb_list_and_show(tmp_path, capsys):
    db = str(tmp_path / "t.db")
    assert main(["ask", "--db", db, "hello"]) == 0  # first use loads the bundled policy
    capsys.readouterr()
    assert main(["kb", "list", "--db", db]) == 0
    assert "tdc-social-media-policy" in capsys.readouterr().out
    assert main(["kb", "show", "5.13", "--db", db]) == 0
    out = capsys.readouterr().out
    assert "Employees are not permitted to proactively add business contacts" in out
    assert main(["kb", "show", "99.9", "--db", db]) == 1


def test_ingest_replace_and_errors_leave_the_knowledge_base_unchanged(tmp_path, capsys):
    db = str(tmp_path / "t.db")
    doc = tmp_path / "parking.md"
    doc.write_text("# Parking policy\n\n## Permits\n\nStaff permits cost £5 a month.\n", "utf-8")
    assert main(["ingest", "--db", db, "--quiet", str(doc)]) == 0
    assert main(["ask", "--db", db, "--json", "how much does a staff parking permit cost?"]) == 0
    out = capsys.readouterr().out.splitlines()[-1]
    assert "£5 a month" in json.loads(out)["citations"][0]["text"]

    doc.write_text("# Parking policy\n\n## Permits\n\nStaff permits cost £7 a month from April.\n", "utf-8")
    assert main(["ingest", "--db", db, "--quiet", str(doc)]) == 0
    assert main(["ask", "--db", db, "--json", "how much does a staff parking permit cost?"]) == 0
    cites = json.loads(capsys.readouterr().out.splitlines()[-1])["citations"]
    assert "£7 a month" in cites[0]["text"] and not any("£5" in c["text"] for c in cites)

    bad = tmp_path / "notes.xyz"
    bad.write_text("x")
    broken = tmp_path / "broken.docx"
    broken.write_bytes(b"this is not a zip file")
    for path in (bad, broken, tmp_path / "missing.md"):
        assert main(["ingest", "--db", db, "--quiet", str(doc), str(path)]) == 1
        err = capsys.readouterr().err
        assert path.name in err and "Nothing was changed" in err or "not" in err
    assert main(["kb", "list", "--db", db]) == 0
    assert "parking" in capsys.readouterr().out


def test_ingest_replace_flag_makes_these_the_whole_knowledge_base(tmp_path, capsys):
    db = str(tmp_path / "t.db")
    doc = tmp_path / "leave.txt"
    doc.write_text("Annual leave must be booked two weeks ahead.\n", "utf-8")
    assert main(["ask", "--db", db, "hello"]) == 0
    assert main(["ingest", "--db", db, "--quiet", "--replace", str(doc)]) == 0
    capsys.readouterr()
    assert main(["kb", "list", "--db", db]) == 0
    out = capsys.readouterr().out
    assert "leave" in out and "tdc-social-media-policy" not in out


def test_eval_scores_a_question_file(tmp_path, capsys):
    f = tmp_path / "q.jsonl"
    rows = [
        {
            "id": "1",
            "question": "can I put the council logo on my facebook?",
            "kind": "policy",
            "expect": ["Council logo, or any sub-brands"],
        },
        {"id": "2", "question": "hello", "kind": "smalltalk", "expect": []},
        {"id": "3", "question": "who won the pub quiz last week?", "kind": "out_of_scope", "expect": []},
    ]
    f.write_text("\n".join(json.dumps(r) for r in rows), "utf-8")
    assert main(["eval", "--db", str(tmp_path / "t.db"), "--json", str(f)]) == 0
    summary = json.loads(capsys.readouterr().out)["summary"]
    assert summary["policy"]["top1"] == 1.0 and summary["smalltalk"]["rate"] == 1.0
    assert summary["out_of_scope"]["rate"] == 1.0
    # Scoring on the live database leaves nothing for the communications team to triage: not staff's questions.
    assert main(["unanswered", "--db", str(tmp_path / "t.db"), "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []


def test_unanswered_lists_what_ted_could_not_answer(tmp_path, capsys):
    db = str(tmp_path / "t.db")
    assert main(["ask", "--db", db, "who won the pub quiz last week?"]) == 0
    capsys.readouterr()
    assert main(["unanswered", "--db", db]) == 0
    assert "pub quiz" in capsys.readouterr().out


@pytest.mark.parametrize("cmd", ["ask", "chat", "ingest", "kb", "eval", "unanswered", "feedback", "serve"])
def test_every_command_has_help(cmd, capsys):
    with pytest.raises(SystemExit) as exc:
        main([cmd, "--help"])
    assert exc.value.code == 0
    assert "--db" in capsys.readouterr().out


def test_a_bare_request_to_report_opens_the_form_and_is_never_logged_unanswered(tmp_path):
    db = str(tmp_path / "ted.db")
    asks = ["report", "Report", "I want to report something", "I'd like to make a report", "how do I report a pothole?"]
    out = run_ted(["ask", "--db", db, "--json"], "\n".join(asks) + "\n", tmp_path)
    intents = [json.loads(line)["intent"] for line in out.stdout.splitlines()]
    assert intents == ["report", "report", "report", "report", "fallback"], out.stderr
    unanswered = run_ted(["unanswered", "--db", db, "--json"], "", tmp_path)
    assert [r["question"] for r in json.loads(unanswered.stdout)] == ["how do I report a pothole?"]


def test_input_that_is_not_utf8_nothing_but_punctuation_a_closed_pipe_and_ctrl_c_end_politely(tmp_path):
    db = str(tmp_path / "ted.db")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    lines = b"can I add a supplier \xff on facebook?\n?\n\xf0\x9f\x98\x80\n"
    out = subprocess.run(TED + ["ask", "--db", db, "--json"], input=lines, capture_output=True, env=env, timeout=60)
    assert out.returncode == 0 and b"Traceback" not in out.stderr, out.stderr
    answers = [json.loads(line) for line in out.stdout.decode().splitlines()]
    assert answers[0]["intent"] == "policy" and answers[0]["citations"][0]["clause"] == "5.13"
    assert answers[1]["answer"] == answers[2]["answer"] and "didn't catch" in answers[1]["answer"]
    chat = subprocess.run(TED + ["chat", "--db", db], input=b"hello \xc3\x28\n", capture_output=True, env=env)
    assert chat.returncode == 0 and b"Traceback" not in chat.stderr
    piped = subprocess.run(
        " ".join(TED[:2]) + ' "import sys, app; sys.exit(app.main())" ask --db ' + db + " --json hello | head -c 5",
        shell=True,
        capture_output=True,
        env=env,
        timeout=60,
    )
    assert b"Traceback" not in piped.stderr and b"BrokenPipe" not in piped.stderr
    proc = subprocess.Popen(
        TED + ["chat", "--db", db], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env
    )
    import signal

    assert proc.stdout.readline().startswith(b"TED")  # started and waiting for the question: Ctrl-C now
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=30)
    assert b"Traceback" not in err and proc.returncode == 130


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs Linux's /dev/full")
@pytest.mark.parametrize("args", [["ask", "--json", "hello"], ["kb", "list"]])
def test_output_to_a_full_disk_is_one_sentence_not_a_traceback(tmp_path, args):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    with open("/dev/full", "w") as full:
        out = subprocess.run(
            TED + [args[0], "--db", str(tmp_path / "t.db"), *args[1:]], stdout=full, stderr=subprocess.PIPE, env=env
        )
    err = out.stderr.decode()
    assert out.returncode == 1 and "Traceback" not in err and "Exception ignored" not in err, err
    assert err.strip().count("\n") == 0 and "no space left" in err


def test_ctrl_c_while_the_libraries_load_stops_without_a_traceback():
    # Ctrl-C lands wherever Python is; here, deterministically, while app.py imports its first library.
    interrupted = (
        "import sys\n"
        "class Interrupt:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'sqlite_utils':\n"
        "            raise KeyboardInterrupt\n"
        "sys.meta_path.insert(0, Interrupt())\n"
        "import app\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", interrupted], capture_output=True, cwd=ROOT, env=dict(os.environ, PYTHONPATH=str(ROOT))
    )
    assert out.returncode == 130 and b"Traceback" not in out.stderr, out.stderr


def test_a_binary_file_named_like_text_is_refused_and_nothing_changes(tmp_path):
    junk = tmp_path / "junk.md"
    junk.write_bytes(bytes(range(256)) * 80)
    db = str(tmp_path / "ted.db")
    out = run_ted(["ingest", "--quiet", "--db", db, str(junk)], "", tmp_path)
    assert out.returncode == 1 and "not a text file" in out.stderr and "Traceback" not in out.stderr


def test_eval_counts_the_fallbacks_that_offered_the_right_clause(tmp_path, capsys):
    f = tmp_path / "q.jsonl"
    rows = [  # TED is unsure of the first (chips: 5.13 among them), sure of nothing for the second
        {
            "id": "1",
            "question": "my cousin works for the council too, can we be friends on facebook",
            "kind": "policy",
            "expect": ["proactively add business contacts"],
        },
        {"id": "2", "question": "who won the pub quiz last week?", "kind": "out_of_scope", "expect": []},
    ]
    f.write_text("\n".join(json.dumps(r) for r in rows), "utf-8")
    assert main(["eval", "--db", str(tmp_path / "t.db"), str(f)]) == 0
    out = capsys.readouterr().out
    assert "fell back     1 policy questions: offered the closest clauses for 1, the right one among them for 1" in out
    assert "out of scope offered clauses 0" in out


def test_a_folder_s_readme_and_source_notes_are_left_out_unless_named(tmp_path):
    docs = tmp_path / "policies"
    docs.mkdir()
    (docs / "parking.md").write_text("# Parking policy\n\n## Permits\n\nStaff permits cost £5 a month.\n", "utf-8")
    (docs / "README.md").write_text("# About this folder\n\nThe council's policies, as published.\n", "utf-8")
    (docs / "SOURCE.md").write_text("# Source\n\nDownloaded from the intranet.\n", "utf-8")
    db = str(tmp_path / "t.db")
    # --replace: only these documents (a plain first ingest adds them to the bundled policy)
    out = run_ted(["ingest", "--db", db, "--quiet", "--replace", str(docs)], tmp_path=tmp_path)
    assert out.returncode == 0 and "1 added" in out.stdout
    assert "skipped" in out.stderr and "README.md" in out.stderr and "SOURCE.md" in out.stderr
    named = run_ted(["ingest", "--db", db, "--quiet", str(docs / "README.md")], tmp_path=tmp_path)
    assert named.returncode == 0 and "1 added" in named.stdout
    # Ingested once, a note is never dropped by a later ingest of its folder (--replace would remove it)
    again = run_ted(["ingest", "--db", db, "--quiet", "--replace", str(docs)], tmp_path=tmp_path)
    assert again.returncode == 0 and "removed" not in again.stdout and "README.md" not in again.stderr
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "LICENSE.md").write_text("# Licence\n\nOpen Government Licence.\n", "utf-8")
    only = run_ted(["ingest", "--db", db, "--quiet", str(notes)], tmp_path=tmp_path)
    assert only.returncode == 1 and "only notes beside documents found" in only.stderr


def test_a_file_that_is_not_there_is_named_as_given(tmp_path):
    out = run_ted(["ingest", "--db", str(tmp_path / "t.db"), str(tmp_path / "nope.md")], tmp_path=tmp_path)
    assert out.returncode != 0 and f"{tmp_path / 'nope.md'}: file not found (nothing was changed)" in out.stderr


def test_an_export_for_an_address_not_in_the_directory_says_so_and_a_non_address_is_refused(tmp_path):
    db = str(tmp_path / "t.db")
    assert (
        run_ted(
            ["directory", "import", "--db", db, str(ROOT / "sample" / "directory.csv")], tmp_path=tmp_path
        ).returncode
        == 0
    )
    typo = run_ted(["reports", "export", "--db", db, "--email", "alex.lifegaurd@tendring.example"], tmp_path=tmp_path)
    assert typo.returncode == 0 and json.loads(typo.stdout)["directory"] is None
    assert "is not in the staff directory" in typo.stderr
    known = run_ted(["reports", "export", "--db", db, "--email", "alex.lifeguard@tendring.example"], tmp_path=tmp_path)
    assert known.returncode == 0 and "not in the staff directory" not in known.stderr
    bad = run_ted(["reports", "export", "--db", db, "--email", "not an email"], tmp_path=tmp_path)
    assert bad.returncode == 2 and "is not an email address" in bad.stderr and bad.stdout == ""


def test_an_empty_question_file_is_refused_not_scored(tmp_path):
    empty = tmp_path / "empty.jsonl"
    empty.write_text("", "utf-8")
    out = run_ted(["eval", "--db", str(tmp_path / "t.db"), str(empty)], tmp_path=tmp_path)
    assert out.returncode != 0 and "has no questions in it" in out.stderr and "Traceback" not in out.stderr


def test_db_may_come_before_the_command_too(tmp_path):
    db = str(tmp_path / "first.db")
    out = run_ted(["--db", db, "ask", "--json", "can I add a supplier on facebook?"], tmp_path=tmp_path)
    assert out.returncode == 0 and json.loads(out.stdout)["intent"] == "policy"
    assert (tmp_path / "first.db").exists() and not (tmp_path / "var").exists()


def test_a_first_ingest_adds_to_the_bundled_policy_and_only_replace_leaves_it_out(tmp_path, capsys):
    docs = tmp_path / "policies"
    docs.mkdir()
    (docs / "parking.md").write_text("# Parking policy\n\n## Permits\n\nStaff permits cost £5 a month.\n", "utf-8")
    db = str(tmp_path / "t.db")
    assert main(["ingest", "--db", db, "--quiet", str(docs)]) == 0  # before anything else was ever run
    capsys.readouterr()
    assert main(["kb", "list", "--db", db]) == 0
    listed = capsys.readouterr().out
    assert "tdc-social-media-policy" in listed and "parking" in listed
    alone = str(tmp_path / "alone.db")
    assert main(["ingest", "--db", alone, "--quiet", "--replace", str(docs)]) == 0
    capsys.readouterr()
    assert main(["kb", "list", "--db", alone]) == 0
    assert "tdc-social-media-policy" not in capsys.readouterr().out
