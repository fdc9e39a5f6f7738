"""Append-only numbered migrations: each step and its version bump in one transaction.

A step is `sql/NNNN_name.sql`, run by both engines; where PostgreSQL must differ (its
surrogate keys, wider integers, a table rebuilt in place) `sql/postgresql/NNNN_name.sql`
replaces it there. New steps write BIGINT, DOUBLE PRECISION and TEXT, which SQLite reads
as its own INTEGER, REAL and TEXT, and need no twin unless they add an `id` key.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

from storage.db import Database, Dialect


@dataclass(frozen=True)
class Migration:
    version: int
    name: str

    def sql(self, dialect: Dialect = "sqlite") -> str:
        name = f"{self.version:04d}_{self.name}.sql"
        folder = resources.files("storage.sql")
        own = folder.joinpath(dialect, name)
        return (own if own.is_file() else folder.joinpath(name)).read_text(encoding="utf-8")


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
    Migration(10, "replicas"),
)

LATEST = MIGRATIONS[-1].version


class SchemaTooNewError(Exception):
    """The database was written by a newer zhenggai; running old code on it would corrupt it."""


def _statements(script: str) -> list[str]:
    """Split a migration script into statements (our SQL has no semicolons inside literals)."""
    lines = [line.split("--", 1)[0] for line in script.splitlines()]
    return [s.strip() for s in "\n".join(lines).split(";") if s.strip()]


async def current_version(db: Database) -> int:
    if "schema_migrations" not in await db.table_names():
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
            # Another process may have run it while this one waited for the write lock.
            done = await tx.fetchone(
                "SELECT 1 FROM schema_migrations WHERE version = ?", (step.version,)
            )
            if done is not None:
                continue
            for statement in _statements(step.sql(db.dialect)):
                await tx.execute(statement)
            await tx.execute(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                (step.version, step.name, datetime.now(UTC).isoformat(timespec="seconds")),
            )
    return latest


async def open_database(target: str | Path) -> Database:
    """Open (a path or a storage URL), migrate and return the database; close it again if
    migrating fails."""
    db = await Database.open(target)
    try:
        await migrate(db)
    except BaseException:
        await db.close()
        raise
    return db
