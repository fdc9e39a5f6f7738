"""Chats the bot knows, and what each group is registered as."""

from __future__ import annotations

from datetime import datetime

from storage.db import Tx
from storage.models import Chat, ChatPurpose
from storage.reader import Reader
from storage.times import iso

_COLUMNS = "chat_id, type, title, purpose, unit_id, active"


async def remember(tx: Tx, chat_id: int, chat_type: str, title: str) -> None:
    """Record a chat we have seen; a chat that writes to us is reachable again."""
    await tx.execute(
        "INSERT INTO chats (chat_id, type, title) VALUES (?, ?, ?)"
        " ON CONFLICT (chat_id) DO UPDATE SET type = excluded.type, title = excluded.title",
        (chat_id, chat_type, title),
    )


async def get(db: Reader, chat_id: int) -> Chat | None:
    row = await db.fetchone(f"SELECT {_COLUMNS} FROM chats WHERE chat_id = ?", (chat_id,))
    return None if row is None else Chat.from_row(row)


async def with_purpose(db: Reader, purpose: ChatPurpose) -> list[Chat]:
    rows = await db.fetchall(
        f"SELECT {_COLUMNS} FROM chats WHERE purpose = ? ORDER BY chat_id", (purpose,)
    )
    return [Chat.from_row(r) for r in rows]


async def office(db: Reader) -> Chat | None:
    found = await with_purpose(db, "office")
    return found[0] if found else None


async def unit_groups(db: Reader, unit_id: int) -> list[Chat]:
    rows = await db.fetchall(
        f"SELECT {_COLUMNS} FROM chats WHERE purpose = 'unit' AND unit_id = ? ORDER BY chat_id",
        (unit_id,),
    )
    return [Chat.from_row(r) for r in rows]


async def clear_purpose(tx: Tx, purpose: ChatPurpose) -> None:
    await tx.execute(
        "UPDATE chats SET purpose = NULL, unit_id = NULL WHERE purpose = ?", (purpose,)
    )


async def register(
    tx: Tx, chat_id: int, purpose: ChatPurpose, unit_id: int | None, by: int, at: datetime
) -> None:
    await tx.execute(
        "UPDATE chats SET purpose = ?, unit_id = ?, registered_by = ?, registered_at = ?,"
        " active = 1, inactive_since = NULL, inactive_reason = NULL WHERE chat_id = ?",
        (purpose, unit_id, by, iso(at), chat_id),
    )


async def deactivate(tx: Tx, chat_id: int, reason: str, at: datetime) -> bool:
    """Mark a chat unreachable; True when it was active until now."""
    cur = await tx.execute(
        "UPDATE chats SET active = 0, inactive_since = ?, inactive_reason = ?"
        " WHERE chat_id = ? AND active = 1",
        (iso(at), reason, chat_id),
    )
    return cur.rowcount > 0


async def reactivate(tx: Tx, chat_id: int) -> None:
    await tx.execute(
        "UPDATE chats SET active = 1, inactive_since = NULL, inactive_reason = NULL"
        " WHERE chat_id = ? AND active = 0",
        (chat_id,),
    )
