"""Extension requests (延期申请), waiting for the office's review."""

from __future__ import annotations

from datetime import date, datetime

from storage.db import Tx
from storage.models import Record
from storage.reader import Reader
from storage.times import iso


class ExtensionRequest(Record):
    id: int
    problem_id: int
    person_id: int
    requested_deadline: date
    reason: str
    status: str


async def create(
    tx: Tx, problem_id: int, person_id: int, deadline: date, reason: str, at: datetime
) -> int:
    return await tx.insert(
        "INSERT INTO extension_requests (problem_id, person_id, requested_deadline, reason,"
        " created_at) VALUES (?, ?, ?, ?, ?)",
        (problem_id, person_id, deadline.isoformat(), reason, iso(at)),
    )


async def pending_for(db: Reader, problem_id: int) -> ExtensionRequest | None:
    row = await db.fetchone(
        "SELECT id, problem_id, person_id, requested_deadline, reason, status"
        " FROM extension_requests WHERE problem_id = ? AND status = 'pending'",
        (problem_id,),
    )
    return None if row is None else ExtensionRequest.from_row(row)
