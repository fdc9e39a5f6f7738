"""Migrations: empty to latest, idempotent, atomic, and a newer schema refused."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.cli import main
from storage.db import Database, Dialect
from storage.migrations import (
    LATEST,
    MIGRATIONS,
    Migration,
    SchemaTooNewError,
    current_version,
    migrate,
    open_database,
)
from tests import dbs

DOMAIN_TABLES = {
    "rounds",
    "units",
    "problems",
    "people",
    "roles",
    "chats",
    "bind_codes",
    "reports",
    "attachments",
    "reviews",
    "notices",
    "notice_receipts",
    "inbox",
    "outbox",
    "audit_log",
    "extension_requests",
    "deadline_changes",
    "report_drafts",
}


async def test_empty_to_latest(tmp_path: Path) -> None:
    db = await open_database(dbs.target(tmp_path, "a", migrated=False))
    try:
        assert await current_version(db) == LATEST
        assert await db.table_names() >= DOMAIN_TABLES
        if db.dialect == "sqlite":
            assert await db.scalar("PRAGMA journal_mode") == "wal"
            assert await db.scalar("PRAGMA foreign_keys") == 1
        assert await migrate(db) == LATEST  # a second run changes nothing
        assert await db.scalar("SELECT COUNT(*) FROM schema_migrations") == len(MIGRATIONS)
    finally:
        await db.close()


async def test_newer_schema_is_refused(tmp_path: Path) -> None:
    path = dbs.target(tmp_path, "b", migrated=False)
    db = await open_database(path)
    async with db.transaction() as tx:
        await tx.execute(
            "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, 'future', 'x')",
            (LATEST + 1,),
        )
    await db.close()
    with pytest.raises(SchemaTooNewError, match=str(LATEST + 1)):
        await open_database(path)


async def test_a_failing_step_leaves_no_trace(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = await Database.open(dbs.target(tmp_path, "c", migrated=False))
    broken = Migration(LATEST + 1, "broken")
    monkeypatch.setattr(
        Migration,
        "sql",
        lambda self, dialect="sqlite": (
            "CREATE TABLE half (x INTEGER); SELECT * FROM nowhere"
            if self.version == LATEST + 1
            else open_sql(self, dialect)
        ),
    )
    try:
        with pytest.raises(Exception, match="nowhere"):
            await migrate(db, (*MIGRATIONS, broken))
        assert await current_version(db) == LATEST
        assert "half" not in await db.table_names()
    finally:
        await db.close()


_original_sql = Migration.sql


def open_sql(step: Migration, dialect: Dialect = "sqlite") -> str:
    return _original_sql(step, dialect)


def test_zhenggai_migrate_upgrades_once_and_refuses_a_newer_schema(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        dbs.storage_toml(dbs.storage(tmp_path, "m", migrated=False)), encoding="utf-8"
    )
    assert main(["migrate", "--config", str(config)]) == 0
    assert f"从版本 0 升级到 {LATEST}" in capsys.readouterr().out
    assert main(["migrate", "--config", str(config)]) == 0
    assert f"已是最新（版本 {LATEST}）" in capsys.readouterr().out

    async def from_the_future() -> None:
        db = await open_database(dbs.target(tmp_path, "m", migrated=False))
        async with db.transaction() as tx:
            await tx.execute(
                "INSERT INTO schema_migrations (version, name, applied_at)"
                " VALUES (?, 'future', 'x')",
                (LATEST + 1,),
            )
        await db.close()

    asyncio.run(from_the_future())
    assert main(["migrate", "--config", str(config)]) == 2
    assert str(LATEST + 1) in capsys.readouterr().err
