"""Ledger imports waiting for their admin's confirmation."""

from __future__ import annotations

from datetime import datetime

from storage.db import Tx
from storage.models import Record
from storage.reader import Reader
from storage.times import iso


class PendingImport(Record):
    id: int
    round_name: str
    file_name: str
    rows: str
    created_by: int
    chat_id: int
    status: str


async def create(
    tx: Tx, round_name: str, file_name: str, rows: str, by: int, chat_id: int, at: datetime
) -> int:
    return await tx.insert(
        "INSERT INTO imports (round_name, file_name, rows, created_by, chat_id, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (round_name, file_name, rows, by, chat_id, iso(at)),
    )


async def get(db: Reader, import_id: int) -> PendingImport | None:
    row = await db.fetchone(
        "SELECT id, round_name, file_name, rows, created_by, chat_id, status FROM imports"
        " WHERE id = ?",
        (import_id,),
    )
    return None if row is None else PendingImport.from_row(row)


async def decide(tx: Tx, import_id: int, status: str, at: datetime) -> bool:
    """Close a pending import once; False when it was already decided."""
    cur = await tx.execute(
        "UPDATE imports SET status = ?, decided_at = ? WHERE id = ? AND status = 'pending'",
        (status, iso(at), import_id),
    )
    return cur.rowcount == 1
