import pytest

from core import db as dbmod
from core.settings import Settings


def test_settings_defaults_and_env():
    s = Settings.from_env({})
    assert (s.host, s.port, s.db_path) == ("127.0.0.1", 3978, "var/ted.db")
    assert s.slack_api_url == "https://slack.com/api/"
    s = Settings.from_env(
        {
            "TED_PORT": "8080",
            "TED_DB": "/tmp/x.db",
            "TEAMS_ALLOW_UNAUTHENTICATED": "1",
            "SLACK_API_URL": "http://127.0.0.1:9/api/",
        }
    )
    assert s.port == 8080 and s.db_path == "/tmp/x.db" and s.teams_allow_unauthenticated
    assert s.slack_api_url == "http://127.0.0.1:9/api/"


def test_teams_sdk_is_botbuilder_or_agents():
    assert Settings.from_env({}).teams_sdk == "botbuilder"
    assert Settings.from_env({"TEAMS_SDK": " Agents "}).teams_sdk == "agents"
    with pytest.raises(ValueError, match=r"^TEAMS_SDK must be botbuilder or agents, not 'teams-ai'\.$"):
        Settings.from_env({"TEAMS_SDK": "teams-ai"})
    with pytest.raises(ValueError, match="TEAMS_SDK"):
        Settings(teams_sdk="v4").check()


def test_bad_port_is_a_clear_error():
    with pytest.raises(ValueError, match="TED_PORT"):
        Settings.from_env({"TED_PORT": "eighty"})


def test_file_database_uses_wal_busy_timeout_and_migrations(tmp_path):
    path = tmp_path / "ted.db"
    db = dbmod.connect(path)
    assert db.execute("pragma journal_mode").fetchone()[0] == "wal"
    assert db.execute("pragma busy_timeout").fetchone()[0] == dbmod.BUSY_TIMEOUT_MS
    assert dbmod.applied_migrations(db) == [name for name, _ in dbmod.MIGRATIONS]
    db.conn.close()
    # Re-opening applies nothing twice.
    again = dbmod.connect(path)
    assert dbmod.migrate(again) == []


def test_transaction_rolls_back_on_error(db):
    with pytest.raises(RuntimeError):
        with dbmod.transaction(db):
            db["kb_meta"].insert({"key": "k", "value": "v"})
            raise RuntimeError("boom")
    assert db["kb_meta"].count == 0


