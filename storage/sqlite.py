"""The SQLite backend: pragmas, one serialised writer (BEGIN IMMEDIATE), a separate reader."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar

import aiosqlite

from storage.db import Database, Dialect, Params, Result, Row, Tx

T = TypeVar("T")

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 5000
LOCK_LOG_EVERY = 30.0  # seconds between "still waiting" lines while another process holds it


def is_lock_error(exc: BaseException) -> bool:
    """SQLite's busy or locked: another connection holds the lock, waiting will help."""
    text = str(exc).lower()
    return isinstance(exc, sqlite3.OperationalError) and ("locked" in text or "busy" in text)


async def _open(path: Path) -> aiosqlite.Connection:
    conn = await aiosqlite.connect(path, isolation_level=None)
    conn.row_factory = aiosqlite.Row
    await conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    await conn.execute("PRAGMA foreign_keys = ON")
    await conn.execute("PRAGMA journal_mode = WAL")
    await conn.execute("PRAGMA synchronous = NORMAL")
    return conn


class SqliteTx(Tx):
    """A write transaction on the writer connection."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn

    async def execute(self, sql: str, params: Params = ()) -> Result:
        return await self._conn.execute(sql, params)

    async def executemany(self, sql: str, rows: Iterable[Params]) -> int:
        """Run one statement for many rows; how many rows it changed."""
        cur = await self._conn.executemany(sql, rows)
        count = cur.rowcount
        await cur.close()
        return count

    async def fetchall(self, sql: str, params: Params = ()) -> list[Row]:
        # One trip to the connection's thread, not three (execute, fetch, close): every
        # trip waits its turn behind the event loop, and a turn makes a dozen reads.
        rows: list[Row] = list(await self._conn.execute_fetchall(sql, params))
        return rows

    async def insert(self, sql: str, params: Params = ()) -> int:
        """Run an INSERT and return the new row id."""
        cur = await self._conn.execute(sql, params)
        rowid = cur.lastrowid
        await cur.close()
        if rowid is None:  # pragma: no cover - sqlite always sets it for INSERT
            raise RuntimeError("INSERT gave no rowid")
        return rowid

    async def insert_new(self, sql: str, params: Params = ()) -> int | None:
        cur = await self._conn.execute(sql, params)
        new = cur.rowcount == 1
        rowid = cur.lastrowid
        await cur.close()
        return rowid if new else None


class SqliteDatabase(Database):
    """One write connection behind a lock (BEGIN IMMEDIATE), one read connection (WAL)."""

    dialect: Dialect = "sqlite"
    path: Path

    def __init__(self, path: Path, writer: aiosqlite.Connection, reader: aiosqlite.Connection):
        self.path = path
        self._writer = writer
        self._reader = reader
        self._write_lock = asyncio.Lock()

    @classmethod
    async def open(cls, path: Path) -> SqliteDatabase:  # type: ignore[override]
        """Open the database file without migrating it (see storage.migrations.open_database)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        writer = await _open(path)
        reader = await _open(path)
        return cls(path, writer, reader)

    async def close(self) -> None:
        await self._reader.close()
        await self._writer.close()

    async def scan(
        self,
        sql: str,
        convert: Callable[[list[tuple[Any, ...]]], T],
        params: Mapping[str, Any] | Sequence[Any] = (),
    ) -> T:
        """Read a large result and convert it, both in a worker thread on a connection of its
        own: the event loop sees neither the rows nor the work (the duty clock's 50,000)."""

        def read() -> T:
            conn = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True)
            try:
                return convert(conn.execute(sql, params).fetchall())
            finally:
                conn.close()

        return await asyncio.to_thread(read)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Tx]:
        """All or nothing: commit when the block ends, roll back when it raises.

        While another process holds the database's write lock this waits, however long,
        rather than fail: the work is only delayed, never lost or half done.
        """
        async with self._write_lock:
            await self._begin()
            try:
                yield SqliteTx(self._writer)
            except BaseException:
                await self._writer.execute("ROLLBACK")
                raise
            await self._writer.execute("COMMIT")

    async def write_one(self, sql: str, params: Params = ()) -> int:
        """One statement, atomic by itself (the writer is in autocommit): one trip to the
        writer's thread, not BEGIN … COMMIT's three, and the lock held for that trip only.
        It waits out another process's lock as `transaction` does. The rows it changed."""
        async with self._write_lock:
            cur = await self._locked_out(lambda: self._writer.execute(sql, params))
            return int(cur.rowcount)

    async def _begin(self) -> None:
        """BEGIN IMMEDIATE, retried for as long as another process keeps the lock."""
        await self._locked_out(lambda: self._writer.execute("BEGIN IMMEDIATE"))

    async def _locked_out(self, write: Callable[[], Awaitable[T]]) -> T:
        """The first write of a unit, retried for as long as another process keeps the lock."""
        started = time.monotonic()
        told = started
        while True:
            try:
                done = await write()
                break
            except sqlite3.OperationalError as exc:
                if not is_lock_error(exc):
                    raise
            now = time.monotonic()
            if now - told >= LOCK_LOG_EVERY or told == started:
                log.warning(
                    "database %s is locked by another process; waited %.0fs, still waiting",
                    self.path.name,
                    now - started,
                )
                told = now
            await asyncio.sleep(0.2)
        if time.monotonic() - started > BUSY_TIMEOUT_MS / 1000:
            log.warning("database lock released after %.0fs", time.monotonic() - started)
        return done

    async def _read(self, sql: str, params: Params, *, one: bool) -> list[Row]:
        """Reads do not wait for writers (WAL); a rare busy reader is retried, not failed."""
        while True:
            try:
                # One trip to the reader's thread (see Tx.fetchall).
                rows: list[Row] = list(await self._reader.execute_fetchall(sql, params))
                return rows[:1] if one else rows
            except sqlite3.OperationalError as exc:
                if not is_lock_error(exc):
                    raise
            await asyncio.sleep(0.2)

    async def fetchone(self, sql: str, params: Params = ()) -> Row | None:
        rows = await self._read(sql, params, one=True)
        return rows[0] if rows else None

    async def fetchall(self, sql: str, params: Params = ()) -> list[Row]:
        return await self._read(sql, params, one=False)

    async def table_names(self) -> set[str]:
        rows = await self.fetchall("SELECT name FROM sqlite_master WHERE type = 'table'")
        return {str(r[0]) for r in rows if not str(r[0]).startswith("sqlite_")}
