"""Half-written reports, one per person, kept so a restart loses nothing."""

from __future__ import annotations

from datetime import datetime

from storage.db import Tx
from storage.models import Record
from storage.reader import Reader
from storage.times import iso


class DraftRow(Record):
    person_id: int
    chat_id: int
    problem_id: int | None
    step: str
    data: str


async def get(db: Reader, person_id: int) -> DraftRow | None:
    row = await db.fetchone(
        "SELECT person_id, chat_id, problem_id, step, data FROM report_drafts WHERE person_id = ?",
        (person_id,),
    )
    return None if row is None else DraftRow.from_row(row)


async def put(tx: Tx, draft: DraftRow, at: datetime) -> None:
    await tx.execute(
        "INSERT INTO report_drafts (person_id, chat_id, problem_id, step, data, updated_at)"
        " VALUES (:person_id, :chat_id, :problem_id, :step, :data, :at)"
        " ON CONFLICT (person_id) DO UPDATE SET chat_id = excluded.chat_id,"
        " problem_id = excluded.problem_id, step = excluded.step, data = excluded.data,"
        " updated_at = excluded.updated_at",
        {**draft.model_dump(), "at": iso(at)},
    )


async def delete(tx: Tx, person_id: int) -> bool:
    cur = await tx.execute("DELETE FROM report_drafts WHERE person_id = ?", (person_id,))
    return cur.rowcount > 0
