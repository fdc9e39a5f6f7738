"""What the duty engine reads: problems with their last report, who to tell, recent reports."""

from __future__ import annotations

from datetime import date, datetime

from storage.db import Tx
from storage.models import Record
from storage.reader import Reader
from storage.times import iso


class ProblemState(Record):
    id: int
    code: str
    unit_id: int
    unit_name: str
    description: str
    deadline: date | None
    kind: str
    status: str
    created_at: datetime
    closed_at: datetime | None
    last_report_at: datetime | None
    last_report_id: int | None


class ReportState(Record):
    id: int
    problem_id: int
    unit_id: int
    claim: str
    created_at: datetime
    recovered_wan_x100: int | None
    rules_count: int | None
    accountable_count: int | None


class WeekFigures(Record):
    period: str
    total: int
    closed: int
    awaiting: int


async def problems(db: Reader) -> list[ProblemState]:
    rows = await db.fetchall(
        "SELECT p.id, p.code, p.unit_id, u.name AS unit_name, p.description, p.deadline,"
        " p.kind, p.status, p.created_at, p.closed_at, last.at AS last_report_at,"
        " last.id AS last_report_id FROM problems p JOIN units u ON u.id = p.unit_id"
        " LEFT JOIN (SELECT problem_id, MAX(created_at) AS at, MAX(id) AS id FROM reports"
        "            WHERE withdrawn_at IS NULL GROUP BY problem_id) last"
        " ON last.problem_id = p.id ORDER BY p.id"
    )
    return [ProblemState.from_row(r) for r in rows]


async def reports_since(db: Reader, since: datetime) -> list[ReportState]:
    rows = await db.fetchall(
        "SELECT r.id, r.problem_id, p.unit_id, r.claim, r.created_at, r.recovered_wan_x100,"
        " r.rules_count, r.accountable_count FROM reports r JOIN problems p ON p.id = r.problem_id"
        " WHERE r.withdrawn_at IS NULL AND r.created_at >= ? ORDER BY r.id",
        (iso(since),),
    )
    return [ReportState.from_row(r) for r in rows]


async def contacts_by_unit(db: Reader) -> dict[int, list[int]]:
    """Each unit's contacts' Telegram ids (their private chats)."""
    rows = await db.fetchall(
        "SELECT r.unit_id, p.tg_user_id FROM roles r JOIN people p ON p.id = r.person_id"
        " JOIN chats c ON c.chat_id = p.tg_user_id AND c.active = 1"
        " WHERE r.role = 'contact' AND r.revoked_at IS NULL ORDER BY p.id"
    )
    found: dict[int, list[int]] = {}
    for row in rows:
        found.setdefault(int(row[0]), []).append(int(row[1]))
    return found


async def groups_by_purpose(db: Reader) -> list[tuple[str, int | None, int]]:
    """(purpose, unit id, chat id) of every active registered group."""
    rows = await db.fetchall(
        "SELECT purpose, unit_id, chat_id FROM chats WHERE purpose IS NOT NULL AND active = 1"
        " ORDER BY chat_id"
    )
    return [(str(r[0]), None if r[1] is None else int(r[1]), int(r[2])) for r in rows]


async def last_week(db: Reader, before: str) -> WeekFigures | None:
    row = await db.fetchone(
        "SELECT period, total, closed, awaiting FROM weekly_figures WHERE period < ?"
        " ORDER BY period DESC LIMIT 1",
        (before,),
    )
    return None if row is None else WeekFigures.from_row(row)


async def keep_week(tx: Tx, figures: WeekFigures, at: datetime) -> None:
    await tx.execute(
        "INSERT OR IGNORE INTO weekly_figures (period, total, closed, awaiting, created_at)"
        " VALUES (?, ?, ?, ?, ?)",
        (figures.period, figures.total, figures.closed, figures.awaiting, iso(at)),
    )


async def accepted_sums(db: Reader) -> tuple[int, int, int]:
    """挽回损失 (0.01 万元), 制度, 问责 over the reports the office accepted."""
    row = await db.fetchone(
        "SELECT COALESCE(SUM(r.recovered_wan_x100), 0), COALESCE(SUM(r.rules_count), 0),"
        " COALESCE(SUM(r.accountable_count), 0) FROM reports r"
        " WHERE r.withdrawn_at IS NULL AND r.id IN"
        " (SELECT report_id FROM reviews WHERE decision = 'approved' AND report_id IS NOT NULL)"
    )
    assert row is not None
    return int(row[0]), int(row[1]), int(row[2])
