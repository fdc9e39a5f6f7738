"""A month of the office's life through the duty clock: how many messages each chat gets.

The rules against formalism make volume part of correctness: per working day a unit group
gets at most one scheduled message (its to-do), a contact at most one (and none when the
unit has a group), the office group the red list and the daily summary, the leaders group
the red list — plus the weekly digest on its day. And nothing a per-problem reminder said
is lost: every problem the old engine would have reminded on a day is in that day's to-do.
"""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest

from bot.services.duties.runner import DutyRunner
from storage import ledger, outbox
from storage.ledger import Problem
from storage.migrations import open_database
from tests.unit.duty_world import LEADERS, OFFICE, TZ, at, duty_config
from tests.unit.month_world import (
    CAL,
    DAYS,
    GROUPLESS,
    START,
    build,
    contact_id,
    day_of_reports,
    group_id,
    review,
)

TICKS = (time(8, 45), time(9, 0), time(9, 15), time(12, 0), time(17, 0), time(17, 15), time(18, 0))
REMIND_BEFORE = (7, 3, 1, 0)


@dataclass(frozen=True)
class Sent:
    chat_id: int
    kind: str
    text: str
    day: date
    image: bool  # the weekly digest's chart goes with it as photos


@dataclass
class Life:
    sent: list[Sent]
    mornings: dict[date, list[Problem]]  # the ledger as it stood at 09:00 of each working day
    units: dict[int, str]


async def live(folder: Path) -> Life:
    config = duty_config(folder)
    db = await open_database(config.storage.target)
    runner = DutyRunner(config, db)
    await runner.since(at(START, 0))  # the bot has run since the month began
    month = await build(db, runner)
    mornings: dict[date, list[Problem]] = {}
    for offset in range(DAYS):
        day = START + timedelta(days=offset)
        for moment in TICKS:
            when = datetime.combine(day, moment, tzinfo=TZ)
            if moment == time(9, 0) and CAL.is_workday(day):
                mornings[day] = await ledger.all_problems(db)
            await runner.tick(when)
            if moment == time(9, 15) and CAL.is_workday(day):
                await day_of_reports(month, day)
                if day.weekday() in (1, 3):  # Tuesdays and Thursdays
                    await review(month, day)
    sent = [
        Sent(
            i.chat_id,
            i.kind,
            json.loads(i.payload)["text"],
            datetime.fromtimestamp(i.not_before_ts, TZ).date(),
            json.loads(i.payload).get("attachment") is not None,
        )
        for i in await outbox.all_items(db)
    ]
    names = {p.unit_id: p.unit_name for p in await ledger.all_problems(db)}
    await db.close()
    return Life(sent, mornings, names)


@pytest.fixture(scope="module")
def life(tmp_path_factory: pytest.TempPathFactory) -> Life:
    return asyncio.run(live(tmp_path_factory.mktemp("month")))


def _per_day(life: Life, chat_id: int) -> Counter[tuple[date, str]]:
    """Messages a chat got per day and kind; the chart and table go with the weekly text."""
    return Counter((s.day, s.kind) for s in life.sent if s.chat_id == chat_id and not s.image)


def test_a_month_makes_enough_to_judge(life: Life) -> None:
    kinds = Counter(s.kind for s in life.sent)
    assert kinds["todo"] > 150
    assert kinds["red"] >= 3
    assert kinds["weekly"] >= 4 * 2
    assert len(life.mornings) >= 18


def test_each_chat_gets_at_most_its_share_a_day(life: Life) -> None:
    weekly_days = {s.day for s in life.sent if s.kind == "weekly"}
    for unit in range(1, 17):
        if unit not in GROUPLESS:
            per_day = _per_day(life, group_id(unit))
            assert all(n == 1 for n in per_day.values()), (unit, per_day)
            assert {k for _, k in per_day} <= {"todo", "weekly"}
        for n in range(2):
            per_day = _per_day(life, contact_id(unit, n))
            if unit not in GROUPLESS:
                assert not per_day, "a contact whose unit has a group gets it there, once"
            else:
                assert all(k == "todo" and c == 1 for (_, k), c in per_day.items())
    office = _per_day(life, OFFICE)
    leaders = _per_day(life, LEADERS)
    for (day, kind), count in office.items():
        assert count == 1, (day, kind)
        assert kind in ("red", "daily", "weekly"), (day, kind)
    for (day, kind), count in leaders.items():
        assert count == 1, (day, kind)
        assert kind in ("red", "weekly"), (day, kind)
    images = {(s.day, s.chat_id) for s in life.sent if s.image}
    assert images == {(d, c) for d in weekly_days for c in (OFFICE, LEADERS)}
    for day in life.mornings:
        scheduled = [s for s in life.sent if s.day == day and s.chat_id == OFFICE and not s.image]
        assert len(scheduled) <= 2 + (day in weekly_days)
    busiest = Counter(s.day for s in life.sent if s.kind == "todo").most_common(1)[0][1]
    # One to-do per unit chat (13 groups, 6 contacts of the 3 units without one), however
    # many deadlines fall that day.
    assert busiest <= 13 + 2 * len(GROUPLESS)


def _old_reminders(day: date, problems: list[Problem]) -> set[str]:
    """What the per-problem engine reminded on `day`: reminder steps, due today, overdue."""
    found = set()
    for p in problems:
        if p.status not in ("imported", "in_progress") or p.kind == "ongoing" or not p.deadline:
            continue
        if day > p.deadline:
            found.add(p.code)
            continue
        anchor = CAL.on_or_before(p.deadline)
        if any(CAL.workdays_before(anchor, n) == day for n in REMIND_BEFORE):
            found.add(p.code)
    return found


def test_every_reminder_of_the_old_engine_is_in_that_days_todo(life: Life) -> None:
    checked = 0
    for day, problems in life.mornings.items():
        todos = [s.text for s in life.sent if s.kind == "todo" and s.day == day]
        expected = _old_reminders(day, problems)
        for code in expected:
            unit = int(code[3:5])
            chat = group_id(unit) if unit not in GROUPLESS else contact_id(unit, 0)
            texts = [
                s.text for s in life.sent if s.kind == "todo" and s.day == day and s.chat_id == chat
            ]
            assert len(texts) == 1, (day, code)
            assert code in texts[0], (day, code)
            checked += 1
        assert len(todos) >= len({c[3:5] for c in expected})
    assert checked > 500


def test_a_silent_unit_is_chased_in_its_todo_and_named_in_the_summary(life: Life) -> None:
    chased = [s for s in life.sent if s.kind == "todo" and "天未报告整改进展" in s.text]
    assert chased
    named = [s for s in life.sent if s.kind == "daily" and "：已 " in s.text]
    assert named
    for s in life.sent:
        if s.kind != "daily":
            continue
        section = s.text.split("未报告整改进展的单位：", 1)[1]
        # No unit that reported today is named silent.
        reported = s.text.split("今日报告", 1)[1].split("今日申请验收", 1)[0]
        for line in section.splitlines():
            if line.startswith("· "):
                unit = line[2:].split("：", 1)[0]
                assert f"· {unit} " not in reported, (s.day, unit)


def test_nothing_on_holidays(life: Life) -> None:
    holiday = {date(2026, 10, d) for d in range(1, 8)}
    assert not [s for s in life.sent if s.day in holiday]
    assert any(s.kind == "todo" and s.day == date(2026, 10, 10) for s in life.sent)
