"""Counting problems by status, grouped by unit, category or round."""

from __future__ import annotations

from datetime import date
from typing import Literal

from storage.models import Record
from storage.reader import Reader
from storage.standing import SQL_SHARES, Tally

Dimension = Literal["unit", "category", "round"]

_GROUP = {
    "unit": ("u.name", "JOIN units u ON u.id = p.unit_id", "u.id"),
    "category": ("p.category", "", "p.category"),
    "round": ("r.name", "JOIN rounds r ON r.id = p.round_id", "r.id"),
}


class Counts(Record):
    key: str  # the unit's or round's id, or the category itself
    label: str
    total: int
    closed: int
    awaiting: int
    in_progress: int
    not_started: int
    overdue: int

    def tally(self) -> Tally:
        return Tally(
            self.total, self.closed, self.awaiting, self.in_progress, self.not_started, self.overdue
        )


async def counts_by(db: Reader, dimension: Dimension, today: date) -> list[Counts]:
    """One row per unit, category or round, in the five shares of `storage.standing`."""
    label, join, group = _GROUP[dimension]
    rows = await db.fetchall(
        f"SELECT CAST({group} AS TEXT) AS key, {label} AS label, {SQL_SHARES}"
        f" FROM problems p {join} GROUP BY {group} ORDER BY MIN(p.id)",
        {"today": today.isoformat()},
    )
    return [Counts.from_row(r) for r in rows]


async def unit_counts(db: Reader, unit_id: int, today: date) -> Counts | None:
    found = [c for c in await counts_by(db, "unit", today) if c.key == str(unit_id)]
    return found[0] if found else None


async def totals(db: Reader, today: date) -> Counts:
    row = await db.fetchone(
        f"SELECT '' AS key, '合计' AS label, {SQL_SHARES} FROM problems p",
        {"today": today.isoformat()},
    )
    assert row is not None
    return Counts.from_row(row)


class Cell(Record):
    """Counts of one (unit, category, round): the finest grain /stats adds up."""

    unit_id: int
    unit_name: str
    category: str
    round_id: int
    round_name: str
    first: int
    total: int
    closed: int
    awaiting: int
    in_progress: int
    not_started: int
    overdue: int


async def cube(db: Reader, today: date) -> list[Cell]:
    """Every (unit, category, round) with its counts, in one scan of the problems."""
    rows = await db.fetchall(
        "SELECT p.unit_id, u.name AS unit_name, p.category, p.round_id, r.name AS round_name,"
        f" MIN(p.id) AS first, {SQL_SHARES}"
        " FROM problems p JOIN units u ON u.id = p.unit_id JOIN rounds r ON r.id = p.round_id"
        " GROUP BY p.unit_id, u.id, p.category, p.round_id, r.id",
        {"today": today.isoformat()},
    )
    return [Cell.from_row(r) for r in rows]


class Results(Record):
    """挽回损失 (0.01 万元), 新建/完善制度, 问责 from the reports the office accepted."""

    label: str
    money_x100: int
    rules: int
    people: int


async def accepted_results(db: Reader, dimension: Dimension) -> list[Results]:
    """Per unit or round; the figures of a report count once the office accepted it."""
    label, join, group = _GROUP[dimension]
    rows = await db.fetchall(
        f"SELECT {label} AS label, COALESCE(SUM(rep.recovered_wan_x100), 0) AS money_x100,"
        " COALESCE(SUM(rep.rules_count), 0) AS rules,"
        " COALESCE(SUM(rep.accountable_count), 0) AS people"
        f" FROM reports rep JOIN problems p ON p.id = rep.problem_id {join}"
        " WHERE rep.withdrawn_at IS NULL AND rep.id IN"
        " (SELECT report_id FROM reviews WHERE decision = 'approved' AND report_id IS NOT NULL)"
        f" GROUP BY {group} ORDER BY MIN(p.id)"
    )
    return [Results.from_row(r) for r in rows]
