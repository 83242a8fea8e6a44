"""Questions are personal data: they are deleted after TED_QUESTION_RETENTION_DAYS (by the scheduler, with the
reports' clock, and by `ted reports purge`), can be stored pseudonymised (TED_PSEUDONYMISE_QUESTIONS), and the
subject access export finds them either way and says what it covers and how to complain."""

import json
from datetime import UTC, datetime, timedelta

import pytest

from app import build, main
from bot.workers import scheduled
from chat import actions
from chat.model import DM, Action, Message
from core.settings import Settings
from handlers.ask.privacy import KEY_ROW, QUESTION_TABLES, Pseudonyms, purge_questions
from handlers.directory import parse_csv
from handlers.reports.cli import export_person
from tests.fakes.world import SAMPLE_DIRECTORY as SAMPLE

ALEX_SLACK = "U0ALEXLIFE"  # alex.lifeguard@tendring.example in the sample directory
POLICY_Q = "can I put the council logo on my personal facebook?"
UNANSWERED_Q = "who won the pub quiz last week?"


class Clock:
    def __init__(self, when: datetime):
        self.now = when

    def __call__(self) -> datetime:
        return self.now


def make(**settings):
    clock = Clock(datetime.now(UTC))  # rows are written at the real time: the clock starts there
    ted = build(Settings(**settings), ":memory:", clock=clock)
    ted.directory.import_rows(parse_csv(SAMPLE))
    return ted, clock


def msg(text: str, user: str = ALEX_SLACK, conversation: str = "D0ALEX") -> Message:
    return Message(platform="slack", user_id=user, text=text, conversation_id=conversation, surface=DM)


def talk(ted, user: str = ALEX_SLACK, conversation: str = "D0ALEX") -> int:
    """A policy question (asked, conversation memory), 👎 with a reason (feedback), and one TED can't answer."""
    (reply,) = ted.router.message(msg(POLICY_Q, user, conversation))
    (sorry,) = ted.router.action(Action("slack", user, actions.FEEDBACK_DOWN, str(reply.asked_id)))
    ted.router.action(
        Action(
            "slack", user, actions.FEEDBACK_REASON, sorry.form.private_metadata, form={"reason": "it missed the point"}
        )
    )
    ted.router.message(msg(UNANSWERED_Q, user, f"{conversation}-other"))
    return reply.asked_id


def counts(ted) -> dict:
    return {table: ted.db[table].count for table, _ in QUESTION_TABLES}


def test_questions_feedback_and_memory_go_after_the_retention_period_by_the_schedulers_clock():
    ted, clock = make(question_retention_days=90)
    talk(ted)
    start = datetime.now(UTC)
    assert counts(ted) == {
        "asked": 2,
        "unanswered": 1,
        "feedback": 1,
        "threads": 1,
    }  # an unanswered question sets no topic
    clock.now = start + timedelta(days=89)
    scheduled(ted)
    assert counts(ted) == {"asked": 2, "unanswered": 1, "feedback": 1, "threads": 1}  # not yet
    clock.now = start + timedelta(days=90, minutes=1)
    scheduled(ted)
    assert counts(ted) == {"asked": 0, "unanswered": 0, "feedback": 0, "threads": 0}
    assert ted.db["documents"].count == 1  # the knowledge base is not personal data


def test_platform_event_ids_go_after_a_day_and_card_nonces_stay():
    ted, clock = make()
    start = datetime.now(UTC)
    for platform, key in (("slack", "Ev01"), ("teams", "a1b2/1000"), ("slack-view", "V1:x"), ("teams-submit", "n1")):
        assert ted.conversations.first_delivery(platform, key)
    clock.now = start + timedelta(hours=23)
    scheduled(ted)
    assert ted.db["deliveries"].count == 4  # a retry within the day is still recognised
    clock.now = start + timedelta(days=1, minutes=1)
    scheduled(ted)
    assert [r["platform"] for r in ted.db["deliveries"].rows] == ["teams-submit"]  # a card acts once, ever


