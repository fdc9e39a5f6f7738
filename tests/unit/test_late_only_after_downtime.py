"""“补发” (sent late) only for what the bot missed while it was down.

An office action can make a duty due at once — an extension approved at 16:00 that puts
the deadline tomorrow, an item sent back (退回) that is already overdue. Those are folded
into the next to-do, never sent labelled late. A morning the bot slept through is sent
late, once, and says so.
"""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta
from pathlib import Path

from bot.services.duties.runner import DutyRunner
from storage import ledger, outbox
from storage.migrations import open_database
from tests.unit.duty_world import TZ, build, duty_config

MONDAY = date(2026, 11, 23)


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=TZ)


async def _texts(db: object) -> list[tuple[str, str, float]]:
    items = await outbox.all_items(db)  # type: ignore[arg-type]
    return [(i.key, json.loads(i.payload)["text"], i.not_before_ts) for i in items]


async def test_office_actions_are_folded_into_the_next_todo_not_sent_late(
    tmp_path: Path,
) -> None:
    config = duty_config(tmp_path)
    db = await open_database(config.storage.target)
    await build(db, tmp_path, MONDAY)
    runner = DutyRunner(config, db)
    await runner.since(_at(MONDAY, 0))
    for minute in range(8 * 60, 24 * 60, 5):  # the bot runs all Monday, ticking
        moment = _at(MONDAY, 0) + timedelta(minutes=minute)
        if moment == _at(MONDAY, 16):
            async with db.transaction() as tx:
                extended = [p for p in await ledger.all_problems(tx) if p.status == "imported"]
                target = extended[0]
                tomorrow = MONDAY + timedelta(days=1)
                await ledger.record_deadline_change(
                    tx, target.id, target.deadline, tomorrow, "延期", None, moment
                )
                await tx.execute(
                    "UPDATE problems SET deadline = ? WHERE id = ?",
                    (tomorrow.isoformat(), target.id),
                )
                back = [
                    p for p in await ledger.all_problems(tx) if p.deadline and p.deadline < MONDAY
                ]
                sent_back = back[0]
                await ledger.set_status(tx, sent_back.id, "awaiting_acceptance", moment)
                await ledger.set_status(tx, sent_back.id, "in_progress", moment)  # 退回
        await runner.tick(moment)
    monday = await _texts(db)
    assert monday, "Monday's to-dos and summary went out"
    assert not [t for _, t, _ in monday if "补发" in t]
    after_16 = [k for k, _, ts in monday if ts >= _at(MONDAY, 16).timestamp()]
    assert all(k.startswith("daily:") for k in after_16)  # nothing else since the action
    await runner.tick(_at(MONDAY + timedelta(days=1), 9))
    tuesday = [
        t for k, t, _ in await _texts(db) if k.startswith(f"todo:{MONDAY + timedelta(days=1)}")
    ]
    assert any(f"· {target.code}｜今日到期" in t for t in tuesday)
    assert any(f"· {sent_back.code}｜已逾期" in t for t in tuesday)
    assert not [t for t in tuesday if "补发" in t]
    await db.close()


async def test_a_morning_slept_through_is_sent_once_and_says_it_is_late(tmp_path: Path) -> None:
    config = duty_config(tmp_path)
    db = await open_database(config.storage.target)
    await build(db, tmp_path, MONDAY)
    runner = DutyRunner(config, db)
    await runner.since(_at(MONDAY, 0))
    await runner.tick(_at(MONDAY, 8, 55))
    # Down from 08:55 to 11:20; back, it ticks every minute.
    for minute in range(0, 30):
        await runner.tick(_at(MONDAY, 11, 20) + timedelta(minutes=minute))
    todos = [(k, t) for k, t, _ in await _texts(db) if k.startswith("todo:")]
    assert todos
    assert all(t.startswith("（补发：原定 11月23日（周一）09:00") for _, t in todos)
    assert len({k for k, _ in todos}) == len(todos)  # each once
    await runner.tick(_at(MONDAY, 18))
    daily = [t for k, t, _ in await _texts(db) if k.startswith("daily:")]
    assert daily
    assert not [t for t in daily if "补发" in t]  # the summary went on time
    await db.close()
