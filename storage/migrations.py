"""Append-only numbered migrations: each step and its version bump in one transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

from storage.db import Database


@dataclass(frozen=True)
class Migration:
    version: int
    name: str

    def sql(self) -> str:
        return (
            resources.files("storage.sql")
            .joinpath(f"{self.version:04d}_{self.name}.sql")
            .read_text(encoding="utf-8")
        )


# Append only. Never edit a released step: add the next one.
MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "initial"),
    Migration(2, "imports"),
    Migration(3, "weekly_figures"),
    Migration(4, "notices"),
    Migration(5, "trust"),
    Migration(6, "people_names"),
    Migration(7, "signal"),
    Migration(8, "platforms"),
    Migration(9, "identities"),
)

LATEST = MIGRATIONS[-1].version


class SchemaTooNewError(Exception):
    """The database was written by a newer zhenggai; running old code on it would corrupt it."""


def _statements(script: str) -> list[str]:
    """Split a migration script into statements (our SQL has no semicolons inside literals)."""
    lines = [line.split("--", 1)[0] for line in script.splitlines()]
    return [s.strip() for s in "\n".join(lines).split(";") if s.strip()]


async def current_version(db: Database) -> int:
    exists = await db.scalar(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'"
    )
    if not exists:
        return 0
    return int(await db.scalar("SELECT COALESCE(MAX(version), 0) FROM schema_migrations"))


async def migrate(db: Database, migrations: tuple[Migration, ...] = MIGRATIONS) -> int:
    """Bring the schema to the latest version; refuse a schema newer than this code."""
    async with db.transaction() as tx:
        await tx.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
        )
    version = await current_version(db)
    latest = migrations[-1].version if migrations else 0
    if version > latest:
        raise SchemaTooNewError(
            f"数据库结构版本 {version} 比本程序支持的 {latest} 新：请升级 zhenggai 后再启动"
        )
    for step in migrations:
        if step.version <= version:
            continue
        async with db.transaction() as tx:
            for statement in _statements(step.sql()):
                await tx.execute(statement)
            await tx.execute(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                (step.version, step.name, datetime.now(UTC).isoformat(timespec="seconds")),
            )
    return latest


async def open_database(path: Path) -> Database:
    """Open, migrate and return the database; close it again if migrating fails."""
    db = await Database.open(path)
    try:
        await migrate(db)
    except BaseException:
        await db.close()
        raise
    return db