def test_only_rows_older_than_the_period_go_and_a_dry_run_deletes_nothing():
    ted, _ = make()
    talk(ted)
    now = datetime.now(UTC)
    old = (now - timedelta(days=120)).isoformat(timespec="seconds")
    ted.db.execute("update asked set asked_at = ? where question = ?", [old, UNANSWERED_Q])
    ted.db.execute("update unanswered set asked_at = ?", [old])
    expected = {"asked": 1, "unanswered": 1, "feedback": 0, "threads": 0}
    assert purge_questions(ted.db, 90, now, dry_run=True) == expected
    assert counts(ted)["asked"] == 2
    assert purge_questions(ted.db, 90, now) == expected
    assert [r["question"] for r in ted.db["asked"].rows] == [POLICY_Q]


def test_ted_reports_purge_also_deletes_old_questions(tmp_path, capsys, monkeypatch):
    db = str(tmp_path / "ted.db")
    ted = build(Settings(), db)
    talk(ted)
    ted.db.execute("update feedback set given_at = '2000-01-01T00:00:00+00:00'")
    ted.db.conn.close()
    monkeypatch.setenv("TED_QUESTION_RETENTION_DAYS", "30")
    assert main(["reports", "purge", "--db", db, "--dry-run"]) == 0
    assert (
        "Would delete questions and feedback older than 30 days: 0 questions asked, 0 unanswered questions, "
        "1 feedback, 0 conversation memories." in capsys.readouterr().out
    )
    assert main(["reports", "purge", "--db", db]) == 0
    assert "Deleted questions and feedback older than 30 days" in capsys.readouterr().out
    assert build(Settings(), db, first_use=False).db["feedback"].count == 0


def test_the_retention_setting_is_read_from_the_environment_and_must_be_at_least_a_day():
    s = Settings.from_env(
        {"TED_QUESTION_RETENTION_DAYS": "30", "TED_PSEUDONYMISE_QUESTIONS": "1", "TED_PSEUDONYM_KEY": "k" * 32}
    )
    assert (s.question_retention_days, s.pseudonymise_questions, s.pseudonym_key) == (30, True, "k" * 32)
    defaults = Settings.from_env({})
    assert defaults.question_retention_days == 90 and not defaults.pseudonymise_questions
    with pytest.raises(ValueError, match="TED_QUESTION_RETENTION_DAYS"):
        Settings.from_env({"TED_QUESTION_RETENTION_DAYS": "0"}).check()


def test_pseudonymised_rows_keep_the_text_but_not_who_asked():
    ted, _ = make(pseudonymise_questions=True)
    talk(ted)
    stored = json.dumps({t: list(ted.db[t].rows) for t, _ in QUESTION_TABLES})
    assert ALEX_SLACK not in stored and "D0ALEX" not in stored  # neither the user nor their DM channel
    assert POLICY_Q in stored and UNANSWERED_Q in stored and "it missed the point" in stored
    (asked, _) = ted.db["asked"].rows
    assert asked["user_id"].startswith("p:") and asked["conversation_id"].startswith("p:")
    assert asked["user_id"] == ted.conversations.ids.hashed("slack", ALEX_SLACK)
    assert "user_id" not in ted.db["unanswered"].columns_dict  # never who asked, pseudonymised or not


def test_pseudonymised_follow_ups_and_feedback_still_tell_people_apart():
    ted, _ = make(pseudonymise_questions=True)
    asked_id = talk(ted)
    assert ted.conversations.previous_question(msg("and on instagram?")) == POLICY_Q  # memory found by hash
    assert ted.conversations.previous_question(msg("and on instagram?", conversation="D0OTHER")) is None
    again = ted.conversations.feedback(asked_id, "slack", ALEX_SLACK, helpful=False)
    assert ted.db["feedback"].count == 1 and again == next(ted.db["feedback"].rows)["id"]  # one per person
    assert ted.conversations.feedback(asked_id, "slack", "U0SAMLEISR", helpful=False) != again
    assert not ted.conversations.feedback_reason(again, "U0SAMLEISR", "not mine to explain")
    assert ted.conversations.feedback_reason(again, ALEX_SLACK, "still missed it")
    # Sharing is the asker's, told by the keyed hash of their id: anyone else is refused.
    (shared,) = ted.router.action(Action("slack", ALEX_SLACK, actions.SHARE, str(asked_id)))
    assert shared.shared_by == ALEX_SLACK and shared.citations
    (refused,) = ted.router.action(Action("slack", "U0SAMLEISR", actions.SHARE, str(asked_id)))
    assert "Only the person who asked" in refused.text


