"""What the duty engine reads: problems with their last report, who to tell, recent reports."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from storage import standing
from storage.db import Database, Tx
from storage.models import Record
from storage.reader import Reader
from storage.times import iso


@dataclass(slots=True)
class ProblemState:
    """A problem as the duty clock reads it. Read-only by convention: a plain slotted
    dataclass, not a frozen one, because 50,000 are made at once and frozen doubles that."""

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
    transfer: str | None = None  # 移交纪检监察: to whom, when it was handed over


class WeekFigures(Record):
    period: str
    total: int
    closed: int
    awaiting: int


def _time(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)


_SELECT = (
    "SELECT p.id, p.code, p.unit_id, u.name, p.description, p.deadline, p.kind, p.status,"
    " p.created_at, p.closed_at, p.last_report_at, p.last_report_id, t.to_whom"
    " FROM problems p JOIN units u ON u.id = p.unit_id"
    " LEFT JOIN (SELECT problem_id, to_whom FROM transfers WHERE id IN"
    "            (SELECT MAX(id) FROM transfers GROUP BY problem_id)) t"
    " ON t.problem_id = p.id"
)
PROBLEMS_SQL = f"{_SELECT} ORDER BY p.id"
WORKING_SQL = f"{_SELECT} WHERE {standing.SQL_WORKING} ORDER BY p.id"
RED_SQL = f"{_SELECT} WHERE {standing.SQL_RED} ORDER BY p.id"


async def problems(db: Database, *, working: bool = False) -> list[ProblemState]:
    """Every problem — or, `working`, those the units work on — in one scan (the last report
    is kept on the problem's row), read and converted in a worker thread: 50,000 rows would
    hold the event loop for a third of a second."""
    return await db.scan(WORKING_SQL if working else PROBLEMS_SQL, _states)


async def latest_reports(db: Reader) -> dict[int, datetime]:
    """Each unit's latest report on any of its problems (UTC ISO strings order as times)."""
    rows = await db.fetchall(
        "SELECT unit_id, MAX(last_report_at) FROM problems WHERE last_report_at IS NOT NULL"
        " GROUP BY unit_id"
    )
    return {int(r[0]): datetime.fromisoformat(r[1]) for r in rows}


async def red_problems(db: Database, today: date, red_after: int) -> list[ProblemState]:
    """The problems red `today` (`storage.standing.SQL_RED`), without reading the others."""
    params = {"today": today.isoformat(), "red_by": standing.sql_red_by(today, red_after)}
    return await db.scan(RED_SQL, _states, params)


def _states(rows: list[tuple[Any, ...]]) -> list[ProblemState]:
    return [
        ProblemState(
            int(r[0]),
            str(r[1]),
            int(r[2]),
            str(r[3]),
            str(r[4]),
            None if r[5] is None else date.fromisoformat(r[5]),
            str(r[6]),
            str(r[7]),
            datetime.fromisoformat(r[8]),
            _time(r[9]),
            _time(r[10]),
            r[11],
            r[12],
        )
        for r in rows
    ]


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
        "INSERT INTO weekly_figures (period, total, closed, awaiting, created_at)"
        " VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
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


async def report_counts(db: Reader, start: datetime, end: datetime) -> tuple[dict[int, int], int]:
    """Reports per unit made in [start, end), and how many of them claimed completion."""
    rows = await db.fetchall(
        "SELECT p.unit_id, COUNT(*), SUM(CASE WHEN r.claim = 'completed' THEN 1 ELSE 0 END)"
        " FROM reports r"
        " JOIN problems p ON p.id = r.problem_id"
        " WHERE r.withdrawn_at IS NULL AND r.created_at >= ? AND r.created_at < ?"
        " GROUP BY p.unit_id",
        (iso(start), iso(end)),
    )
    return {int(r[0]): int(r[1]) for r in rows}, sum(int(r[2] or 0) for r in rows)


async def transfer_count(db: Reader) -> int:
    """Problems handed to the discipline commission (移交纪检监察), each counted once."""
    row = await db.fetchone("SELECT COUNT(DISTINCT problem_id) FROM transfers")
    return 0 if row is None else int(row[0])


async def run_done(db: Reader, key: str) -> bool:
    return await db.fetchone("SELECT 1 FROM duty_runs WHERE key = ?", (key,)) is not None


async def last_run_day(db: Reader, kind: str, before: date) -> date | None:
    """The latest day before `before` whose duty of this kind was done."""
    row = await db.fetchone(
        "SELECT MAX(day) FROM duty_runs WHERE kind = ? AND day < ?", (kind, before.isoformat())
    )
    return None if row is None or row[0] is None else date.fromisoformat(str(row[0]))


async def mark_run(tx: Tx, key: str, kind: str, day: date, at: datetime, messages: int) -> bool:
    """Record a duty as done; False when another tick did it first."""
    cur = await tx.execute(
        "INSERT INTO duty_runs (key, kind, day, done_at, messages)"
        " VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
        (key, kind, day.isoformat(), iso(at), messages),
    )
    return cur.rowcount == 1
