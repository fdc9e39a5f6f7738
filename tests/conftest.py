"""Shared fixtures: a config on a temporary database, and an application on a recording request."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from bot.app import build_application
from bot.config import Config, parse_config
from bot.context import App
from bot.services.container import Services
from storage.db import Database
from storage.migrations import open_database
from tests import dbs
from tests.recording import RecordingRequest

TOKEN = "123456:TEST-TOKEN-abcdefghijklmnopqrstuvwxyz"
ADMIN_ID = 1


@pytest.fixture(autouse=True)
def _own_databases() -> Iterator[None]:
    """On PostgreSQL, the databases a test made are dropped when it ends (tests/dbs.py)."""
    yield
    dbs.drop_made()


def pytest_sessionfinish(session: pytest.Session) -> None:
    dbs.drop_kept()


def pytest_report_header() -> str:
    return f"database: {dbs.ENGINE}"


@pytest.fixture
def config(tmp_path: Path) -> Config:
    return parse_config(
        {
            "telegram": {"token": TOKEN},
            "storage": dbs.storage(tmp_path, "z", evidence_dir=str(tmp_path / "ev")),
            "office": {"admins": [ADMIN_ID]},
        }
    )


@pytest.fixture
async def db(config: Config) -> AsyncIterator[Database]:
    database = await open_database(config.storage.target)
    yield database
    await database.close()


@pytest.fixture
def recorder() -> RecordingRequest:
    return RecordingRequest()


@pytest.fixture
async def app(config: Config, db: Database, recorder: RecordingRequest) -> AsyncIterator[App]:
    application = build_application(Services(config=config, db=db), request=recorder)
    await application.initialize()
    yield application
    await application.shutdown()
