"""What units have reported: the latest report per problem, and every report of one problem."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from storage.models import Record
from storage.reader import Reader


class LatestReport(Record):
    problem_id: int
    created_at: datetime
    text: str


async def latest_per_problem(db: Reader) -> dict[int, LatestReport]:
    rows = await db.fetchall(
        "SELECT r.problem_id, r.created_at, r.text FROM reports r"
        " JOIN (SELECT problem_id, MAX(id) AS id FROM reports WHERE withdrawn_at IS NULL"
        "       GROUP BY problem_id) last ON last.id = r.id"
    )
    return {int(r["problem_id"]): LatestReport.from_row(r) for r in rows}


async def latest_of(db: Reader, problem_ids: Sequence[int]) -> dict[int, LatestReport]:
    """The latest report of each of these problems (at most a few hundred ids at a time)."""
    if not problem_ids:
        return {}
    marks = ", ".join("?" * len(problem_ids))
    rows = await db.fetchall(
        "SELECT r.problem_id, r.created_at, r.text FROM reports r WHERE r.id IN"
        " (SELECT MAX(id) FROM reports WHERE withdrawn_at IS NULL"
        f"  AND problem_id IN ({marks}) GROUP BY problem_id)",
        tuple(problem_ids),
    )
    return {int(r["problem_id"]): LatestReport.from_row(r) for r in rows}
