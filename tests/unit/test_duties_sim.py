"""Four weeks of the sample ledger, ticking every 15 minutes (2026-09-14 … 2026-10-11).

The window holds the 调休 workdays 2026-09-20 (a Sunday) and 2026-10-10 (a Saturday) and
the National Day holiday 2026-10-01 … 07.
"""

from __future__ import annotations

import asyncio
import json
import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from bot.services.duties.runner import DutyRunner
from bot.services.workdays import WorkCalendar
from storage import figures, ledger, outbox
from storage.db import Database
from storage.migrations import open_database
from tests.unit.duty_world import TZ, at, build, duty_config, moments, report

START = date(2026, 9, 14)
DAYS = 28
END = START + timedelta(days=DAYS - 1)
REPORTS = {  # (day offset, hour) → (code, claim)
    (1, 10): ("R6-01-002", "progress"),
    (2, 15): ("R6-02-010", "completed"),
    (4, 11): ("R6-03-015", "progress"),
    (8, 9): ("R6-05-029", "completed"),
    (16, 16): ("R6-06-036", "progress"),
}
CAL = WorkCalendar()


@dataclass(frozen=True)
class Sent:
    key: str  # the duty's key, without the chat
    chat_id: int
    kind: str
    text: str
    day: date


@dataclass
class Sim:
    sent: list[Sent]
    digest_vs_stats: list[tuple[str, str]]
    problems: dict[int, ledger.Problem]
    completed_at: dict[str, datetime]


async def _items(db: Database) -> list[outbox.OutboxItem]:
    return await outbox.all_items(db)


def _stats_line(c: figures.Counts) -> str:
    return (
        f"问题 {c.total} 项 = 已销号 {c.closed} + 待验收 {c.awaiting} + 整改中 {c.in_progress}"
        f" + 未启动 {c.not_started} + 逾期 {c.overdue}"
    )


async def simulate(folder: Path, *, restarts: bool) -> Sim:
    config = duty_config(folder)
    db = await open_database(config.storage.target)
    await build(db, folder, START)
    problems = {p.id: p for p in await ledger.all_problems(db)}
    runner = DutyRunner(config, db)
    rng = random.Random(7)
    checks: list[tuple[str, str]] = []
    due_reports = {at(START + timedelta(days=d), h): v for (d, h), v in REPORTS.items()}
    for moment in moments(at(START, 0), DAYS):
        if moment in due_reports:
            await report(db, *due_reports[moment], moment)  # type: ignore[arg-type]
        if restarts and rng.random() < 0.02:  # a new process: new connections and objects
            await db.close()
            db = await open_database(config.storage.target)
            runner = DutyRunner(config, db)
        added = await runner.tick(moment)
        if restarts and rng.random() < 0.05:
            assert await DutyRunner(config, db).tick(moment) == 0  # `zhenggai tick`, same moment
        if added and moment.astimezone(TZ).strftime("%H:%M") == "17:00":
            for item in await _items(db):
                if (
                    item.kind == "weekly"
                    and item.key.endswith("@-1000")
                    and item.key.count(":") == 1  # the text, not its chart or table
                    and abs(item.not_before_ts - moment.timestamp()) < 1
                ):
                    totals = await figures.totals(db, moment.astimezone(TZ).date())
                    checks.append((json.loads(item.payload)["text"], _stats_line(totals)))
    sent = [
        Sent(
            i.key.rsplit("@", 1)[0],
            i.chat_id,
            i.kind,
            json.loads(i.payload)["text"],
            datetime.fromtimestamp(i.not_before_ts, TZ).date(),
        )
        for i in await _items(db)
    ]
    await db.close()
    completed = {
        code: at(START + timedelta(days=d), h)
        for (d, h), (code, claim) in REPORTS.items()
        if claim == "completed"
    }
    return Sim(sent, checks, problems, completed)


@pytest.fixture(scope="module")
def sim(tmp_path_factory: pytest.TempPathFactory) -> Sim:
    return asyncio.run(simulate(tmp_path_factory.mktemp("sim"), restarts=False))


def _open_at(sim: Sim, p: ledger.Problem, day: date) -> bool:
    """Still the unit's to work on at 09:00 that day (not yet claimed completed)."""
    done = sim.completed_at.get(p.code)
    return done is None or at(day, 9) < done


def test_red_list_names_a_problem_on_its_tenth_overdue_day(sim: Sim) -> None:
    checked = 0
    for p in sim.problems.values():
        if p.kind == "ongoing" or p.deadline is None or not _open_at(sim, p, END):
            continue
        tenth = p.deadline + timedelta(days=10)
        if tenth > END:
            continue
        named = [s for s in sim.sent if s.kind == "red" and f"· {p.code}｜" in s.text]
        expected = max(START, tenth)
        if not CAL.is_workday(expected):
            expected = CAL.next_workdays(expected, 1)[0]
        assert {s.day for s in named} == {expected}, p.code  # once, on the day it turns red
        assert {s.chat_id for s in named} == {-1000, -2000}  # office and leaders
        checked += tenth >= START and CAL.is_workday(tenth)
    assert checked >= 3  # several land exactly on the tenth day, not just at the start
    red_days = [s.day for s in sim.sent if s.kind == "red" and s.chat_id == -2000]
    assert len(red_days) == len(set(red_days))  # one red list a day at most


def test_digest_figures_equal_stats(sim: Sim) -> None:
    assert len(sim.digest_vs_stats) == 4
    for text, stats_line in sim.digest_vs_stats:
        assert stats_line in text
    weekly_days = sorted({s.day for s in sim.sent if s.kind == "weekly"})
    # Fridays, except that 09-25 is 中秋节 and 10-02 is National Day: the last working
    # day before them in the same week (09-24, 09-30) takes the digest.
    assert weekly_days == [
        date(2026, 9, 18),
        date(2026, 9, 24),
        date(2026, 9, 30),
        date(2026, 10, 9),
    ]
    daily_days = {s.day for s in sim.sent if s.kind == "daily"}
    assert daily_days == {
        d for d in (START + timedelta(days=n) for n in range(DAYS)) if CAL.is_workday(d)
    }


def test_restarts_and_double_ticks_send_the_same_set(sim: Sim, tmp_path: Path) -> None:
    again = asyncio.run(simulate(tmp_path, restarts=True))
    assert sorted(map(_row, again.sent)) == sorted(map(_row, sim.sent))


def _row(s: Sent) -> tuple[str, int, str, str]:
    return (s.key, s.chat_id, s.kind, s.text)
