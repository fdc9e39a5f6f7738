"""Half-written reports, kept so a restart loses nothing: one open per person, others shelved."""

from __future__ import annotations

from datetime import datetime

from storage.db import Tx
from storage.models import Record
from storage.reader import Reader
from storage.times import iso

_COLUMNS = "person_id, chat_id, problem_id, step, data"


class DraftRow(Record):
    person_id: int
    chat_id: int
    problem_id: int
    step: str
    data: str


async def get(db: Reader, person_id: int) -> DraftRow | None:
    """The person's open draft."""
    row = await db.fetchone(
        f"SELECT {_COLUMNS} FROM report_drafts WHERE person_id = ? AND shelved = 0",
        (person_id,),
    )
    return None if row is None else DraftRow.from_row(row)


async def shelved(db: Reader, person_id: int) -> list[DraftRow]:
    """Drafts put aside while the person reported on something else, latest first."""
    rows = await db.fetchall(
        f"SELECT {_COLUMNS} FROM report_drafts WHERE person_id = ? AND shelved = 1"
        " ORDER BY updated_at DESC",
        (person_id,),
    )
    return [DraftRow.from_row(r) for r in rows]


async def put(tx: Tx, draft: DraftRow, at: datetime) -> None:
    """Write the open draft (a shelved draft of the same problem is taken up again)."""
    await tx.execute(
        "UPDATE report_drafts SET shelved = 1 WHERE person_id = ? AND shelved = 0"
        " AND problem_id != ?",
        (draft.person_id, draft.problem_id),
    )
    await tx.execute(
        "INSERT INTO report_drafts (person_id, chat_id, problem_id, step, data, shelved,"
        " updated_at) VALUES (:person_id, :chat_id, :problem_id, :step, :data, 0, :at)"
        " ON CONFLICT (person_id, problem_id) DO UPDATE SET chat_id = excluded.chat_id,"
        " step = excluded.step, data = excluded.data, shelved = 0,"
        " updated_at = excluded.updated_at",
        {**draft.model_dump(), "at": iso(at)},
    )


async def delete(tx: Tx, person_id: int) -> bool:
    """Drop the open draft; shelved ones stay until taken up or cancelled."""
    cur = await tx.execute(
        "DELETE FROM report_drafts WHERE person_id = ? AND shelved = 0", (person_id,)
    )
    return cur.rowcount > 0