@pytest.mark.parametrize(
    "env,name",
    [
        ({"TED_WORKING_HOURS": "9-5"}, "TED_WORKING_HOURS"),
        ({"TED_WORKING_HOURS": "17:00-09:00"}, "TED_WORKING_HOURS"),
        ({"TED_TIMEZONE": "Mars/Olympus"}, "TED_TIMEZONE"),
        ({"TED_ACK_HOURS": "abuse_me=soon"}, "TED_ACK_HOURS"),
        ({"TED_ACK_HOURS": "abuse_me=-4"}, "TED_ACK_HOURS"),
        ({"TED_REMINDER_HOURS": "0"}, "TED_REMINDER_HOURS"),
        ({"TED_REMINDER_HOURS": "nan"}, "TED_REMINDER_HOURS"),
        ({"TED_ACK_HOURS": "abuse_mee=4"}, "TED_ACK_HOURS"),  # no such category: a typo would be ignored
        ({"TED_HEADER_TIMEOUT_SECONDS": "nan"}, "TED_HEADER_TIMEOUT_SECONDS"),  # would switch the limit off
        ({"TED_BODY_TIMEOUT_SECONDS": "inf"}, "TED_BODY_TIMEOUT_SECONDS"),
        ({"TED_WORKERS": "inf"}, "TED_WORKERS"),
        ({"TED_WORKERS": "2.5"}, "TED_WORKERS"),
        ({"TED_REPORT_RETENTION_DAYS": "1e400"}, "TED_REPORT_RETENTION_DAYS"),
        ({"TED_PORT": "99999"}, "TED_PORT"),
        ({"TED_PORT": "-1"}, "TED_PORT"),
        ({"TED_MIN_CONFIDENCE": "2"}, "TED_MIN_CONFIDENCE"),
        ({"TED_MIN_CONFIDENCE": "nan"}, "TED_MIN_CONFIDENCE"),
        ({"TED_SUGGEST_CONFIDENCE": "1.5"}, "TED_SUGGEST_CONFIDENCE"),
        ({"TED_SUGGEST_CONFIDENCE": "some"}, "TED_SUGGEST_CONFIDENCE"),
        ({"TED_LOG_LEVEL": "LOUD"}, "TED_LOG_LEVEL"),
        ({"TED_DIGEST_DAY": "monkey"}, "TED_DIGEST_DAY"),
        ({"TED_AT_RISK_ACK_MINUTES": "0"}, "TED_AT_RISK_ACK_MINUTES"),  # would escalate at every tick
        ({"TED_PSEUDONYMISE_QUESTIONS": "enabled"}, "TED_PSEUDONYMISE_QUESTIONS"),  # never read as "off"
        ({"TED_WEB_ALLOW_LOCAL_IDENTITY": "maybe"}, "TED_WEB_ALLOW_LOCAL_IDENTITY"),
        ({"TEAMS_ALLOW_UNAUTHENTICATED": "sure"}, "TEAMS_ALLOW_UNAUTHENTICATED"),
        ({"TED_SEMANTIC": "disabled"}, "TED_SEMANTIC"),
        ({"TED_PUBLIC_URL": "ted.tendring.gov.uk"}, "TED_PUBLIC_URL"),  # links in messages would go nowhere
        ({"TED_WORKING_HOURS": "09:00+05:00-17:00"}, "TED_WORKING_HOURS"),  # an offset: the hours are local
        ({"TED_WORKING_HOURS": "09:00-17:00-18:00"}, "TED_WORKING_HOURS"),
        ({"TED_DIGEST_TIME": "0900"}, "TED_DIGEST_TIME"),
        ({"TED_DIGEST_TIME": "09:00+05:00"}, "TED_DIGEST_TIME"),
        ({"TED_REPORT_RETENTION_DAYS": "0"}, "TED_REPORT_RETENTION_DAYS"),  # would purge reports as resolved
        ({"TED_WORKERS": "1000000"}, "TED_WORKERS"),
        ({"TED_WEB_USER_HEADER": "X Bad: Header"}, "TED_WEB_USER_HEADER"),
        ({"SLACK_API_URL": "notaurl"}, "SLACK_API_URL"),
    ],
)
def test_bad_report_settings_are_refused_at_start(env, name):
    with pytest.raises(ValueError, match=name):
        Settings.from_env(env).check()


def test_min_confidence_0_means_answer_whatever_the_confidence_and_unset_means_calibrated():
    from knowledge import calibration

    params = {"min_confidence": 0.5, "calibration": {}}
    assert Settings.from_env({"TED_MIN_CONFIDENCE": "0"}).min_confidence == 0.0
    assert calibration.threshold(params, [], True, Settings.from_env({"TED_MIN_CONFIDENCE": "0"}).min_confidence) == 0
    assert calibration.threshold(params, [], True, Settings.from_env({}).min_confidence) == 0.5


def test_an_upper_case_public_url_scheme_is_read_as_it_means():
    assert (
        Settings.from_env({"TED_PUBLIC_URL": "HTTPS://ted.tendring.gov.uk/"}).public_url
        == "https://ted.tendring.gov.uk"
    )


def test_on_off_settings_take_every_usual_spelling():
    for on in ("1", "true", "Yes", "ON"):
        assert Settings.from_env({"TED_PSEUDONYMISE_QUESTIONS": on}).pseudonymise_questions
    for off in ("0", "false", "No", "off", ""):
        assert not Settings.from_env({"TED_PSEUDONYMISE_QUESTIONS": off}).pseudonymise_questions
    assert not Settings.from_env({"TED_SEMANTIC": "off"}).semantic and Settings.from_env({}).semantic


