"""What a repository reads through: the database's reader or an open transaction."""

from __future__ import annotations

from typing import Protocol

from storage.db import Params, Row


class Reader(Protocol):
    async def fetchone(self, sql: str, params: Params = ()) -> Row | None: ...

    async def fetchall(self, sql: str, params: Params = ()) -> list[Row]: ...
