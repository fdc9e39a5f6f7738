"""Notices (通知), whom they went to, and who acknowledged them (已阅)."""

from __future__ import annotations

from datetime import datetime

from storage.db import Tx
from storage.models import Record
from storage.people import signature_sql
from storage.reader import Reader
from storage.times import iso


class Notice(Record):
    id: int
    text: str
    file_id: str | None
    file_kind: str | None
    all_units: bool
    created_by: int
    status: str
    sent_at: datetime | None
    last_reminded_at: datetime | None


class Recipient(Record):
    person_id: int
    name: str
    tg_user_id: int | None  # None: not on Telegram
    unit_id: int
    unit_name: str
    acked_at: datetime | None


_COLUMNS = "id, text, file_id, file_kind, all_units, created_by, status, sent_at, last_reminded_at"


async def create(
    tx: Tx, text: str, file_id: str | None, file_kind: str | None, by: int, at: datetime
) -> int:
    return await tx.insert(
        "INSERT INTO notices (text, file_id, file_kind, all_units, created_by, created_at)"
        " VALUES (?, ?, ?, 1, ?, ?)",
        (text, file_id, file_kind, by, iso(at)),
    )


async def get(db: Reader, notice_id: int) -> Notice | None:
    row = await db.fetchone(f"SELECT {_COLUMNS} FROM notices WHERE id = ?", (notice_id,))
    return None if row is None else Notice.from_row(row)


async def latest_sent(db: Reader) -> Notice | None:
    row = await db.fetchone(
        f"SELECT {_COLUMNS} FROM notices WHERE status = 'sent' ORDER BY id DESC LIMIT 1"
    )
    return None if row is None else Notice.from_row(row)


async def sent_since(db: Reader, since: datetime) -> list[Notice]:
    rows = await db.fetchall(
        f"SELECT {_COLUMNS} FROM notices WHERE status = 'sent' AND sent_at >= ? ORDER BY id",
        (iso(since),),
    )
    return [Notice.from_row(r) for r in rows]


async def chosen_units(db: Reader, notice_id: int) -> set[int]:
    rows = await db.fetchall("SELECT unit_id FROM notice_units WHERE notice_id = ?", (notice_id,))
    return {int(r[0]) for r in rows}


async def set_all(tx: Tx, notice_id: int, all_units: bool) -> None:
    await tx.execute("UPDATE notices SET all_units = ? WHERE id = ?", (int(all_units), notice_id))


async def toggle_unit(tx: Tx, notice_id: int, unit_id: int) -> None:
    cur = await tx.execute(
        "DELETE FROM notice_units WHERE notice_id = ? AND unit_id = ?", (notice_id, unit_id)
    )
    if cur.rowcount == 0:
        await tx.execute(
            "INSERT INTO notice_units (notice_id, unit_id) VALUES (?, ?)", (notice_id, unit_id)
        )


async def mark(tx: Tx, notice_id: int, status: str, at: datetime) -> bool:
    cur = await tx.execute(
        "UPDATE notices SET status = ?, sent_at = ? WHERE id = ? AND status = 'draft'",
        (status, iso(at), notice_id),
    )
    return cur.rowcount == 1


async def add_recipient(tx: Tx, notice_id: int, person_id: int, unit_id: int) -> None:
    await tx.execute(
        "INSERT INTO notice_recipients (notice_id, person_id, unit_id) VALUES (?, ?, ?)"
        " ON CONFLICT DO NOTHING",
        (notice_id, person_id, unit_id),
    )


async def recipients(db: Reader, notice_id: int) -> list[Recipient]:
    rows = await db.fetchall(
        f"SELECT r.person_id, {signature_sql()} AS name, p.tg_user_id, r.unit_id,"
        " u.name AS unit_name, a.first_ack_at AS acked_at FROM notice_recipients r"
        " JOIN people p ON p.id = r.person_id JOIN units u ON u.id = r.unit_id"
        " LEFT JOIN notice_receipts a ON a.notice_id = r.notice_id AND a.person_id = r.person_id"
        " WHERE r.notice_id = ? ORDER BY u.id, p.id",
        (notice_id,),
    )
    return [Recipient.from_row(r) for r in rows]


async def ack_counts(db: Reader, notice_id: int) -> tuple[int, int]:
    """(acknowledged, total) of a notice's recipients, counted by the database: a notice to
    2,000 people is two numbers, not 2,000 rows."""
    row = await db.fetchone(
        "SELECT COUNT(a.person_id), COUNT(*) FROM notice_recipients r"
        " LEFT JOIN notice_receipts a ON a.notice_id = r.notice_id AND a.person_id = r.person_id"
        " WHERE r.notice_id = ?",
        (notice_id,),
    )
    return (0, 0) if row is None else (int(row[0]), int(row[1]))


async def acknowledge(tx: Tx, notice_id: int, person_id: int, at: datetime) -> bool:
    """Record the first press; False when this person had already acknowledged."""
    cur = await tx.execute(
        "INSERT INTO notice_receipts (notice_id, person_id, first_ack_at)"
        " VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
        (notice_id, person_id, iso(at)),
    )
    return cur.rowcount == 1


async def first_ack(db: Reader, notice_id: int, person_id: int) -> datetime | None:
    row = await db.fetchone(
        "SELECT first_ack_at FROM notice_receipts WHERE notice_id = ? AND person_id = ?",
        (notice_id, person_id),
    )
    return None if row is None else datetime.fromisoformat(str(row[0]))


async def claim_reminder(tx: Tx, notice_id: int, at: datetime, not_before: datetime) -> bool:
    """Take the right to remind now: at most once an hour per notice."""
    cur = await tx.execute(
        "UPDATE notices SET last_reminded_at = ? WHERE id = ?"
        " AND (last_reminded_at IS NULL OR last_reminded_at <= ?)",
        (iso(at), notice_id, iso(not_before)),
    )
    return cur.rowcount == 1
