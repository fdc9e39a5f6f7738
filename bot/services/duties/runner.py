"""Running the duty clock once: find the slots due, build their messages, queue them.

The JobQueue calls `tick` every minute; `zhenggai tick --at` calls it for any moment.
A tick with nothing due reads a few rows and returns. A due slot reads the ledger once,
builds its messages off the event loop (users' replies go on meanwhile), and queues them
in one short transaction together with the slot's `duty_runs` row: the slot is done once,
even when two ticks race.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import math
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta
from pathlib import Path
from time import monotonic as time_now

from bot.config import AUDIENCES, Config
from bot.messages import Attachment, OutMessage, shorten
from bot.services import notify
from bot.services.duties import chart, digest, engine, table, todo
from bot.services.duties.engine import Settings, Slot, World
from bot.services.duties.render import late_note, red_message, todo_message
from bot.services.ledger.figures import pct
from bot.services.notify import Planned
from bot.services.quiet import after_quiet
from bot.services.reach import Reach, robots_on
from bot.services.workdays import WorkCalendar
from bot.texts import duties as dt
from bot.texts import office as ot
from storage import duty_state, figures, ledger, notices, outbox, standing, state
from storage.db import Database
from storage.duty_state import ProblemState, WeekFigures

log = logging.getLogger(__name__)

SINCE_KEY = "duties.since"
# A tick starts another step only within this many seconds of its start: no tick holds
# the clock for long, whatever the ledger's size (a step at 50,000 problems takes ≤ 0.7 s).
STEP_BUDGET = 0.25
NEEDS_LEDGER = frozenset({"morning", "daily", "weekly"})  # chart and table count in SQL


@contextmanager
def collector_held() -> Iterator[None]:
    """Hold Python's cyclic garbage collector during a step: reading 50,000 problems and
    building a thousand messages makes objects fast enough to set off full collections,
    a fifth of the step's time (measured: 0.06–0.2 s of 0.6–0.9 s), for garbage that has
    no cycles. Reference counting frees it as usual; collection resumes after the step."""
    if not gc.isenabled():  # someone holds it already: leave it to them
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _serves(world: World, slot: Slot) -> bool:
    """A morning reads only the problems in work; the digests count the whole ledger."""
    return world.whole or slot.kind == "morning"


@dataclass(frozen=True)
class WeekTexts:
    whole: str  # the office's and leaders' digest
    parts: dict[int, str]  # unit id → its group's part
    figures: WeekFigures
    cut: bool  # the message shows only the worst: the full table goes along
    rows: list[digest.UnitRow]
    red: list[ProblemState]


class DutyRunner:
    def __init__(self, config: Config, db: Database) -> None:
        self.config = config
        self.db = db
        self.owed = False  # the last tick left a due step for the next one
        self.robots = robots_on(config.channels)  # (vendor, audience) group robots
        self.settings = Settings.from_config(config.schedule)
        schedule = config.schedule
        self.calendar = WorkCalendar(schedule.extra_holidays, schedule.extra_workdays)

    async def world(self, *, working: bool = False) -> World:
        """Who is where, and the ledger: whole, or (`working`, enough for a morning) only the
        problems in work with each unit's latest report."""
        groups = await duty_state.groups_by_purpose(self.db)
        unit_groups: dict[int, list[int]] = {}
        for purpose, unit_id, chat_id in groups:
            if purpose == "unit" and unit_id is not None:
                unit_groups.setdefault(unit_id, []).append(chat_id)
        return World(
            problems=await duty_state.problems(self.db, working=working),
            contacts=await duty_state.contacts_by_unit(self.db),
            unit_groups=unit_groups,
            office=[c for p, _, c in groups if p == "office"],
            leaders=[c for p, _, c in groups if p == "leaders"],
            reports=await duty_state.latest_reports(self.db) if working else None,
        )

    async def since(self, moment: datetime) -> datetime:
        """When duties began: the first tick ever. Nothing before it is owed."""
        stored = await state.get(self.db, SINCE_KEY)
        if stored is not None:
            return datetime.fromisoformat(stored)
        async with self.db.transaction() as tx:
            await tx.execute(
                "INSERT INTO bot_state (key, value) VALUES (?, ?) ON CONFLICT DO NOTHING",
                (SINCE_KEY, moment.isoformat()),
            )
        return datetime.fromisoformat(str(await state.get(self.db, SINCE_KEY)))

    async def tick(self, moment: datetime, budget: float | None = None) -> int:
        """Queue the duties due at `moment`, one step (slot) after another, oldest kind
        first; start another step only while the tick has used less than `budget` seconds:
        what is left stays due, and the next tick does it. Return how many messages were new.
        `self.owed` says whether something was left."""
        since = await self.since(moment)
        slots = [
            slot
            for slot in engine.due_slots(moment, since, self.settings, self.calendar)
            if not await duty_state.run_done(self.db, slot.key)
        ]
        self.owed = False
        budget = STEP_BUDGET if budget is None else budget
        started = time_now()
        world: World | None = None
        added = 0
        for n, slot in enumerate(slots):
            if n and time_now() - started >= budget:
                self.owed = True
                log.info("%s waits for the next tick (%d left)", slot.key, len(slots) - n)
                break
            with collector_held():  # reading and building; never across the write lock's wait
                if slot.kind in NEEDS_LEDGER and (world is None or not _serves(world, slot)):
                    world = await self.world(working=slot.kind == "morning")
                planned, keep = await self._plan(slot, world, moment, since)
                rows = await asyncio.to_thread(notify.rows_of, planned, moment)
            added += await self._queue(slot, rows, keep, moment)
        return added

    async def catch_up(self, moment: datetime) -> int:
        """Everything due at `moment`, in one go (`zhenggai tick`, the demo, tests)."""
        return await self.tick(moment, budget=math.inf)

    async def _plan(
        self, slot: Slot, world: World | None, moment: datetime, since: datetime
    ) -> tuple[list[Planned], WeekFigures | None]:
        """What a slot says, to whom; and (the weekly) the figures the next week compares with."""
        keep: WeekFigures | None = None
        if slot.kind == "chart":
            planned = await self._chart_step(slot)
        elif slot.kind == "table":
            planned = await self._table_step(slot)
        elif world is None:
            raise AssertionError(f"{slot.key} needs the ledger")
        elif slot.kind == "morning":
            planned = await self._morning(slot, world, moment, since)
        elif slot.kind == "daily":
            planned = await self._daily(slot, world, moment)
        else:
            planned, keep = await self._weekly(slot, world, moment)
        return planned, keep

    async def _queue(
        self, slot: Slot, rows: list[outbox.Row], keep: WeekFigures | None, moment: datetime
    ) -> int:
        """Queue a slot's rows with its duty_runs row, in one short transaction."""
        async with self.db.transaction() as tx:
            if not await duty_state.mark_run(tx, slot.key, slot.kind, slot.day, moment, len(rows)):
                return 0  # another tick did it first
            added = await outbox.enqueue_many(tx, rows, moment)
            if keep is not None:  # the next week's digest compares with what this one said
                await duty_state.keep_week(tx, keep, moment)
        log.info("%s: %d messages queued", slot.key, added)
        return added

    async def _morning(
        self, slot: Slot, world: World, moment: datetime, since: datetime
    ) -> list[Planned]:
        """Each unit's to-do and the red list, for every working day since the last morning."""
        last = await duty_state.last_run_day(self.db, "morning", slot.day)
        first = last is None
        after = (
            last
            if last is not None
            else since.astimezone(self.settings.tz).date() - timedelta(days=1)
        )
        s, cal = self.settings, self.calendar
        note = late_note(slot, moment, s)

        def build() -> list[Planned]:
            planned: list[Planned] = []
            quiet_end = after_quiet(moment, self.config.schedule)
            for item in todo.todos(world, slot.day, after, s, cal, first=first):
                groups, contacts = world.unit_chats(item.unit_id, s.todo_to)
                key = f"todo:{slot.day}:{item.unit_id}"
                if groups:
                    message = todo_message(item, in_group=True, cal=cal, note=note)
                    planned += [Planned(f"{key}@{g}", g, "todo", message) for g in groups]
                if contacts:
                    message = todo_message(item, in_group=False, cal=cal, note=note)
                    planned += [
                        Planned(f"{key}@{c}", c, "todo", message, quiet_end) for c in contacts
                    ]
            red = todo.red_list(world.problems, slot.day, after, s, cal, first=first)
            if red.new:
                message = OutMessage(text=red_message(red, s, note))
                planned += self._reach(world).planned(
                    f"red:{slot.day}", "red", message, ("leaders", "office")
                )
            return planned

        return await asyncio.to_thread(build)

    def _reach(self, world: World) -> Reach:
        return Reach(world.office, world.leaders, self.robots)

    async def _daily(self, slot: Slot, world: World, moment: datetime) -> list[Planned]:
        reach = self._reach(world)
        if not reach.any(["office"]):
            return []
        message = OutMessage(text=await self.daily_text(slot, world, moment))
        return reach.planned(f"daily:{slot.day}", "daily", message, ["office"])

    async def daily_text(self, slot: Slot, world: World, moment: datetime) -> str:
        assert world.whole, "the daily summary counts the whole ledger"
        s = self.settings
        start = engine.at(slot.day, time(0), s.tz)
        per_unit, completed = await duty_state.report_counts(
            self.db, start, start + timedelta(days=1)
        )
        yesterday = self.calendar.previous_workday(slot.day)
        red = todo.red_list(world.problems, slot.day, yesterday, s, self.calendar)
        counts = digest.ReportCounts(per_unit, completed)
        return late_note(slot, moment, s) + await asyncio.to_thread(
            digest.daily, world, counts, slot.day, len(red.new), s, self.calendar
        )

    async def _weekly(
        self, slot: Slot, world: World, moment: datetime
    ) -> tuple[list[Planned], WeekFigures]:
        """The digest's words to the office and leaders, and each unit group its own part.
        Its chart and (when the message shows only the worst) its full table are steps of
        their own, queued right after it: see `_chart_step` and `_table_step`."""
        week = await self.weekly_texts(slot, world, moment)
        key = f"weekly:{slot.period}"
        message = OutMessage(text=week.whole)
        planned = self._reach(world).planned(key, "weekly", message)
        for unit_id, chats in world.unit_groups.items():
            if unit_id in week.parts:
                message = OutMessage(text=week.parts[unit_id])
                planned += [Planned(f"{key}@{c}", c, "weekly", message) for c in chats]
        return planned, week.figures

    async def _top(self) -> Reach:
        """The office's and leaders' groups and robots: who gets the whole weekly digest."""
        groups = await duty_state.groups_by_purpose(self.db)
        office = [c for p, _, c in groups if p == "office"]
        leaders = [c for p, _, c in groups if p == "leaders"]
        return Reach(office, leaders, self.robots)

    async def _chart_step(self, slot: Slot) -> list[Planned]:
        """The 挂图作战 photos to the office and leaders, after the digest's words."""
        top = await self._top()
        if not top.any(AUDIENCES):
            return []
        label = digest.week_label(slot.day)
        planned = []
        for n, path in enumerate(await self._chart_or_none(slot), start=1):
            photo = OutMessage(
                text=dt.WEEKLY_CHART_CAPTION.format(week=label),
                attachment=Attachment(kind="photo", path=str(path)),
            )
            planned += top.planned(f"weekly:{slot.period}:chart{n}", "weekly", photo)
        return planned

    async def _table_step(self, slot: Slot) -> list[Planned]:
        """The full table as a workbook, when the digest's message shows only the worst."""
        top = await self._top()
        if not top.any(AUDIENCES):
            return []
        counts = await figures.counts_by(self.db, "unit", slot.day)
        red = await duty_state.red_problems(self.db, slot.day, self.settings.red_after)
        if not digest.is_cut(len(counts), len(red)):
            return []
        rows = digest.worst_units(digest.UnitRow(int(c.key), c.label, c.tally()) for c in counts)
        red.sort(key=lambda p: (-standing.days_overdue(p, slot.day), p.code))
        path = self._files() / f"weekly-{slot.period}.xlsx"
        data = await asyncio.to_thread(table.weekly_workbook, rows, red, slot.day)
        await asyncio.to_thread(path.write_bytes, data)
        book = OutMessage(
            text=dt.WEEKLY_FILE_CAPTION.format(week=digest.week_label(slot.day)),
            attachment=Attachment(kind="document", path=str(path)),
        )
        return top.planned(f"weekly:{slot.period}:table", "weekly", book)

    def _files(self) -> Path:
        folder = chart.folder(self.config.storage.evidence_dir)
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    async def _chart_or_none(self, slot: Slot) -> list[Path]:
        """The chart, or none when it cannot be drawn: the digest's words go out regardless
        (a missing font or a full disk must not hold the week's digest back, tick after tick)."""
        try:
            paths, _ = await self.draw_chart(slot, self._files() / f"weekly-{slot.period}.png")
            return paths
        except Exception:
            log.exception("the weekly chart could not be drawn; the digest goes without it")
            return []

    async def draw_chart(self, slot: Slot, first: Path) -> tuple[list[Path], int]:
        """The weekly slot's chart written as `first`, first-2.png …, comparing with last
        week's figures; and how many units it leaves out."""
        last = await duty_state.last_week(self.db, slot.period)
        latest = await ledger.latest_round(self.db)
        bars = chart.bars_of(await figures.counts_by(self.db, "unit", slot.day))
        drawn = await chart.weekly_chart(bars, slot.day, last, latest.name if latest else "")
        return await asyncio.to_thread(chart.save, drawn.images, first), drawn.left_out

    async def weekly_texts(self, slot: Slot, world: World, moment: datetime) -> WeekTexts:
        """The office's and leaders' digest, each unit's part, and the figures to keep."""
        assert world.whole, "the weekly digest counts the whole ledger"
        s = self.settings
        note = late_note(slot, moment, s)
        end = slot.scheduled
        per_unit, _ = await duty_state.report_counts(self.db, end - timedelta(days=7), end)
        last = await duty_state.last_week(self.db, slot.period)
        sums = digest.Sums(*await duty_state.accepted_sums(self.db))
        transfers = await duty_state.transfer_count(self.db)
        notes = await self._open_notices(moment)

        def build() -> WeekTexts:
            week = digest.weekly(
                world, digest.ReportCounts(per_unit), slot.day, last, sums, transfers, notes, s
            )
            parts = {
                u: note + digest.weekly_for_unit(ps, per_unit.get(u, 0), slot.day, s)
                for u, ps in world.by_unit.items()
                if u in world.unit_groups
            }
            t = week.tally
            figures = WeekFigures(
                period=slot.period, total=t.total, closed=t.closed, awaiting=t.awaiting
            )
            return WeekTexts(note + week.text, parts, figures, week.cut, week.rows, week.red)

        return await asyncio.to_thread(build)

    async def _open_notices(self, moment: datetime) -> str:
        """Notices of the last 30 days that not everyone has acknowledged, with their rate."""
        lines = []
        for notice in await notices.sent_since(self.db, moment - timedelta(days=30)):
            acked, total = await notices.ack_counts(self.db, notice.id)
            if acked < total:
                head = shorten(notice.text, 20)
                lines.append(
                    ot.DIGEST_NOTICE.format(
                        id=notice.id,
                        title=head,
                        acked=acked,
                        total=total,
                        rate=pct(acked / total if total else None),
                    )
                )
        return "；".join(lines)

    def slot_now(self, kind: str, moment: datetime) -> Slot:
        """The slot of `kind` as if it were due at `moment` (a digest asked for by hand)."""
        day = moment.astimezone(self.settings.tz).date()
        period = engine.week_period(day) if kind == "weekly" else ""
        return Slot(kind, day, moment, period)  # type: ignore[arg-type]

    async def send_now(self, kind: str, moment: datetime) -> int:
        """Queue what `kind` says now, as its slots would (the weekly with its chart and, when
        cut, its table), under keys of its own: a digest asked for by hand. How many rows."""
        world = await self.world()
        slot = self.slot_now(kind, moment)
        if kind == "daily":
            planned = await self._daily(slot, world, moment)
        else:
            planned, _ = await self._weekly(slot, world, moment)
            planned += await self._chart_step(slot) + await self._table_step(slot)
        stamp = moment.isoformat()
        manual = [replace(p, key=f"manual:{stamp}:{p.key}") for p in planned]
        rows = await asyncio.to_thread(notify.rows_of, manual, moment)
        async with self.db.transaction() as tx:
            return await outbox.enqueue_many(tx, rows, moment)

    async def build_digest(self, kind: str, moment: datetime) -> dict[int, str]:
        """What `kind` (daily or weekly) would say now, per chat (0: no group registered)."""
        world = await self.world()
        slot = self.slot_now(kind, moment)
        if kind == "daily":
            text = await self.daily_text(slot, world, moment)
            return dict.fromkeys(world.office or [0], text)
        week = await self.weekly_texts(slot, world, moment)
        texts = dict.fromkeys(world.office + world.leaders or [0], week.whole)
        for unit_id, chats in world.unit_groups.items():
            if unit_id in week.parts:
                texts.update(dict.fromkeys(chats, week.parts[unit_id]))
        return texts