def test_bad_setting_is_a_polite_error_on_the_command_line(monkeypatch, capsys):
    from app import main

    monkeypatch.setenv("TED_WORKING_HOURS", "9-5")
    assert main(["ask", "--db", ":memory:", "hello"]) == 2
    assert "TED_WORKING_HOURS" in capsys.readouterr().err


def test_platform_libraries_never_log_bodies_even_at_debug(monkeypatch):
    import logging

    from app import QUIET_LIBRARIES, main

    monkeypatch.setenv("TED_LOG_LEVEL", "DEBUG")
    root = logging.getLogger()
    before = root.level
    root.setLevel(logging.DEBUG)  # as basicConfig(level=DEBUG) leaves it on a fresh process
    try:
        for name in QUIET_LIBRARIES:
            logging.getLogger(name).setLevel(logging.NOTSET)
        assert main(["ask", "--db", ":memory:", "hello"]) == 0
        for name in QUIET_LIBRARIES:
            assert logging.getLogger(name).getEffectiveLevel() >= logging.INFO, name
    finally:
        root.setLevel(before)


def test_a_digest_day_may_be_named_in_full_and_the_ack_categories_are_the_report_forms():
    from core.settings import REPORT_CATEGORIES
    from handlers.reports.form import CATEGORIES

    assert Settings.from_env({"TED_DIGEST_DAY": "Wednesday"}).check().digest_day == "wed"
    assert Settings.from_env({"TED_DIGEST_DAY": "off"}).check().digest_day == "off"
    assert tuple(k for k, _ in CATEGORIES) == REPORT_CATEGORIES


def test_the_serve_lock_is_the_database_files_whatever_path_names_it(tmp_path):
    from core.lock import AlreadyServing, ServeLock

    db = tmp_path / "ted.db"
    db.write_bytes(b"")
    (tmp_path / "link.db").symlink_to(db)
    (tmp_path / "sub").mkdir()
    with ServeLock(db):
        for other in (tmp_path / "link.db", tmp_path / "sub" / ".." / "ted.db"):
            with pytest.raises(AlreadyServing):
                ServeLock(other).acquire()


def test_a_second_connection_never_lets_another_process_delete_the_write_ahead_log(tmp_path):
    import subprocess
    import sys

    path = tmp_path / "ted.db"
    first = dbmod.connect(path)
    first["kb_meta"].insert({"key": "a", "value": "1"})
    dbmod.connect(path)  # a worker's connection: the file is already open here, so it is never read raw
    outside = "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); print(c.execute(sys.argv[2]).fetchone()[0])"
    count = "select count(*) from kb_meta where key in ('a', 'b')"
    subprocess.run([sys.executable, "-c", outside, str(path), count], check=True, capture_output=True)
    assert (tmp_path / "ted.db-wal").exists()  # another process closing its connection left TED's log alone
    first["kb_meta"].insert({"key": "b", "value": "2"})
    seen = subprocess.run([sys.executable, "-c", outside, str(path), count], capture_output=True, text=True)
    assert seen.stdout.strip() == "2"


def test_setting_one_categorys_deadline_leaves_the_others_at_their_defaults():
    s = Settings.from_env({"TED_ACK_HOURS": "abuse_me=1", "TED_RESOLVE_DAYS": "disparaging=20"}).check()
    assert (s.ack_hours_for("abuse_me"), s.ack_hours_for("abuse_colleague"), s.ack_hours_for("other")) == (1, 4, 8)
    assert (s.resolve_days_for("disparaging"), s.resolve_days_for("abuse_me")) == (20, 5)


def test_a_database_in_a_folder_that_does_not_exist_is_refused_not_made(tmp_path, capsys):
    from app import main

    typo = tmp_path / "var-typo" / "ted.db"
    for command in (["ask", "--db", str(typo), "hello"], ["serve", "--db", str(typo)]):  # serve: before its lock
        assert main(command) != 0
        err = capsys.readouterr().err
        assert "does not exist: create it first" in err and "Traceback" not in err
        assert not typo.parent.exists()
