"""Reviews: 验收 (通过 / 退回), decisions on extension requests, and 回头看."""

from __future__ import annotations

from datetime import date, datetime

from storage.db import Tx
from storage.extensions import ExtensionRequest
from storage.reader import Reader
from storage.times import iso


async def record(
    tx: Tx,
    *,
    problem_id: int,
    decision: str,
    reviewer: int,
    at: datetime,
    report_id: int | None = None,
    extension_id: int | None = None,
    reason: str | None = None,
) -> int:
    return await tx.insert(
        "INSERT INTO reviews (problem_id, report_id, extension_id, decision, reason, reviewer_id,"
        " created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (problem_id, report_id, extension_id, decision, reason, reviewer, iso(at)),
    )


async def pending_extensions(db: Reader) -> list[ExtensionRequest]:
    rows = await db.fetchall(
        "SELECT id, problem_id, person_id, requested_deadline, reason, status"
        " FROM extension_requests WHERE status = 'pending' ORDER BY created_at, id"
    )
    return [ExtensionRequest.from_row(r) for r in rows]


async def extension(db: Reader, extension_id: int) -> ExtensionRequest | None:
    row = await db.fetchone(
        "SELECT id, problem_id, person_id, requested_deadline, reason, status"
        " FROM extension_requests WHERE id = ?",
        (extension_id,),
    )
    return None if row is None else ExtensionRequest.from_row(row)


async def decide_extension(
    tx: Tx, extension_id: int, status: str, by: int, reason: str | None, at: datetime
) -> bool:
    cur = await tx.execute(
        "UPDATE extension_requests SET status = ?, decided_by = ?, decided_at = ?,"
        " decision_reason = ? WHERE id = ? AND status = 'pending'",
        (status, by, iso(at), reason, extension_id),
    )
    return cur.rowcount == 1


async def awaiting_problem_ids(db: Reader) -> list[int]:
    """Problems awaiting acceptance, the longest-waiting first (by their latest report)."""
    rows = await db.fetchall(
        "SELECT p.id FROM problems p LEFT JOIN (SELECT problem_id, MAX(created_at) AS at"
        " FROM reports WHERE withdrawn_at IS NULL GROUP BY problem_id) r ON r.problem_id = p.id"
        " WHERE p.status = 'awaiting_acceptance' ORDER BY r.at, p.id"
    )
    return [int(r[0]) for r in rows]


async def set_deadline(tx: Tx, problem_id: int, deadline: date, at: datetime) -> None:
    await tx.execute(
        "UPDATE problems SET deadline = ?, updated_at = ? WHERE id = ?",
        (deadline.isoformat(), iso(at), problem_id),
    )
