"""One definition of open, overdue, red, silent and awaiting, wherever the bot counts.

Twelve days into the office's month (reports, completions, acceptances and items sent
back), everything is computed at one moment: /stats, /overdue, /units, each unit's to-do,
the red list, the daily summary, the weekly digest, each unit's weekly part and the chart.
They must name the same problems and the same units.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from pathlib import Path

import pytest

from bot.services.duties import chart, digest, todo
from bot.services.duties.engine import Settings, Slot, World
from bot.services.duties.runner import DutyRunner
from bot.services.ledger import views
from bot.services.ledger.figures import stats
from storage import duty_state, figures, standing
from storage.figures import Counts
from storage.migrations import open_database
from tests.unit.duty_world import TZ, duty_config
from tests.unit.month_world import CAL, START, build, day_of_reports, review

CODE = re.compile(r"R7-\d\d-\d{3}")
DAY = START + timedelta(days=15)  # a Tuesday: 09-29


Said = tuple[list[tuple[int, int, list[tuple[str, str, int]]]], list[str], int]


@dataclass
class Views:
    stats: Counts
    by_unit: dict[str, Counts]
    units_text: str
    overdue_text: str
    todo_overdue: set[str]
    todo_silent_units: set[str]
    red_all: set[str]
    daily: str
    weekly: digest.Weekly
    weekly_text: str
    parts: dict[int, str]
    bars: list[chart.UnitBar]
    red_counted: set[str]
    morning: Said
    whole: Said
    awaiting_past_deadline: set[str]
    silent: dict[str, int]


def _said(world: World, s: Settings) -> Said:
    """What a morning says from this reading of the ledger: each to-do and the red list."""
    after = CAL.previous_workday(DAY)
    todos = [
        (t.unit_id, t.silent_days, [(i.problem.code, i.reason, i.days) for i in t.items])
        for t in todo.todos(world, DAY, after, s, CAL, first=True)
    ]
    red = todo.red_list(world.problems, DAY, after, s, CAL, first=True)
    return todos, [p.code for p in red.new], red.total


async def look(folder: Path) -> Views:
    config = duty_config(folder)
    db = await open_database(config.storage.target)
    runner = DutyRunner(config, db)
    month = await build(db, runner)
    for offset in range((DAY - START).days):
        day = START + timedelta(days=offset)
        if CAL.is_workday(day):
            await day_of_reports(month, day)
            if day.weekday() in (1, 3):
                await review(month, day)
    moment = datetime.combine(DAY, time(20, 0), tzinfo=TZ)
    world = await runner.world()
    s, by_unit = runner.settings, world.by_unit
    todos = todo.todos(world, DAY, CAL.previous_workday(DAY), s, CAL, first=True)
    slot = Slot("weekly", DAY, moment, "2026-W40")
    week = await runner.weekly_texts(slot, world, moment)
    found = Views(
        stats=(await stats(db, DAY)).overall,
        by_unit={c.label: c for c in await figures.counts_by(db, "unit", DAY)},
        units_text="\n".join((await views.units_listing(db, DAY)).items),
        overdue_text="\n".join((await views.overdue_listing(db, DAY)).items),
        todo_overdue={i.problem.code for t in todos for i in t.items if i.reason == "overdue"},
        todo_silent_units={t.unit_name for t in todos if t.silent_days},
        red_all={p.code for p in todo.red_list(world.problems, DAY, None, s, CAL, first=True).new},
        daily=await runner.daily_text(Slot("daily", DAY, moment), world, moment),
        weekly=digest.weekly(
            world, digest.ReportCounts(), DAY, None, digest.Sums(0, 0, 0), 0, "", s
        ),
        weekly_text=week.whole,
        parts=week.parts,
        bars=chart.bars_of(await figures.counts_by(db, "unit", DAY)),
        red_counted={p.code for p in await duty_state.red_problems(db, DAY, s.red_after)},
        morning=_said(await runner.world(working=True), s),
        whole=_said(world, s),
        awaiting_past_deadline={
            p.code
            for p in world.problems
            if p.status == "awaiting_acceptance" and p.deadline and p.deadline < DAY
        },
        silent={
            ps[0].unit_name: standing.silent_days(ps, standing.latest_report(ps), DAY, s.tz)
            for ps in by_unit.values()
        },
    )
    await db.close()
    return found


@pytest.fixture(scope="module")
def seen(tmp_path_factory: pytest.TempPathFactory) -> Views:
    return asyncio.run(look(tmp_path_factory.mktemp("one")))


def test_the_world_has_every_case(seen: Views) -> None:
    s = seen.stats
    assert min(s.closed, s.awaiting, s.in_progress, s.not_started, s.overdue) > 0
    assert seen.awaiting_past_deadline, "an item awaiting acceptance past its deadline"
    assert seen.red_all
    assert seen.todo_silent_units


def test_the_five_shares_add_up_and_agree(seen: Views) -> None:
    s, w = seen.stats, seen.weekly.tally
    assert s.total == s.closed + s.awaiting + s.in_progress + s.not_started + s.overdue
    assert (w.total, w.closed, w.awaiting, w.in_progress, w.not_started, w.overdue) == (
        s.total,
        s.closed,
        s.awaiting,
        s.in_progress,
        s.not_started,
        s.overdue,
    )
    line = (
        f"问题 {s.total} 项 = 已销号 {s.closed} + 待验收 {s.awaiting} + 整改中 {s.in_progress}"
        f" + 未启动 {s.not_started} + 逾期 {s.overdue}"
    )
    assert line in seen.weekly_text
    bars = {b.name: b for b in seen.bars}
    for name, c in seen.by_unit.items():
        b = bars[name]
        assert (b.closed, b.awaiting, b.in_progress, b.not_started, b.overdue) == (
            c.closed,
            c.awaiting,
            c.in_progress,
            c.not_started,
            c.overdue,
        ), name
        assert f"问题 {c.total} · 未完成 {c.total - c.closed} · 待验收 {c.awaiting}" in (
            seen.units_text
        )
        assert f"逾期 {c.overdue} · 整改率" in seen.units_text


def test_overdue_is_the_same_set_everywhere(seen: Views) -> None:
    overdue = set(CODE.findall(seen.overdue_text))
    assert len(overdue) == seen.stats.overdue
    assert seen.todo_overdue == overdue
    assert not overdue & seen.awaiting_past_deadline  # the office holds those, not the unit
    in_parts = {c for part in seen.parts.values() for c in CODE.findall(part)}
    grouped = {c for c in overdue if any(c in part for part in seen.parts.values())}
    assert in_parts == grouped  # a unit's part lists exactly its overdue items


def test_red_is_the_same_set_everywhere(seen: Views) -> None:
    red = seen.red_all
    overdue_days = {
        m.group(2): int(m.group(1))
        for m in re.finditer(r"逾期 (\d+) 天｜(R7-\d\d-\d{3})", seen.overdue_text)
    }
    assert red == {c for c, d in overdue_days.items() if d >= 10}
    assert {p.code for p in seen.weekly.red} == red
    assert f"红色预警 共 {len(red)} 项" in seen.daily
    assert f"【红色预警】共 {len(red)} 项" in seen.weekly_text
    assert not red & seen.awaiting_past_deadline


def test_silent_units_are_the_same_everywhere(seen: Views) -> None:
    named = {
        line[2:].split("：", 1)[0]
        for line in seen.daily.split("未报告整改进展的单位：", 1)[1].splitlines()
        if line.startswith("· ")
    }
    assert named == {u for u, d in seen.silent.items() if d >= 10}
    assert seen.todo_silent_units <= {u for u, d in seen.silent.items() if d >= 7}
    header = seen.daily.split("未报告整改进展的单位：", 1)[0].rsplit("\n", 1)[1]
    assert header == "10 天以上"  # the header says what the code tests: ≥ 10


def test_a_morning_reads_only_what_is_in_work_and_says_the_same(seen: Views) -> None:
    todos, red, total = seen.morning
    assert (todos, red, total) == seen.whole
    assert any(silent for _, silent, _ in todos)  # silence was in play
    assert red  # and red


def test_the_databases_red_is_the_red_list(seen: Views) -> None:
    assert seen.red_counted == seen.red_all


def test_the_databases_unit_shares_are_the_digests(seen: Views) -> None:
    """The chart and the full table count in SQL; the weekly message counts in Python."""
    bars = {b.name: b.counts for b in seen.bars}
    rows = {r.name: r.tally for r in seen.weekly.rows}
    assert bars.keys() == rows.keys()
    for name, t in rows.items():
        assert bars[name] == (t.closed, t.awaiting, t.in_progress, t.not_started, t.overdue)
