"""What the repositories speak to: a database with one serialised writer, on SQLite or PostgreSQL.

Queries are written once, with `?` or `:name` parameters, in SQL both engines run; each
backend takes them as they are (PostgreSQL's rewrites the markers to `$n`). `open_db` picks
the backend from the target: a path or `sqlite:///…` is a file, `postgresql://…` a server.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import Any, Literal, Protocol, TypeVar

Params = Mapping[str, Any] | Iterable[Any]
T = TypeVar("T")
Dialect = Literal["sqlite", "postgresql"]

SQLITE_PREFIX = "sqlite:///"
POSTGRES_PREFIXES = ("postgresql://", "postgres://")


class Row(Protocol):
    """A result row: by position, by column name, and its column names (sqlite3.Row and
    asyncpg.Record both are one)."""

    def __getitem__(self, key: Any, /) -> Any: ...

    def __iter__(self) -> Iterator[Any]: ...

    def __len__(self) -> int: ...

    def keys(self) -> Any: ...


class Result(Protocol):
    """What a statement did: how many rows it changed."""

    @property
    def rowcount(self) -> int: ...


class Tx(ABC):
    """A write transaction: every statement of one unit of work goes through it."""

    @abstractmethod
    async def execute(self, sql: str, params: Params = ()) -> Result: ...

    @abstractmethod
    async def executemany(self, sql: str, rows: Iterable[Params]) -> int:
        """Run one statement for many rows; how many rows it changed."""

    @abstractmethod
    async def fetchall(self, sql: str, params: Params = ()) -> list[Row]: ...

    async def fetchone(self, sql: str, params: Params = ()) -> Row | None:
        rows = await self.fetchall(sql, params)
        return rows[0] if rows else None

    @abstractmethod
    async def insert(self, sql: str, params: Params = ()) -> int:
        """Run an INSERT into a table with an `id` key and return the new row's id."""

    @abstractmethod
    async def insert_new(self, sql: str, params: Params = ()) -> int | None:
        """Run an `INSERT … ON CONFLICT DO NOTHING`: the new row's id, or None when it existed."""


class Database(ABC):
    """One writer at a time (across processes too), reads beside it."""

    dialect: Dialect
    path: Path | None = None  # the file, for SQLite

    @staticmethod
    async def open(target: str | Path) -> Database:
        """Open the database without migrating it (see storage.migrations.open_database)."""
        kind, where = parse_target(target)
        if kind == "postgresql":
            try:
                from storage.postgres import PostgresDatabase
            except ModuleNotFoundError as exc:  # the optional extra is not installed
                raise RuntimeError(
                    "使用 PostgreSQL 需先安装驱动：pip install 'zhenggai[postgresql]'"
                ) from exc

            return await PostgresDatabase.open(where)
        from storage.sqlite import SqliteDatabase

        return await SqliteDatabase.open(Path(where))

    @abstractmethod
    async def close(self) -> None: ...

    @abstractmethod
    def transaction(self) -> AbstractAsyncContextManager[Tx]:
        """All or nothing: commit when the block ends, roll back when it raises.

        While another process holds the write lock this waits, however long, rather than
        fail: the work is only delayed, never lost or half done.
        """

    @abstractmethod
    async def write_one(self, sql: str, params: Params = ()) -> int:
        """One statement, atomic by itself, under the write lock; the rows it changed."""

    @abstractmethod
    async def fetchall(self, sql: str, params: Params = ()) -> list[Row]: ...

    async def fetchone(self, sql: str, params: Params = ()) -> Row | None:
        rows = await self.fetchall(sql, params)
        return rows[0] if rows else None

    async def scalar(self, sql: str, params: Params = ()) -> Any:
        row = await self.fetchone(sql, params)
        return None if row is None else row[0]

    @abstractmethod
    async def scan(
        self,
        sql: str,
        convert: Callable[[list[tuple[Any, ...]]], T],
        params: Mapping[str, Any] | Sequence[Any] = (),
    ) -> T:
        """Read a large result and convert it off the event loop (the duty clock's 50,000)."""

    @abstractmethod
    async def table_names(self) -> set[str]:
        """The tables the schema holds."""


def parse_target(target: str | Path) -> tuple[Dialect, str]:
    """('sqlite', file path) or ('postgresql', URL) for a path or a storage URL."""
    if isinstance(target, Path):
        return "sqlite", str(target)
    if target.startswith(POSTGRES_PREFIXES):
        return "postgresql", target
    if target.startswith(SQLITE_PREFIX):
        return "sqlite", target[len(SQLITE_PREFIX) :]
    if "://" in target:
        raise ValueError(
            f"不认识的数据库地址：{redact(target)}（应为 sqlite:/// 或 postgresql://）"
        )
    return "sqlite", target


def redact(url: str) -> str:
    """A storage URL fit for a log line: no password."""
    head, sep, rest = url.partition("://")
    if not sep or "@" not in rest.split("/", 1)[0]:
        return url
    auth, _, host = rest.partition("@")
    user = auth.split(":", 1)[0]
    return f"{head}://{user}:***@{host}" if ":" in auth else f"{head}://{user}@{host}"
