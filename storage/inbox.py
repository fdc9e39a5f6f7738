"""The durable inbox of raw updates."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from storage.db import Database, Tx
from storage.models import InboxItem
from storage.reader import Reader
from storage.times import iso

OFFSET_KEY = "inbox.next_offset"


async def store(tx: Tx, items: Sequence[tuple[int, str, str]], at: datetime) -> list[int]:
    """Insert (update_id, lane, payload) rows; return the ids that were new."""
    fresh: list[int] = []
    for update_id, lane, payload in items:
        cur = await tx.execute(
            "INSERT INTO inbox (update_id, lane, payload, received_at)"
            " VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
            (update_id, lane, payload, iso(at)),
        )
        if cur.rowcount == 1:
            fresh.append(update_id)
    return fresh


async def get(db: Reader, update_id: int) -> InboxItem | None:
    row = await db.fetchone(
        "SELECT update_id, lane, payload, status, attempts FROM inbox WHERE update_id = ?",
        (update_id,),
    )
    return None if row is None else InboxItem.from_row(row)


async def pending(db: Reader) -> list[InboxItem]:
    rows = await db.fetchall(
        "SELECT update_id, lane, payload, status, attempts FROM inbox"
        " WHERE status = 'new' ORDER BY update_id"
    )
    return [InboxItem.from_row(r) for r in rows]


_DONE = "UPDATE inbox SET status = 'done', finished_at = ? WHERE update_id = ? AND status = 'new'"


async def claim_done(tx: Tx, update_id: int, at: datetime) -> bool:
    """Mark an update done; False when it already was (its effect must not happen again)."""
    cur = await tx.execute(_DONE, (iso(at), update_id))
    return cur.rowcount == 1


async def mark_done(db: Database, update_id: int, at: datetime) -> bool:
    """`claim_done` for an update that had no effect: one statement, no transaction around
    it (most updates are questions; this keeps the write lock free for effects)."""
    return await db.write_one(_DONE, (iso(at), update_id)) == 1


async def park(tx: Tx, update_id: int, error: str, at: datetime) -> None:
    """Give up on an update that kept failing: it stays, marked failed, with the reason."""
    await tx.execute(
        "UPDATE inbox SET status = 'failed', error = ?, finished_at = ?, attempts = attempts + 1"
        " WHERE update_id = ? AND status = 'new'",
        (error, iso(at), update_id),
    )


async def record_attempt(tx: Tx, update_id: int, error: str) -> None:
    """An attempt failed; the update stays new and is tried again."""
    await tx.execute(
        "UPDATE inbox SET attempts = attempts + 1, error = ?"
        " WHERE update_id = ? AND status = 'new'",
        (error, update_id),
    )


async def counts(db: Reader) -> dict[str, int]:
    rows = await db.fetchall("SELECT status, COUNT(*) FROM inbox GROUP BY status")
    return {str(r[0]): int(r[1]) for r in rows}
