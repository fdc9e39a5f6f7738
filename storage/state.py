"""Small named values the bot keeps between runs (the update offset, …)."""

from __future__ import annotations

from storage.db import Tx
from storage.reader import Reader


async def get(db: Reader, key: str) -> str | None:
    row = await db.fetchone("SELECT value FROM bot_state WHERE key = ?", (key,))
    return None if row is None else str(row[0])


async def put(tx: Tx, key: str, value: str) -> None:
    await tx.execute(
        "INSERT INTO bot_state (key, value) VALUES (?, ?)"
        " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (key, value),
    )


async def delete(tx: Tx, key: str) -> bool:
    cur = await tx.execute("DELETE FROM bot_state WHERE key = ?", (key,))
    return cur.rowcount > 0


async def with_prefix(db: Reader, prefix: str) -> dict[str, str]:
    """Every value whose key starts with `prefix` (e.g. all `commands:` digests)."""
    rows = await db.fetchall(
        "SELECT key, value FROM bot_state WHERE substr(key, 1, ?) = ?", (len(prefix), prefix)
    )
    return {str(r[0]): str(r[1]) for r in rows}
