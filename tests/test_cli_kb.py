"""`ted ingest --draft` and the curation commands of `ted kb`, through the command line's entry point."""

from __future__ import annotations

import io
import json

import pytest

from app import main

PERMIT = "how much does a staff parking permit cost?"


def ask_json(db: str, question: str, capsys) -> dict:
    capsys.readouterr()
    assert main(["ask", "--db", db, "--json", question]) == 0
    return json.loads(capsys.readouterr().out.splitlines()[-1])


def write(tmp_path, permits: str):
    path = tmp_path / "parking.md"
    path.write_text(f"# Parking policy\n\n## Permits\n\n{permits}\n\n## Bikes\n\nBikes go in the shed.\n", "utf-8")
    return str(path)


def test_draft_publish_new_version_retire_and_history(tmp_path, capsys):
    db = str(tmp_path / "t.db")
    assert main(["ask", "--db", db, "hello"]) == 0
    assert main(["ingest", "--db", db, "--draft", write(tmp_path, "Staff permits cost £5 a month.")]) == 0
    out = capsys.readouterr().out
    assert "Draft parking version 1" in out and "1.1" in out and "Staff permits cost £5" in out  # the preview
    assert ask_json(db, PERMIT, capsys)["intent"] == "fallback"
    assert main(["kb", "list", "--db", db]) == 0
    out = capsys.readouterr().out
    assert "draft only, never published" in out and "ted kb publish parking" in out
    assert "tdc-social-media-policy: Social Media Policy, Web edition — live (version 1)" in out

    assert main(["kb", "publish", "parking", "--db", db]) == 0
    assert "£5" in ask_json(db, PERMIT, capsys)["citations"][0]["text"]
    assert main(["kb", "edit", "parking", "--db", db, "--version", "v2", "--next-review", "2027-01-31"]) == 0
    assert main(["kb", "edit", "parking", "--db", db, "--next-review", "soon"]) == 1
    assert "must be a date" in capsys.readouterr().err
    assert main(["ingest", "--db", db, "--draft", "--quiet", write(tmp_path, "Staff permits cost £7.")]) == 0
    assert main(["kb", "publish", "--db", db, "parking"]) == 0
    cites = ask_json(db, PERMIT, capsys)["citations"]
    assert "£7" in cites[0]["text"] and not any("£5" in c["text"] for c in cites)
    assert main(["kb", "list", "--db", db]) == 0
    assert "parking: Parking policy — live (version 2)" in capsys.readouterr().out

    assert main(["kb", "retire", "parking", "--db", db]) == 0
    assert ask_json(db, PERMIT, capsys)["intent"] == "fallback"
    assert main(["kb", "list", "--db", db]) == 0
    assert "parking" not in capsys.readouterr().out
    assert main(["kb", "list", "--all", "--db", db]) == 0
    assert "parking: Parking policy — retired (version 2)" in capsys.readouterr().out
    assert main(["kb", "history", "parking", "--db", db]) == 0
    out = capsys.readouterr().out
    assert "version 2   retired" in out and "version 1   superseded" in out
    for action in ("retire", "publish version 2", "edit live", "draft version 1"):
        assert action in out
    assert "next_review '—' → '2027-01-31'" in out
    assert main(["kb", "history", "parking", "--json", "--db", db]) == 0
    history = json.loads(capsys.readouterr().out)
    assert history["changes"][0]["action"] == "retire" and history["changes"][0]["actor"].endswith("(command line)")
    assert main(["kb", "publish", "parking", "--db", db]) == 1
    assert "no draft waiting" in capsys.readouterr().err


def test_plain_ingest_still_publishes_at_once(tmp_path, capsys):
    db = str(tmp_path / "t.db")
    assert main(["ingest", "--db", db, "--quiet", write(tmp_path, "Staff permits cost £5 a month.")]) == 0
    assert "£5" in ask_json(db, PERMIT, capsys)["citations"][0]["text"]


