"""The audit log: who changed what, when, before → after."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from storage.db import Tx
from storage.models import AuditEntry
from storage.reader import Reader
from storage.times import iso


def _json(value: Any) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)


async def record(
    tx: Tx,
    *,
    at: datetime,
    actor_id: int | None,
    actor_label: str,
    action: str,
    entity: str,
    entity_id: int | None,
    before: Any = None,
    after: Any = None,
    detail: str | None = None,
) -> None:
    await tx.execute(
        "INSERT INTO audit_log (at, actor_id, actor_label, action, entity, entity_id,"
        " before, after, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            iso(at),
            actor_id,
            actor_label,
            action,
            entity,
            entity_id,
            _json(before),
            _json(after),
            detail,
        ),
    )


async def entries(db: Reader, action: str | None = None) -> list[AuditEntry]:
    sql = "SELECT * FROM audit_log"
    params: tuple[str, ...] = ()
    if action is not None:
        sql += " WHERE action = ?"
        params = (action,)
    rows = await db.fetchall(sql + " ORDER BY id", params)
    return [AuditEntry.from_row(r) for r in rows]


async def entries_page(db: Reader, after_id: int, limit: int) -> list[AuditEntry]:
    """The next `limit` entries by id after `after_id`: the whole log, a page at a time."""
    rows = await db.fetchall(
        "SELECT * FROM audit_log WHERE id > ? ORDER BY id LIMIT ?", (after_id, limit)
    )
    return [AuditEntry.from_row(r) for r in rows]
