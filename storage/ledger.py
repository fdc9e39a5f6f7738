"""Rounds and problems."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel

from storage.db import Tx
from storage.models import Record
from storage.reader import Reader
from storage.times import iso


class Round(Record):
    id: int
    name: str


class Problem(Record):
    id: int
    round_id: int
    round_name: str
    code: str
    unit_id: int
    unit_name: str
    category: str
    description: str
    measures: str
    leader_name: str
    owner_name: str
    deadline: date | None
    kind: str
    status: str
    closed_at: datetime | None


class ProblemFields(BaseModel):
    """The template's text fields: what an import may set or change."""

    unit_id: int
    category: str
    description: str
    measures: str
    leader_name: str
    owner_name: str
    deadline: date | None
    kind: str


_PROBLEM = (
    "SELECT p.id, p.round_id, r.name AS round_name, p.code, p.unit_id, u.name AS unit_name,"
    " p.category, p.description, p.measures, p.leader_name, p.owner_name, p.deadline, p.kind,"
    " p.status, p.closed_at FROM problems p JOIN rounds r ON r.id = p.round_id"
    " JOIN units u ON u.id = p.unit_id"
)


async def round_by_name(db: Reader, name: str) -> Round | None:
    row = await db.fetchone("SELECT id, name FROM rounds WHERE name = ?", (name,))
    return None if row is None else Round.from_row(row)


async def latest_round(db: Reader) -> Round | None:
    row = await db.fetchone("SELECT id, name FROM rounds ORDER BY id DESC LIMIT 1")
    return None if row is None else Round.from_row(row)


async def create_round(tx: Tx, name: str, at: datetime) -> Round:
    round_id = await tx.insert(
        "INSERT INTO rounds (name, created_at) VALUES (?, ?)", (name, iso(at))
    )
    return Round(id=round_id, name=name)


async def problems_of_round(db: Reader, round_id: int) -> list[Problem]:
    rows = await db.fetchall(_PROBLEM + " WHERE p.round_id = ? ORDER BY p.id", (round_id,))
    return [Problem.from_row(r) for r in rows]


async def problems_of_unit(db: Reader, unit_id: int, *, open_only: bool = False) -> list[Problem]:
    sql = _PROBLEM + " WHERE p.unit_id = ?"
    if open_only:
        sql += " AND p.status != 'closed'"
    rows = await db.fetchall(sql + " ORDER BY p.deadline IS NULL, p.deadline, p.code", (unit_id,))
    return [Problem.from_row(r) for r in rows]


async def by_code(db: Reader, code: str) -> list[Problem]:
    """Problems with this code (one per round at most), newest round first."""
    rows = await db.fetchall(_PROBLEM + " WHERE p.code = ? ORDER BY p.round_id DESC", (code,))
    return [Problem.from_row(r) for r in rows]


async def get(db: Reader, problem_id: int) -> Problem | None:
    row = await db.fetchone(_PROBLEM + " WHERE p.id = ?", (problem_id,))
    return None if row is None else Problem.from_row(row)


async def all_problems(db: Reader) -> list[Problem]:
    rows = await db.fetchall(_PROBLEM + " ORDER BY r.id, p.id")
    return [Problem.from_row(r) for r in rows]


async def rounds(db: Reader) -> list[Round]:
    rows = await db.fetchall("SELECT id, name FROM rounds ORDER BY id")
    return [Round.from_row(r) for r in rows]


async def problems_page(db: Reader, round_id: int, after_id: int, limit: int) -> list[Problem]:
    """The round's next `limit` problems by id after `after_id`.

    Paging by key keeps each read small and as fast as the first however long the ledger
    is (the unary + makes SQLite walk the ids, not sort the round's every problem per page):
    an export reads 50,000 problems without holding them all at once.
    """
    rows = await db.fetchall(
        _PROBLEM + " WHERE +p.round_id = ? AND p.id > ? ORDER BY p.id LIMIT ?",
        (round_id, after_id, limit),
    )
    return [Problem.from_row(r) for r in rows]


async def insert(tx: Tx, round_id: int, code: str, fields: ProblemFields, at: datetime) -> int:
    return await tx.insert(
        "INSERT INTO problems (round_id, code, unit_id, category, description, measures,"
        " leader_name, owner_name, deadline, kind, status, created_at, updated_at)"
        " VALUES (:round_id, :code, :unit_id, :category, :description, :measures,"
        " :leader_name, :owner_name, :deadline, :kind, 'imported', :at, :at)",
        {"round_id": round_id, "code": code, "at": iso(at), **_params(fields)},
    )


async def update_fields(tx: Tx, problem_id: int, fields: ProblemFields, at: datetime) -> None:
    """Change the template fields only: status and history are not the file's to touch."""
    await tx.execute(
        "UPDATE problems SET unit_id = :unit_id, category = :category,"
        " description = :description, measures = :measures, leader_name = :leader_name,"
        " owner_name = :owner_name, deadline = :deadline, kind = :kind, updated_at = :at"
        " WHERE id = :id",
        {"id": problem_id, "at": iso(at), **_params(fields)},
    )


async def record_deadline_change(
    tx: Tx,
    problem_id: int,
    old: date | None,
    new: date | None,
    reason: str,
    by: int | None,
    at: datetime,
    extension_id: int | None = None,
) -> None:
    await tx.execute(
        "INSERT INTO deadline_changes (problem_id, old_deadline, new_deadline, reason,"
        " changed_by, changed_at, extension_id) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (
            problem_id,
            old.isoformat() if old else None,
            new.isoformat() if new else None,
            reason,
            by,
            iso(at),
            extension_id,
        ),
    )


def _params(fields: ProblemFields) -> dict[str, object]:
    data = fields.model_dump()
    data["deadline"] = fields.deadline.isoformat() if fields.deadline else None
    return data


async def set_status(tx: Tx, problem_id: int, status: str, at: datetime) -> None:
    await tx.execute(
        "UPDATE problems SET status = ?, updated_at = ?,"
        " closed_at = CASE WHEN ? = 'closed' THEN ? ELSE NULL END WHERE id = ?",
        (status, iso(at), status, iso(at), problem_id),
    )


async def open_of_unit_by_code(db: Reader, unit_id: int) -> dict[str, Problem]:
    """The unit's open problems by code (newest round wins a shared code)."""
    found: dict[str, Problem] = {}
    for problem in await problems_of_unit(db, unit_id, open_only=True):
        current = found.get(problem.code)
        if current is None or problem.round_id > current.round_id:
            found[problem.code] = problem
    return found
