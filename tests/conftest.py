"""Shared fixtures: a config on a temporary database, and an application on a recording request."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.app import build_application
from bot.config import Config, parse_config
from bot.context import App
from bot.services.container import Services
from storage.db import Database
from storage.migrations import open_database
from tests.recording import RecordingRequest

TOKEN = "123456:TEST-TOKEN-abcdefghijklmnopqrstuvwxyz"
ADMIN_ID = 1


@pytest.fixture
def config(tmp_path: Path) -> Config:
    return parse_config(
        {
            "telegram": {"token": TOKEN},
            "storage": {"path": str(tmp_path / "z.sqlite3"), "evidence_dir": str(tmp_path / "ev")},
            "office": {"admins": [ADMIN_ID]},
        }
    )


@pytest.fixture
async def db(config: Config) -> AsyncIterator[Database]:
    database = await open_database(config.storage.path)
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
