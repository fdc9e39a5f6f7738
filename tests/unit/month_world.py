"""A month as an office lives it: 16 units, 224 problems, 27 contacts, real habits.

Deadlines are bunched on a few days; each contact reports on a share of working days
between none and 70 %; the office reviews twice a week, approving most completions and
sending some back. Everything is seeded: the same month every run.
"""

from __future__ import annotations

import csv
import io
import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from bot.services.duties.runner import DutyRunner
from bot.services.ledger import session
from bot.services.ledger import template as t
from bot.services.ledger.importer import apply_import
from bot.services.reporting.status import after_report
from bot.services.workdays import WorkCalendar
from storage import chats, ledger, people, reports, units
from storage.db import Database
from storage.reports import NewReport
from tests.unit.duty_world import LEADERS, OFFICE, at

START = date(2026, 9, 14)  # holds the 调休 Sunday 09-20, National Day and the 10-10 Saturday
DAYS = 31
UNITS = 16
PER_UNIT = 14
BUNCHES = (-12, -3, 4, 9, 16, 24, 38)  # deadlines fall on a few days, relative to START
GROUPLESS = {3, 7, 11}  # units without a group: their contacts get the to-do directly
ROUND = "十四届县委第七轮巡察"
CAL = WorkCalendar()


def unit_name(index: int) -> str:
    return f"第{index:02d}单位"


def contact_id(unit: int, n: int) -> int:
    return 20_000 + unit * 10 + n


def group_id(unit: int) -> int:
    return -300_000 - unit


def ledger_csv(rng: random.Random) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(t.COLUMNS)
    for unit in range(1, UNITS + 1):
        for n in range(1, PER_UNIT + 1):
            ongoing = n == PER_UNIT
            limit = (
                "长期坚持" if ongoing else (START + timedelta(days=rng.choice(BUNCHES))).isoformat()
            )
            writer.writerow(
                [
                    f"R7-{unit:02d}-{n:03d}",
                    unit_name(unit),
                    "作风建设",
                    f"第{unit}单位第{n}个问题：会议纪要不规范，台账记录不完整",
                    "建立健全制度并落实",
                    "领导",
                    "责任人",
                    limit,
                    "长期坚持" if ongoing else "限期整改",
                ]
            )
    return out.getvalue().encode("utf-8-sig")


@dataclass
class Month:
    db: Database
    runner: DutyRunner
    rng: random.Random
    contacts: dict[int, list[int]] = field(default_factory=dict)  # unit → contacts' ids
    habits: dict[int, float] = field(default_factory=dict)  # contact → share of days


async def build(db: Database, runner: DutyRunner, seed: int = 10) -> Month:
    rng = random.Random(seed)
    checked = session.check_file(ledger_csv(rng), "ledger.csv")
    assert not checked.errors, checked.errors[:3]
    start = at(START, 0) - timedelta(days=20)
    month = Month(db, runner, rng)
    async with db.transaction() as tx:
        await apply_import(tx, checked.rows, ROUND, by=None, by_label="t", at=start)
        admin = await people.upsert(tx, 1, "王主任", None, start)
        await people.grant(tx, admin.id, "admin", None, start, None, None)
        for chat_id, purpose in ((OFFICE, "office"), (LEADERS, "leaders")):
            await chats.remember(tx, chat_id, "supergroup", purpose)
            await chats.register(tx, chat_id, purpose, None, admin.id, start)
        count = 0
        for unit in await units.all_units(tx):
            index = int(unit.name[1:3])
            many = 2 if index <= 11 else 1  # 27 contacts in all
            for n in range(many):
                tg = contact_id(index, n)
                person = await people.upsert(tx, tg, f"联络员{index}-{n}", None, start)
                await people.grant(tx, person.id, "contact", unit.id, start, None, None)
                await chats.remember(tx, tg, "private", "")
                month.contacts.setdefault(unit.id, []).append(tg)
                month.habits[tg] = rng.choice((0.0, 0.05, 0.15, 0.3, 0.5, 0.7))
                count += 1
            if index not in GROUPLESS:
                await chats.remember(tx, group_id(index), "supergroup", f"{unit.name}整改群")
                await chats.register(tx, group_id(index), "unit", unit.id, admin.id, start)
    assert count == 27
    return month


async def report(db: Database, tg: int, code: str, claim: str, moment: datetime) -> None:
    async with db.transaction() as tx:
        problem = (await ledger.by_code(tx, code))[0]
        person = await people.by_tg_id(tx, tg)
        assert person is not None
        new_status = after_report(problem.status, claim)  # type: ignore[arg-type]
        if new_status is None:
            return
        await reports.insert(
            tx,
            NewReport(
                problem_id=problem.id,
                person_id=person.id,
                claim=claim,  # type: ignore[arg-type]
                text="进展",
                recovered_wan_x100=None,
                rules_count=None,
                accountable_count=None,
                source_update_id=None,
                chat_id=tg,
                status_before=problem.status,
                status_after=new_status,
            ),
            "S-{id:05d}",
            moment,
        )
        await ledger.set_status(tx, problem.id, new_status, moment)


async def day_of_reports(month: Month, day: date) -> None:
    """Each contact, with their own habit, reports on one problem they still work on."""
    for unit_id, contacts in month.contacts.items():
        working = [
            p
            for p in await ledger.problems_of_unit(month.db, unit_id)
            if p.status in ("imported", "in_progress")
        ]
        for tg in contacts:
            if not working or month.rng.random() >= month.habits[tg]:
                continue
            problem = month.rng.choice(working)
            claim = "completed" if month.rng.random() < 0.3 else "progress"
            moment = at(day, month.rng.randint(9, 16), month.rng.randint(5, 55))
            await report(month.db, tg, problem.code, claim, moment)


async def review(month: Month, day: date) -> None:
    """The office's review: 3 in 4 completions accepted (销号), the rest sent back."""
    moment = at(day, 15, 7)
    async with month.db.transaction() as tx:
        for p in await ledger.all_problems(tx):
            if p.status == "awaiting_acceptance":
                accept = month.rng.random() < 0.75
                await ledger.set_status(tx, p.id, "closed" if accept else "in_progress", moment)