def test_teach_not_covered_taught_and_forget(tmp_path, capsys, monkeypatch):
    db = str(tmp_path / "t.db")
    radio = "who do I speak to before I go on local radio about the beach huts"
    assert ask_json(db, radio, capsys)["intent"] == "fallback"
    assert main(["kb", "teach", "--db", db, "--clause", "6.3", radio]) == 0
    reply = ask_json(db, radio, capsys)
    assert reply["intent"] == "policy" and reply["citations"][0]["clause"] == "6.3"

    monkeypatch.setattr(
        "sys.stdin",
        io.StringIO("5.13\tcan I friend a contractor on facebook?\n\n5.6\tcan I use the crest on my insta?\n"),
    )
    assert main(["kb", "teach", "--db", db]) == 0
    assert "taught to 5.6" in capsys.readouterr().out
    monkeypatch.setattr("sys.stdin", io.StringIO("no tab on this line\n"))
    assert main(["kb", "teach", "--db", db]) == 1
    assert "CLAUSE<TAB>QUESTION" in capsys.readouterr().err
    assert main(["kb", "teach", "--db", db, "--clause", "99.9", "anything"]) == 1
    assert "no live clause 99.9" in capsys.readouterr().err

    assert ask_json(db, "how do I reset my Teams password", capsys)["intent"] == "policy"
    assert main(["kb", "not-covered", "--db", db, "how do I reset my Teams password"]) == 0
    assert ask_json(db, "how do I reset my Teams password", capsys)["intent"] == "fallback"

    assert main(["kb", "taught", "--db", db, "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["kind"] for r in rows] == ["not_covered", "phrasing", "phrasing", "phrasing"]
    assert all(r["added_by"].endswith("(command line)") and r["added_at"] for r in rows)
    first = rows[-1]["id"]
    assert main(["kb", "show", "6.3", "--db", db]) == 0
    assert f"[{first}] {radio}" in capsys.readouterr().out
    assert main(["kb", "forget", str(first), "--db", db]) == 0
    assert ask_json(db, radio, capsys)["intent"] == "fallback"
    assert main(["kb", "taught", "--db", db]) == 0
    assert radio not in capsys.readouterr().out
    assert main(["kb", "forget", str(first), "--db", db]) == 1
    assert main(["kb", "forget", "99999999999999999999", "--db", db]) == 1  # an id no row could have
    capsys.readouterr()
    # A batch with a bad line teaches nothing, and says which line.
    before = len(json.loads((main(["kb", "taught", "--db", db, "--json"]), capsys.readouterr().out)[1]))
    monkeypatch.setattr("sys.stdin", io.StringIO("1.1\tbatch one\n9.9\tbatch two\n1.3\tbatch three\n"))
    assert main(["kb", "teach", "--db", db]) == 1
    assert "line 2" in capsys.readouterr().err
    assert len(json.loads((main(["kb", "taught", "--db", db, "--json"]), capsys.readouterr().out)[1])) == before


@pytest.mark.parametrize(
    "action", ["list", "show", "publish", "retire", "history", "edit", "teach", "not-covered", "taught", "forget"]
)
def test_every_kb_action_has_help(action, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["kb", action, "--help"])
    assert exc.value.code == 0 and "--db" in capsys.readouterr().out


def test_a_plain_copy_ingested_over_the_enriched_policy_is_said_and_can_be_undone(tmp_path):
    """`ted ingest` of the policy's own text (no example questions) over the bundled, enriched policy: the owner
    and review details carry over, TED says what was lost and how to undo it, and restore + publish undo it."""
    from tests.test_cli import ROOT, run_ted

    db = str(tmp_path / "t.db")
    assert "Social Media Policy" in run_ted(["kb", "list", "--db", db], tmp_path=tmp_path).stdout  # bundled, enriched
    out = run_ted(
        ["ingest", "--db", db, "--quiet", str(ROOT / "corpora" / "tdc-social-media-policy.txt")], tmp_path=tmp_path
    )
    assert out.returncode == 0 and "1 replaced" in out.stdout
    assert (
        "had example questions written for" in out.stderr and "ted kb restore tdc-social-media-policy 1" in out.stderr
    )
    listed = run_ted(["kb", "list", "--db", db], tmp_path=tmp_path).stdout
    assert "owner: Communications Manager" in listed  # carried over: the text file names no owner
    restored = run_ted(["kb", "restore", "--db", db, "tdc-social-media-policy", "1"], tmp_path=tmp_path)
    assert restored.returncode == 0 and "Nothing staff see has changed" in restored.stdout
    assert run_ted(["kb", "publish", "--db", db, "tdc-social-media-policy"], tmp_path=tmp_path).returncode == 0
    answer = run_ted(["ask", "--db", db, "--json", "can I add a supplier on linkedin?"], tmp_path=tmp_path).stdout
    assert json.loads(answer)["citations"][0]["clause"] in {"5.13", "5.15"}  # the enriched policy answers again
    again = run_ted(["kb", "restore", "--db", db, "tdc-social-media-policy", "9"], tmp_path=tmp_path)
    assert again.returncode == 1 and "has no version 9" in again.stderr and "Traceback" not in again.stderr


def test_restore_never_discards_a_waiting_draft_unless_told_and_is_audited(tmp_path):
    from tests.test_cli import run_ted

    db = str(tmp_path / "t.db")
    policy = tmp_path / "parking.md"
    for words in ("£5 a month", "£7 a month"):  # version 1, then version 2 live
        policy.write_text(f"# Parking policy\n\n## 1 Permits\n\n1.1 Staff permits cost {words}.\n", "utf-8")
        assert run_ted(["ingest", "--db", db, "--quiet", str(policy)], tmp_path=tmp_path).returncode == 0
    policy.write_text("# Parking policy\n\n## 1 Permits\n\n1.1 Staff permits cost £9 a month.\n", "utf-8")
    assert run_ted(["ingest", "--db", db, "--quiet", "--draft", str(policy)], tmp_path=tmp_path).returncode == 0
    refused = run_ted(["kb", "restore", "--db", db, "parking", "1"], tmp_path=tmp_path)
    assert refused.returncode == 1 and "A draft is waiting" in refused.stderr and "--force" in refused.stderr
    assert "draft waiting already" in run_ted(["kb", "restore", "--db", db, "parking", "3"], tmp_path=tmp_path).stderr
    forced = run_ted(["kb", "restore", "--db", db, "parking", "1", "--force"], tmp_path=tmp_path)
    assert forced.returncode == 0 and "as version 4" in forced.stdout
    history = run_ted(["kb", "history", "--db", db, "parking"], tmp_path=tmp_path).stdout
    assert "restore version 1 as version 4" in history and "discard version 3" in history


def test_a_new_heading_renames_an_unchanged_clause_nobody_titled():
    from knowledge.lifecycle import carry_over
    from knowledge.model import Clause, Document

    old = Document("p", "Parking", (Clause("2.1", "Electric vehicles charge here.", title="Electric vehicles"),))
    new = Document("p", "Parking", (Clause("2.1", "Electric vehicles charge here.", title="EV charging"),))
    assert carry_over(new, old).clauses[0].title == "EV charging"
    titled = Document(
        "p", "Parking", (Clause("2.1", "Electric vehicles charge here.", title="Charging bays", summary="Bays."),)
    )
    assert carry_over(new, titled).clauses[0].title == "Charging bays"  # written by someone: it stays


def test_kb_edit_draft_changes_the_draft_waiting_for_a_document(tmp_path, capsys):
    db = str(tmp_path / "t.db")
    assert main(["ingest", "--db", db, "--quiet", write(tmp_path, "Staff permits cost £5 a month.")]) == 0
    assert main(["ingest", "--db", db, "--draft", "--quiet", "--doc", "parking", write(tmp_path, "£6 now.")]) == 0
    assert main(["kb", "edit", "parking", "--draft", "--db", db, "--owner", "Facilities"]) == 0
    capsys.readouterr()
    assert main(["kb", "history", "parking", "--db", db, "--json"]) == 0
    versions = json.loads(capsys.readouterr().out)["versions"]
    assert {v["status"]: v["owner"] for v in versions} == {"draft": "Facilities", "live": ""}


def test_kb_publish_takes_a_drafts_version_id_and_a_document_named_by_digits_is_always_itself(tmp_path, capsys):
    db = str(tmp_path / "t.db")
    assert main(["ingest", "--db", db, "--draft", "--quiet", write(tmp_path, "Staff permits cost £5.")]) == 0
    capsys.readouterr()
    assert main(["kb", "history", "parking", "--db", db, "--json"]) == 0
    (draft,) = json.loads(capsys.readouterr().out)["versions"]
    assert main(["kb", "publish", str(draft["id"]), "--db", db]) == 0  # by the id `kb history --json` shows
    numbered = tmp_path / f"{draft['id']}.md"
    numbered.write_text("# Lockers\n\n## Keys\n\nLocker keys are at reception.\n", "utf-8")
    assert main(["ingest", "--db", db, "--draft", "--quiet", str(numbered)]) == 0
    assert main(["kb", "edit", str(draft["id"]), "--db", db, "--owner", "Mallory"]) == 1  # not parking's version
    assert "not a live document" in capsys.readouterr().err


def test_re_ingesting_a_file_whose_only_change_is_its_title_owner_or_version_saves_them(tmp_path, capsys):
    db = str(tmp_path / "t.db")
    path = tmp_path / "parking.md"

    def parking(owner: str, version: str, title: str) -> str:
        path.write_text(f"Owner: {owner}\nVersion: {version}\n\n# {title}\n\n## Permits\n\n1.1 Permits cost £10.\n")
        return str(path)

    assert main(["ingest", "--db", db, "--quiet", parking("Facilities Manager", "2.0", "Car Parking Policy")]) == 0
    assert main(["kb", "edit", "parking", "--db", db, "--next-review", "2027-06-01"]) == 0
    assert main(["ingest", "--db", db, parking("Facilities Manager", "2.0", "Car Parking Policy")]) == 0
    assert "1 unchanged" in capsys.readouterr().out  # the same file: nothing changes, the edit stays
    assert main(["ingest", "--db", db, parking("Estates Manager", "3.0", "Car Parking Policy (2027)")]) == 0
    assert "unchanged" not in capsys.readouterr().out
    assert main(["kb", "list", "--db", db]) == 0
    listed = capsys.readouterr().out
    assert "parking: Car Parking Policy (2027), 3.0" in listed and "Estates Manager" in listed, listed
    answer = ask_json(db, "how much does a parking permit cost?", capsys)
    assert answer["citations"][0]["doc"] == "parking" and "Car Parking Policy (2027)" in answer["answer"], answer


def ingested_by_an_earlier_release(tmp_path):
    """A parking policy ingested, its fingerprint set as releases before 2026-12 kept it (clauses only):
    (database path, database, file, the document as the next ingest reads it)."""
    import sqlite_utils

    from knowledge import store
    from knowledge.ingest import parse_file
    from knowledge.lifecycle import carry_over

    db = str(tmp_path / "t.db")
    path = write(tmp_path, "Staff permits cost £5 a month.")
    assert main(["ingest", "--db", db, "--quiet", path]) == 0
    d = sqlite_utils.Database(db)
    doc = carry_over(parse_file(path), store.load_document(d, "parking"))
    d["documents"].update("parking", {"source_hash": store.legacy_hash(doc)})
    return db, d, path, doc


def test_a_file_ingested_by_an_earlier_release_and_unchanged_since_is_still_unchanged(tmp_path, capsys):
    db, d, path, doc = ingested_by_an_earlier_release(tmp_path)
    capsys.readouterr()
    assert main(["ingest", "--db", db, path]) == 0
    assert "1 unchanged" in capsys.readouterr().out  # not saved again as a new version
    from knowledge import store

    assert d["documents"].get("parking")["source_hash"] == store.content_hash(doc)
    assert len(list(d["doc_versions"].rows_where("doc_id = ?", ["parking"]))) == 1


def test_a_draft_that_would_replace_a_policy_with_something_else_is_warned_of(tmp_path, capsys):
    db = str(tmp_path / "t.db")
    path = write(tmp_path, "Staff permits cost £5 a month.")
    assert main(["ingest", "--db", db, "--quiet", "--draft", "--doc", "tdc-social-media-policy", path]) == 0
    err = capsys.readouterr().err
    assert "title changes from “Social Media Policy” to “Parking policy”" in err
    assert "where the live version has 60" in err and "60 of the 60 clauses that have example questions" in err


def test_after_the_upgrade_a_file_whose_title_changed_is_saved_and_a_published_drafts_file_stays_unchanged(
    tmp_path, capsys
):
    db, d, path, doc = ingested_by_an_earlier_release(tmp_path)
    path_text = open(path, encoding="utf-8").read().replace("# Parking policy", "# Staff parking policy")
    open(path, "w", encoding="utf-8").write(path_text)
    capsys.readouterr()
    assert main(["ingest", "--db", db, path]) == 0
    assert "unchanged" not in capsys.readouterr().out  # the title changed: saved, not lost for good
    assert d["documents"].get("parking")["title"] == "Staff parking policy"

    # A draft of the same file, with an owner kept from the version before, published; then the file again.
    assert main(["kb", "edit", "parking", "--db", db, "--owner", "Harper Singh"]) == 0
    assert main(["ingest", "--db", db, "--quiet", "--draft", "--doc", "parking", path]) == 0
    assert main(["kb", "publish", "parking", "--db", db]) == 0
    capsys.readouterr()
    assert main(["ingest", "--db", db, path]) == 0
    assert "1 unchanged" in capsys.readouterr().out  # no new version of the very same file
