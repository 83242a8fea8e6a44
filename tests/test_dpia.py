"""docs/dpia.md (the data protection impact assessment draft) describes every table TED's migrations create and
every retention setting, so it cannot fall behind the schema unnoticed."""

from pathlib import Path

from core import db as dbmod

DPIA = (Path(__file__).resolve().parents[1] / "docs" / "dpia.md").read_text("utf-8")


def test_the_dpia_names_every_table_the_migrations_create():
    db = dbmod.connect(":memory:")
    tables = {t for t in db.table_names() if t != "_migrations" and not t.startswith("clauses_fts_")}
    missing = sorted(t for t in tables if f"`{t}`" not in DPIA)
    assert not missing, f"docs/dpia.md does not describe these tables: {missing}"
    assert f"migrations 001–{len(dbmod.MIGRATIONS):03d}" in DPIA


def test_the_dpia_names_the_retention_and_pseudonymisation_settings():
    for setting in (
        "TED_QUESTION_RETENTION_DAYS",
        "TED_REPORT_RETENTION_DAYS",
        "TED_PSEUDONYMISE_QUESTIONS",
        "TED_PSEUDONYM_KEY",
        "TED_WEB_UPLOADS",
    ):
        assert setting in DPIA, setting
