"""Binding codes (stored hashed) and the record of wrong attempts."""

from __future__ import annotations

from datetime import datetime

from storage.db import Tx
from storage.models import BindCode, LinkCode, Role
from storage.reader import Reader
from storage.times import iso


async def create(
    tx: Tx,
    code_hash: str,
    role: Role,
    unit_id: int | None,
    created_by: int | None,
    at: datetime,
    expires_at: datetime,
) -> int:
    return await tx.insert(
        "INSERT INTO bind_codes (code_hash, role, unit_id, created_by, created_at, expires_at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (code_hash, role, unit_id, created_by, iso(at), iso(expires_at)),
    )


async def by_hash(db: Reader, code_hash: str) -> BindCode | None:
    row = await db.fetchone(
        "SELECT id, role, unit_id, expires_at, used_at, used_by, burned_at FROM bind_codes"
        " WHERE code_hash = ?",
        (code_hash,),
    )
    return None if row is None else BindCode.from_row(row)


async def mark_used(tx: Tx, code_id: int, person_id: int, at: datetime) -> bool:
    """Use a code once; False when someone used it first."""
    cur = await tx.execute(
        "UPDATE bind_codes SET used_at = ?, used_by = ? WHERE id = ? AND used_at IS NULL",
        (iso(at), person_id, code_id),
    )
    return cur.rowcount == 1


async def burn(tx: Tx, code_id: int, at: datetime) -> bool:
    """Void an unused code that was shown where others could read it."""
    cur = await tx.execute(
        "UPDATE bind_codes SET burned_at = ?"
        " WHERE id = ? AND used_at IS NULL AND burned_at IS NULL",
        (iso(at), code_id),
    )
    return cur.rowcount == 1


async def record_failure(tx: Tx, platform: str, user_id: int, at_ts: float) -> None:
    await tx.execute(
        "INSERT INTO bind_failures (platform, tg_user_id, at_ts) VALUES (?, ?, ?)",
        (platform, user_id, at_ts),
    )


async def failures_since(db: Reader, platform: str, user_id: int, since_ts: float) -> list[float]:
    rows = await db.fetchall(
        "SELECT at_ts FROM bind_failures WHERE platform = ? AND tg_user_id = ? AND at_ts >= ?"
        " ORDER BY at_ts",
        (platform, user_id, since_ts),
    )
    return [float(r[0]) for r in rows]


async def create_link(
    tx: Tx, code_hash: str, person_id: int, platform: str, at: datetime, expires_at: datetime
) -> int:
    return await tx.insert(
        "INSERT INTO link_codes (code_hash, person_id, platform, created_at, expires_at)"
        " VALUES (?, ?, ?, ?, ?)",
        (code_hash, person_id, platform, iso(at), iso(expires_at)),
    )


async def link_by_hash(db: Reader, code_hash: str) -> LinkCode | None:
    row = await db.fetchone(
        "SELECT id, person_id, platform, expires_at, used_at, used_on, burned_at FROM link_codes"
        " WHERE code_hash = ?",
        (code_hash,),
    )
    return None if row is None else LinkCode.from_row(row)


async def use_link(tx: Tx, code_id: int, used_on: str, at: datetime) -> bool:
    """Use a link code once; False when it was used first."""
    cur = await tx.execute(
        "UPDATE link_codes SET used_at = ?, used_on = ? WHERE id = ? AND used_at IS NULL",
        (iso(at), used_on, code_id),
    )
    return cur.rowcount == 1


async def burn_link(tx: Tx, code_id: int, at: datetime) -> bool:
    """Void an unused link code that was shown where others could read it."""
    cur = await tx.execute(
        "UPDATE link_codes SET burned_at = ?"
        " WHERE id = ? AND used_at IS NULL AND burned_at IS NULL",
        (iso(at), code_id),
    )
    return cur.rowcount == 1
