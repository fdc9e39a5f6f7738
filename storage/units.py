"""Units (被巡察单位)."""

from __future__ import annotations

from datetime import datetime

from storage.db import Tx
from storage.models import Unit
from storage.reader import Reader
from storage.times import iso


async def create(tx: Tx, name: str, at: datetime) -> Unit:
    unit_id = await tx.insert("INSERT INTO units (name, created_at) VALUES (?, ?)", (name, iso(at)))
    return Unit(id=unit_id, name=name)


async def get(db: Reader, unit_id: int) -> Unit | None:
    row = await db.fetchone("SELECT id, name FROM units WHERE id = ?", (unit_id,))
    return None if row is None else Unit.from_row(row)


async def by_name(db: Reader, name: str) -> Unit | None:
    row = await db.fetchone("SELECT id, name FROM units WHERE name = ?", (name,))
    return None if row is None else Unit.from_row(row)


async def matching(db: Reader, fragment: str, limit: int = 10) -> list[Unit]:
    """Units whose name contains the fragment (for a forgiving lookup)."""
    escaped = fragment.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    rows = await db.fetchall(
        "SELECT id, name FROM units WHERE name LIKE ? ESCAPE '\\' ORDER BY name LIMIT ?",
        (f"%{escaped}%", limit),
    )
    return [Unit.from_row(r) for r in rows]


async def all_units(db: Reader) -> list[Unit]:
    return [Unit.from_row(r) for r in await db.fetchall("SELECT id, name FROM units ORDER BY id")]
