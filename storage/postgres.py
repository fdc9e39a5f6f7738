"""The PostgreSQL backend (asyncpg): a pool of connections, writes serialised by an advisory lock.

Every write transaction first takes one transaction-scoped advisory lock, the same for every
process on the database: PostgreSQL then gives what SQLite's BEGIN IMMEDIATE gives, so the
read-then-write units in storage/ (a report's number, a person met for the first time, a
code used once) stay correct with several replicas on one database. Reads take a pooled
connection and never wait for writers.

The repositories' SQL (`?` and `:name` parameters) is rewritten once per statement text to
asyncpg's `$n`, skipping string literals, quoted names, comments and `::` casts.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import re
import time
from collections.abc import AsyncIterator, Callable, Iterable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, TypeVar, Union, cast

import asyncpg

from storage.db import Database, Dialect, Params, Row, Tx, redact

T = TypeVar("T")
log = logging.getLogger(__name__)

# pg_advisory_xact_lock's key for "the writer": any 64-bit number no other tool uses here.
WRITER_LOCK = 0x7A68_656E_6767_6169  # "zhenggai"
LOCK_LOG_EVERY = 30.0  # seconds between "still waiting" lines while another process writes
POOL_MAX = 8

_TOKEN = re.compile(r"""'(?:[^']|'')*'|"(?:[^"]|"")*"|--[^\n]*|::|\?|:([A-Za-z_]\w*)""")
_COUNT = re.compile(r"(\d+)$")


@functools.lru_cache(maxsize=2048)
def rewrite(sql: str) -> tuple[str, tuple[str, ...]]:
    """`?` / `:name` → `$n`; the parameter names in order ('' for a positional one)."""
    names: list[str] = []

    def marker(match: re.Match[str]) -> str:
        token = match.group(0)
        if token == "?":
            names.append("")
            return f"${len(names)}"
        key = match.group(1)
        if key is None:  # a literal, a quoted name, a comment or a cast: as it is
            return token
        if key not in names:
            names.append(key)
        return f"${names.index(key) + 1}"

    return _TOKEN.sub(marker, sql), tuple(names)


def _args(sql: str, params: Params) -> tuple[str, list[Any]]:
    text, names = rewrite(sql)
    if isinstance(params, Mapping):
        return text, [params[name] for name in names]
    return text, list(params)


@dataclass(frozen=True)
class Status:
    """A statement's command tag ("UPDATE 3", "INSERT 0 1") as a row count."""

    rowcount: int

    @classmethod
    def of(cls, tag: str) -> Status:
        found = _COUNT.search(tag or "")
        return cls(int(found.group(1)) if found else -1)


# A connection, or the pool's proxy for one (the stubs' generics; asyncpg's are not at run time).
Connection = Union["asyncpg.Connection[Any]", "asyncpg.pool.PoolConnectionProxy[Any]"]


class PostgresTx(Tx):
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def execute(self, sql: str, params: Params = ()) -> Status:
        text, args = _args(sql, params)
        return Status.of(await self._conn.execute(text, *args))

    async def executemany(self, sql: str, rows: Iterable[Params]) -> int:
        # asyncpg's executemany tells no row count, and callers need how many were new.
        changed = 0
        for row in rows:
            changed += (await self.execute(sql, row)).rowcount
        return changed

    async def fetchall(self, sql: str, params: Params = ()) -> list[Row]:
        text, args = _args(sql, params)
        return cast(list[Row], await self._conn.fetch(text, *args))

    async def fetchone(self, sql: str, params: Params = ()) -> Row | None:
        text, args = _args(sql, params)
        return cast(Row | None, await self._conn.fetchrow(text, *args))

    async def insert(self, sql: str, params: Params = ()) -> int:
        row = await self.fetchone(f"{sql} RETURNING id", params)
        if row is None:
            raise RuntimeError("INSERT gave no id")
        return int(row[0])

    async def insert_new(self, sql: str, params: Params = ()) -> int | None:
        row = await self.fetchone(f"{sql} RETURNING id", params)
        return None if row is None else int(row[0])

    async def copy_rows(
        self, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]
    ) -> int:
        """Write many rows in one COPY (storage.copy moves a whole county's database): one
        round trip a page instead of one a row. The values must already be of the columns'
        types (asyncpg's binary COPY converts nothing). How many rows were written."""
        tag = await self._conn.copy_records_to_table(table, records=rows, columns=list(columns))
        return Status.of(tag).rowcount