def test_the_pseudonym_key_can_live_outside_the_database():
    a = Pseudonyms(build(Settings(), ":memory:").db, True, key="k" * 32)
    b_db = build(Settings(), ":memory:").db
    b = Pseudonyms(b_db, True, key="k" * 32)
    assert a.stored("slack", "U1") == b.stored("slack", "U1") != a.stored("teams", "U1")
    assert b_db.execute("select count(*) from kb_meta where key = ?", [KEY_ROW]).fetchone() == (0,)
    own = Pseudonyms(b_db, True)
    assert own.stored("slack", "U1") != a.stored("slack", "U1")  # a key made for this database, and kept there
    assert Pseudonyms(b_db, True).stored("slack", "U1") == own.stored("slack", "U1")
    assert Pseudonyms(b_db, False).stored("slack", "U1") == "U1"


@pytest.mark.parametrize("pseudonymise", [False, True])
def test_the_subject_access_export_finds_questions_either_way_and_says_what_it_covers(pseudonymise):
    ted, _ = make(
        pseudonymise_questions=pseudonymise, dpo_contact="the DPO (dpo@example.gov.uk)", question_retention_days=60
    )
    talk(ted)
    talk(ted, user="U0SAMLEISR", conversation="D0SAM")
    data = export_person(ted, "alex.lifeguard@tendring.example")
    assert sorted(q["question"] for q in data["questions_asked"]) == sorted([UNANSWERED_Q, POLICY_Q])
    assert [f["reason"] for f in data["feedback_given"]] == ["it missed the point"]
    notice = data["notice"]
    assert list(data)[0] == "notice" and "subject access" in notice["title"]
    assert notice["covers"] and notice["does_not_cover"] and notice["pseudonymised_questions"] is pseudonymise
    assert notice["retention"]["questions_feedback_and_conversation_memory_days"] == 60
    assert "the DPO (dpo@example.gov.uk)" in notice["how_to_complain"]
    assert "Information Commissioner's Office" in notice["how_to_complain"]
    assert notice["privacy_notice"].endswith("/privacy")


def test_the_purge_reaches_the_copies_triage_marks_digests_and_inbox_notices():
    from handlers.curation import queue
    from handlers.reports import outbox

    ted, _ = make()
    talk(ted)
    (item,) = ted.db["unanswered"].rows
    queue.dismiss(ted.db, "unanswered", item["id"], "casey.comms@tendring.example")
    now = datetime.now(UTC)
    outbox.enqueue(
        ted.db,
        now,
        None,
        outbox.NOTICE,
        "kb_digest",
        recipient="casey.comms@tendring.example",
        params={"text": f"asked: {UNANSWERED_Q}"},
        dedupe_key="digest-test",
    )
    ted.db.execute("update outbox set status = 'sent'")
    for no_report in (None, 0):  # the web inbox's copy of a notice is posted with report id 0 (delivery.py)
        ted.db["web_messages"].insert(
            {
                "email": "casey.comms@tendring.example",
                "report_id": no_report,
                "outbox_id": 1,
                "created_at": now.isoformat(timespec="seconds"),
                "updated_at": now.isoformat(timespec="seconds"),
                "reply": UNANSWERED_Q,
            }
        )
    # Taught, then forgotten: its words go after the retention period too; one still taught stays.
    from knowledge import teach

    gone = teach.teach(ted.db, "5.13", "can I friend a supplier on insta?", "casey.comms@tendring.example")
    kept = teach.teach(ted.db, "5.13", "may I add a contractor on facebook?", "casey.comms@tendring.example")
    teach.forget(ted.db, gone, "casey.comms@tendring.example")
    purge_questions(ted.db, 90, now + timedelta(days=91))
    assert ted.db["kb_triage"].count == 0  # an id SQLite hands out again inherits no "dealt with" mark
    assert UNANSWERED_Q not in json.dumps(list(ted.db["outbox"].rows))
    assert (
        ted.db.execute("select count(*) from web_messages where report_id is null or report_id = 0").fetchone()[0] == 0
    )
    audit_log = json.dumps(list(ted.db["kb_audit"].rows))
    assert UNANSWERED_Q not in audit_log and "friend a supplier on insta" not in audit_log  # dismissed, forgotten
    assert "add a contractor on facebook" in audit_log  # still taught: part of the knowledge base
    assert ted.db["taught"].get(gone)["question"] == "[removed under the retention policy]"
    assert ted.db["taught"].get(kept)["question"] == "may I add a contractor on facebook?"
    assert {e["action"] for e in ted.db["kb_audit"].rows} >= {"dismiss", "forget", "teach"}  # who did what stays


