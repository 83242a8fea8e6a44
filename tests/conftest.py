from __future__ import annotations

from pathlib import Path

import pytest

from app import Ted, build
from core import db as dbmod
from core.settings import Settings

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def db():
    return dbmod.connect(":memory:")


@pytest.fixture(scope="session")
def ted_session() -> Ted:
    """One TED over the bundled policy for read-only tests (building it once keeps the suite fast)."""
    return build(Settings(), ":memory:")


@pytest.fixture
def ted() -> Ted:
    return build(Settings(), ":memory:")


@pytest.fixture(params=["botbuilder", "agents"])
def teams_binding(request) -> str:
    """TEAMS_SDK for a Teams test: every test that takes it (each `teams_test` does) runs on both bindings."""
    return request.param