class PostgresDatabase(Database):
    """A pool; one write transaction at a time per process and, by the lock, per database."""

    dialect: Dialect = "postgresql"

    def __init__(self, url: str, pool: asyncpg.Pool) -> None:
        self.url = url
        self._pool = pool
        self._write_lock = asyncio.Lock()

    def __repr__(self) -> str:
        return f"PostgresDatabase({redact(self.url)})"

    @classmethod
    async def open(cls, url: str) -> PostgresDatabase:  # type: ignore[override]
        pool = await asyncpg.create_pool(url, min_size=1, max_size=POOL_MAX)
        db = cls(url, pool)
        collation = await db.scalar(
            "SELECT datcollate FROM pg_database WHERE datname = current_database()"
        )
        if collation not in ("C", "C.UTF-8", "C.utf8", "POSIX"):
            log.warning(
                "database collation is %s, not C: names sort by it, unlike on SQLite"
                " (create the database with LC_COLLATE 'C' TEMPLATE template0)",
                collation,
            )
        return db

    async def close(self) -> None:
        await self._pool.close()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Tx]:
        async with self._write_lock, self._pool.acquire() as conn:
            tx = await self._begin(conn)
            try:
                yield PostgresTx(conn)
            except BaseException:
                await tx.rollback()
                raise
            await tx.commit()

    async def _begin(self, conn: Connection) -> Any:
        """Start a transaction holding the writer lock, waiting however long it is held."""
        started = time.monotonic()
        while True:
            # Read committed, whatever the server's default: the lock statement must not take
            # the transaction's snapshot before it waits.
            tx = conn.transaction(isolation="read_committed")
            await tx.start()
            try:
                await conn.execute(
                    "SELECT set_config('lock_timeout', $1, true), pg_advisory_xact_lock($2)",
                    f"{int(LOCK_LOG_EVERY * 1000)}",
                    WRITER_LOCK,
                )
                await conn.execute("SELECT set_config('lock_timeout', '0', true)")
                return tx
            except asyncpg.LockNotAvailableError:
                await tx.rollback()
                log.warning(
                    "database %s is locked by another process; waited %.0fs, still waiting",
                    redact(self.url),
                    time.monotonic() - started,
                )

    async def write_one(self, sql: str, params: Params = ()) -> int:
        async with self.transaction() as tx:
            return (await tx.execute(sql, params)).rowcount

    async def unserialised(self, sql: str, params: Params = ()) -> int:
        """One statement outside the writer lock, for rows no other unit of work touches
        (bot/cluster.py: a replica's note that a message goes out, a NOTIFY)."""
        text, args = _args(sql, params)
        async with self._pool.acquire() as conn:
            return Status.of(await conn.execute(text, *args)).rowcount

    async def fetchall(self, sql: str, params: Params = ()) -> list[Row]:
        text, args = _args(sql, params)
        async with self._pool.acquire() as conn:
            return cast(list[Row], await conn.fetch(text, *args))

    async def fetchone(self, sql: str, params: Params = ()) -> Row | None:
        text, args = _args(sql, params)
        async with self._pool.acquire() as conn:
            return cast(Row | None, await conn.fetchrow(text, *args))

    async def scan(
        self,
        sql: str,
        convert: Callable[[list[tuple[Any, ...]]], T],
        params: Mapping[str, Any] | Sequence[Any] = (),
    ) -> T:
        rows = await self.fetchall(sql, params)
        return await asyncio.to_thread(convert, cast(list[tuple[Any, ...]], rows))

    async def table_names(self) -> set[str]:
        rows = await self.fetchall(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
        )
        return {str(r[0]) for r in rows}
