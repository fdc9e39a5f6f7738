"""移交纪检监察: which problems were handed to the discipline commission, to whom, when."""

from __future__ import annotations

from datetime import datetime

from storage.db import Tx
from storage.reader import Reader
from storage.times import iso


async def latest(db: Reader, problem_id: int) -> tuple[str, datetime] | None:
    """To whom and when the problem was last handed over; None if it never was."""
    row = await db.fetchone(
        "SELECT to_whom, at FROM transfers WHERE problem_id = ? ORDER BY id DESC LIMIT 1",
        (problem_id,),
    )
    return None if row is None else (str(row[0]), datetime.fromisoformat(str(row[1])))


async def record(
    tx: Tx, problem_id: int, to_whom: str, note: str, by: int, by_label: str, at: datetime
) -> None:
    await tx.execute(
        "INSERT INTO transfers (problem_id, to_whom, note, by_person_id, by_label, at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (problem_id, to_whom, note, by, by_label, iso(at)),
    )
