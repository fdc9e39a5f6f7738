"""The database a test runs on: a SQLite file, or a fresh PostgreSQL database.

`ZHENGGAI_TEST_PG=<admin URL>` runs the suite on PostgreSQL (`.ci/postgres start` makes a
throwaway server and prints the variable); unset, on SQLite. A test asks for its storage
here and never names the engine: `storage(tmp_path)` is a config's [storage] section,
`target(tmp_path)` what `open_database` takes.

On PostgreSQL every call makes a database of its own, copied from a template migrated once
per run (`CREATE DATABASE … TEMPLATE`: about 30 ms), and the database is dropped when the
test ends (tests/conftest.py). The admin work runs on a thread with its own event loop, so
sync fixtures and async tests alike may ask.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import shutil
import sqlite3
import threading
from collections.abc import Coroutine
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

import pytest

ADMIN_URL = os.environ.get("ZHENGGAI_TEST_PG", "")
ENGINE = "postgresql" if ADMIN_URL else "sqlite"

sqlite_only = pytest.mark.skipif(ENGINE != "sqlite", reason="SQLite's own file or locks")
postgresql_only = pytest.mark.skipif(ENGINE != "postgresql", reason="needs ZHENGGAI_TEST_PG")

T = TypeVar("T")


def url_of(name: str) -> str:
    """The admin URL pointed at another database of the same server."""
    parts = urlsplit(ADMIN_URL)
    return urlunsplit(parts._replace(path=f"/{name}"))


class _Server:
    """Makes and drops the run's databases, on a loop of its own."""

    def __init__(self) -> None:
        self._loop = asyncio.new_event_loop()
        threading.Thread(target=self._loop.run_forever, daemon=True).start()
        self._names = (f"zt_{os.getpid()}_{n}" for n in itertools.count(1))
        self._template: str | None = None
        self.named: dict[tuple[Path, str], str] = {}  # a file's stand-in, while the test runs
        self.made: list[str] = []  # dropped when the test ends
        self.kept: list[str] = []  # dropped when the run ends

    def run(self, work: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(work, self._loop).result()

    async def _admin(self, *statements: str) -> None:
        import asyncpg

        conn = await asyncpg.connect(ADMIN_URL)
        try:
            for statement in statements:
                await conn.execute(statement)
        finally:
            await conn.close()

    async def _migrated_template(self) -> str:
        if self._template is None:
            from storage.migrations import open_database

            name = next(self._names) + "_template"
            await self._admin(f"CREATE DATABASE {name} TEMPLATE template0")
            db = await open_database(url_of(name))
            await db.close()
            self._template = name
            self.kept.append(name)
        return self._template

    async def _create(self, source: str | None, keep: bool) -> str:
        name = next(self._names)
        origin = source or await self._migrated_template()
        await self._admin(f"CREATE DATABASE {name} TEMPLATE {origin}")
        (self.kept if keep else self.made).append(name)
        return url_of(name)

    def create(self, *, migrated: bool = True, keep: bool = False) -> str:
        return self.run(self._create(None if migrated else "template0", keep))

    def copy(self, url: str, *, keep: bool = False) -> str:
        """A new database holding what `url`'s holds (nobody may be connected to it)."""
        return self.run(self._create(urlsplit(url).path.lstrip("/"), keep))

    def drop(self, names: list[str]) -> None:
        if names:
            self.run(self._admin(*(f"DROP DATABASE IF EXISTS {n} WITH (FORCE)" for n in names)))
            names.clear()


_server: _Server | None = None


def _pg() -> _Server:
    global _server
    if _server is None:
        _server = _Server()
    return _server


def target(folder: Path, name: str = "z", *, migrated: bool = True, keep: bool = False) -> Any:
    """What open_database takes: a SQLite file in `folder`, or a new PostgreSQL database
    (migrated from the template unless `migrated=False`: then empty)."""
    if ENGINE == "sqlite":
        return folder / f"{name}.sqlite3"
    server = _pg()
    if keep:
        return server.create(migrated=migrated, keep=True)
    # The same folder and name are the same database, as they would be the same file.
    key = (folder, name)
    if key not in server.named:
        server.named[key] = server.create(migrated=migrated)
    return server.named[key]


def storage(
    folder: Path, name: str = "z", *, migrated: bool = True, **extra: Any
) -> dict[str, Any]:
    """A config's [storage] section on a database of the test's own. On PostgreSQL the send
    journal (a local SQLite file) is still put in `folder`."""
    if ENGINE == "sqlite":
        return {"path": str(folder / f"{name}.sqlite3"), **extra}
    url = target(folder, name, migrated=migrated)
    return {"url": url, "journal": str(folder / f"{name}.sends.sqlite3"), **extra}


def copy_of(source: Any, folder: Path, name: str = "z") -> Any:
    """A new database holding what `source` (a target from this module) holds."""
    if ENGINE == "sqlite":
        path = folder / f"{name}.sqlite3"
        shutil.copyfile(source, path)
        return path
    return _pg().copy(source)


def storage_of(found: Any, folder: Path, name: str = "z", **extra: Any) -> dict[str, Any]:
    """The [storage] section for a target made here (e.g. by copy_of)."""
    if ENGINE == "sqlite":
        return {"path": str(found), **extra}
    return {"url": found, "journal": str(folder / f"{name}.sends.sqlite3"), **extra}


def drop_made() -> None:
    """Drop the databases this test made (its connections are cut, if any are left)."""
    if _server is not None:
        _server.named.clear()
        _server.drop(_server.made)


def drop_kept() -> None:
    if _server is not None:
        _server.drop(_server.kept)


def storage_toml(section: dict[str, Any]) -> str:
    """A [storage] section (from `storage`) as the TOML a config file holds."""
    lines = "".join(
        f'{key} = "{Path(value).as_posix() if key != "url" else value}"\n'
        for key, value in section.items()
    )
    return f"[storage]\n{lines}"


def rows(found: Any, sql: str) -> list[tuple[Any, ...]]:
    """Read a database another process writes, from sync code (a polling predicate)."""
    if ENGINE == "sqlite":
        with sqlite3.connect(found, timeout=5) as conn:
            return [tuple(r) for r in conn.execute(sql).fetchall()]
    return _pg().run(_pg_rows(found, sql))


async def _pg_rows(url: str, sql: str) -> list[tuple[Any, ...]]:
    import asyncpg

    conn = await asyncpg.connect(url)
    try:
        return [tuple(r) for r in await conn.fetch(sql)]
    finally:
        await conn.close()


def scalar(found: Any, sql: str) -> Any:
    got = rows(found, sql)
    return got[0][0] if got else None