def test_an_unanswered_question_outliving_its_asked_row_loses_the_link_to_it():
    ted, _ = make()
    talk(ted)
    now = datetime.now(UTC)
    ted.db.execute("update unanswered set asked_id = 999")  # the asked row it named is gone (or its id reused)
    ted.db.execute("update unanswered set asked_at = ?", [(now + timedelta(days=60)).isoformat(timespec="seconds")])
    purge_questions(ted.db, 90, now + timedelta(days=91))
    assert ted.db["unanswered"].count and all(r["asked_id"] is None for r in ted.db["unanswered"].rows)


def test_an_export_run_without_the_servers_pseudonym_key_says_so_instead_of_leaving_questions_out(tmp_path):
    from core.problems import Problem

    path = str(tmp_path / "ted.db")
    server = build(Settings(pseudonymise_questions=True, pseudonym_key="the-servers-own-long-secret"), path)
    server.directory.import_rows(parse_csv(SAMPLE))
    talk(server)
    shell = build(Settings(), path)  # an ordinary shell: neither setting
    with pytest.raises(Problem, match="TED_PSEUDONYM_KEY"):
        export_person(shell, "alex.lifeguard@tendring.example")
    same = build(Settings(pseudonymise_questions=True, pseudonym_key="the-servers-own-long-secret"), path)
    assert len(export_person(same, "alex.lifeguard@tendring.example")["questions_asked"]) == 2


def test_with_pseudonymising_on_the_logs_name_chats_and_people_as_the_database_stores_them():
    import io
    import logging

    from handlers.ask.privacy import PseudonymousLogs

    ted, _ = make(pseudonymise_questions=True)
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.addFilter(PseudonymousLogs(ted.conversations.ids))
    slack = logging.getLogger("ted.slack.test")
    slack.addHandler(handler)
    slack.setLevel(logging.INFO)
    try:
        slack.info("slack message event_id=%s surface=%s channel=%s", "Ev1", "dm", "D0JAMIE")
        slack.info("slack cannot DM user=%s error=%s", "U0JAMIECRW", "channel_not_found")
        slack.info("answered asked_id=%s platform=%s", 5, "slack")
    finally:
        slack.removeHandler(handler)
    ask = logging.getLogger("ted.ask.test")  # "channel=" there is a platform's name, not a chat
    ask.addHandler(handler)
    ask.setLevel(logging.INFO)
    try:
        ask.info("unanswered question recorded id=%s channel=%s", 3, "slack")
    finally:
        ask.removeHandler(handler)
    logged = out.getvalue()
    assert "id=3 channel=slack" in logged
    assert "D0JAMIE" not in logged and "U0JAMIECRW" not in logged
    assert ted.conversations.ids.stored("slack", "D0JAMIE") in logged  # the pseudonym the database holds
    assert "event_id=Ev1 surface=dm" in logged and "asked_id=5 platform=slack" in logged  # the rest as it was
