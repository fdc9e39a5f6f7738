"""A ledger with people and groups for the duty tests, built deterministically."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.config import Config, parse_config
from bot.sample import ROUND, write_xlsx
from bot.services.ledger import session
from bot.services.ledger.importer import apply_import
from bot.services.reporting.status import Claim, after_report
from storage import chats, ledger, people, reports, units
from storage.db import Database
from storage.reports import NewReport
from tests import dbs

TZ = ZoneInfo("Asia/Shanghai")
OFFICE, LEADERS = -1000, -2000


def duty_config(folder: Path) -> Config:
    # Everything the bot writes (the database, the weekly charts and tables beside the
    # evidence folder) stays in the test's own folder.
    return parse_config(
        {
            "storage": dbs.storage(
                folder,
                "duties",
                evidence_dir=str(folder / "data" / "evidence"),
            )
        }
    )


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=TZ)


async def build(db: Database, folder: Path, today: date) -> None:
    """The sample ledger as of `today`, a contact and a group per unit, office and leaders."""
    checked = session.check_file(write_xlsx(folder / "s.xlsx", today).read_bytes(), "s.xlsx")
    assert not checked.errors
    start = at(today, 0)
    async with db.transaction() as tx:
        await apply_import(tx, checked.rows, ROUND, by=None, by_label="t", at=start)
        admin = await people.upsert(tx, 1, "王主任", None, start)
        for chat_id, purpose in ((OFFICE, "office"), (LEADERS, "leaders")):
            await chats.remember(tx, chat_id, "supergroup", purpose)
            await chats.register(tx, chat_id, purpose, None, admin.id, start)
        for unit in await units.all_units(tx):
            contact = 10_000 + unit.id
            person = await people.upsert(tx, contact, f"联络员{unit.id}", None, start)
            await people.grant(tx, person.id, "contact", unit.id, start, None, None)
            await chats.remember(tx, contact, "private", "")
            group = -100_000 - unit.id
            await chats.remember(tx, group, "supergroup", f"{unit.name}整改群")
            await chats.register(tx, group, "unit", unit.id, person.id, start)


async def report(db: Database, code: str, claim: Claim, moment: datetime) -> None:
    """A contact's report arriving at `moment`, moving the problem as the service does."""
    async with db.transaction() as tx:
        problem = (await ledger.by_code(tx, code))[0]
        person = await people.by_tg_id(tx, 10_000 + problem.unit_id)
        assert person is not None
        new_status = after_report(problem.status, claim)
        assert new_status is not None
        await reports.insert(
            tx,
            NewReport(
                problem_id=problem.id,
                person_id=person.id,
                claim=claim,
                text="进展",
                recovered_wan_x100=None,
                rules_count=None,
                accountable_count=None,
                source_update_id=None,
                chat_id=person.tg_user_id,
                status_before=problem.status,
                status_after=new_status,
            ),
            "S-{id:05d}",
            moment,
        )
        await ledger.set_status(tx, problem.id, new_status, moment)


def moments(start: datetime, days: int, step: timedelta = timedelta(minutes=15)) -> list[datetime]:
    count = int(timedelta(days=days) / step)
    return [start + step * n for n in range(count)]
