"""What a repository reads through: the database's reader or an open transaction."""

from __future__ import annotations

from typing import Protocol

import aiosqlite

from storage.db import Params


class Reader(Protocol):
    async def fetchone(self, sql: str, params: Params = ()) -> aiosqlite.Row | None: ...

    async def fetchall(self, sql: str, params: Params = ()) -> list[aiosqlite.Row]: ...
