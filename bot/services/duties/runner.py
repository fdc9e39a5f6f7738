"""Running the duty clock once: find the slots due, build their messages, queue them.

The JobQueue calls `tick` every minute; `zhenggai tick --at` calls it for any moment.
A tick with nothing due reads a few rows and returns. A due slot reads the ledger once,
builds its messages off the event loop (users' replies go on meanwhile), and queues them
in one short transaction together with the slot's `duty_runs` row: the slot is done once,
even when two ticks race.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta
from pathlib import Path

from bot.config import Config
from bot.messages import Attachment, OutMessage, shorten
from bot.services import notify
from bot.services.duties import chart, digest, engine, table, todo
from bot.services.duties.engine import Settings, Slot, World
from bot.services.duties.render import late_note, red_message, todo_message
from bot.services.ledger.figures import pct
from bot.services.notices import rate
from bot.services.notify import Planned
from bot.services.quiet import after_quiet
from bot.services.workdays import WorkCalendar
from bot.texts import duties as dt
from bot.texts import office as ot
from storage import duty_state, ledger, notices, outbox, state
from storage.db import Database
from storage.duty_state import ProblemState, WeekFigures

log = logging.getLogger(__name__)

SINCE_KEY = "duties.since"


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
        self.settings = Settings.from_config(config.schedule)
        schedule = config.schedule
        self.calendar = WorkCalendar(schedule.extra_holidays, schedule.extra_workdays)

    async def world(self) -> World:
        groups = await duty_state.groups_by_purpose(self.db)
        unit_groups: dict[int, list[int]] = {}
        for purpose, unit_id, chat_id in groups:
            if purpose == "unit" and unit_id is not None:
                unit_groups.setdefault(unit_id, []).append(chat_id)
        return World(
            problems=await duty_state.problems(self.db),
            contacts=await duty_state.contacts_by_unit(self.db),
            unit_groups=unit_groups,
            office=[c for p, _, c in groups if p == "office"],
            leaders=[c for p, _, c in groups if p == "leaders"],
        )

    async def since(self, moment: datetime) -> datetime:
        """When duties began: the first tick ever. Nothing before it is owed."""
        stored = await state.get(self.db, SINCE_KEY)
        if stored is not None:
            return datetime.fromisoformat(stored)
        async with self.db.transaction() as tx:
            await tx.execute(
                "INSERT OR IGNORE INTO bot_state (key, value) VALUES (?, ?)",
                (SINCE_KEY, moment.isoformat()),
            )
        return datetime.fromisoformat(str(await state.get(self.db, SINCE_KEY)))

    async def tick(self, moment: datetime) -> int:
        """Queue every duty due at `moment`; return how many messages were new."""
        since = await self.since(moment)
        slots = [
            slot
            for slot in engine.due_slots(moment, since, self.settings, self.calendar)
            if not await duty_state.run_done(self.db, slot.key)
        ]
        if not slots:
            return 0
        world = await self.world()
        added = 0
        for slot in slots:
            added += await self._run(slot, world, moment, since)
        return added

    async def _run(self, slot: Slot, world: World, moment: datetime, since: datetime) -> int:
        keep: WeekFigures | None = None
        if slot.kind == "morning":
            planned = await self._morning(slot, world, moment, since)
        elif slot.kind == "daily":
            planned = await self._daily(slot, world, moment)
        else:
            planned, keep = await self._weekly(slot, world, moment)
        rows = await asyncio.to_thread(notify.rows_of, planned, moment)
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
            for item in todo.todos(world.by_unit, slot.day, after, s, cal, first=first):
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
                text = red_message(red, s, note)
                planned += [
                    Planned(f"red:{slot.day}@{c}", c, "red", OutMessage(text=text))
                    for c in world.leaders + world.office
                ]
            return planned

        return await asyncio.to_thread(build)

    async def _daily(self, slot: Slot, world: World, moment: datetime) -> list[Planned]:
        if not world.office:
            return []
        text = await self.daily_text(slot, world, moment)
        return [
            Planned(f"daily:{slot.day}@{c}", c, "daily", OutMessage(text=text))
            for c in world.office
        ]

    async def daily_text(self, slot: Slot, world: World, moment: datetime) -> str:
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
        """The digest to the office and leaders with its chart (and the full table when the
        message shows only the worst), and each unit group its own part."""
        top = world.office + world.leaders
        # The words, the chart and the table are built side by side, off the event loop.
        week, charts = await asyncio.gather(
            self.weekly_texts(slot, world, moment),
            self._chart_or_none(slot, world) if top else asyncio.sleep(0, result=[]),
        )
        key = f"weekly:{slot.period}"
        label = digest.week_label(slot.day)
        planned = [Planned(f"{key}@{c}", c, "weekly", OutMessage(text=week.whole)) for c in top]
        for n, path in enumerate(charts, start=1):
            photo = OutMessage(
                text=dt.WEEKLY_CHART_CAPTION.format(week=label),
                attachment=Attachment(kind="photo", path=str(path)),
            )
            planned += [Planned(f"{key}:chart{n}@{c}", c, "weekly", photo) for c in top]
        if week.cut and top:
            path = self._files() / f"weekly-{slot.period}.xlsx"
            data = await asyncio.to_thread(table.weekly_workbook, week.rows, week.red, slot.day)
            await asyncio.to_thread(path.write_bytes, data)
            book = OutMessage(
                text=dt.WEEKLY_FILE_CAPTION.format(week=label),
                attachment=Attachment(kind="document", path=str(path)),
            )
            planned += [Planned(f"{key}:table@{c}", c, "weekly", book) for c in top]
        for unit_id, chats in world.unit_groups.items():
            if unit_id in week.parts:
                message = OutMessage(text=week.parts[unit_id])
                planned += [Planned(f"{key}@{c}", c, "weekly", message) for c in chats]
        return planned, week.figures

    def _files(self) -> Path:
        folder = chart.folder(self.config.storage.evidence_dir)
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    async def _chart_or_none(self, slot: Slot, world: World) -> list[Path]:
        """The chart, or none when it cannot be drawn: the digest's words go out regardless
        (a missing font or a full disk must not hold the week's digest back, tick after tick)."""
        try:
            return await self._chart(slot, world)
        except Exception:
            log.exception("the weekly chart could not be drawn; the digest goes without it")
            return []

    async def _chart(self, slot: Slot, world: World) -> list[Path]:
        """The 挂图作战 images, kept on disk until the outbox has sent them."""
        paths, _ = await self.draw_chart(slot, world, self._files() / f"weekly-{slot.period}.png")
        return paths

    async def draw_chart(self, slot: Slot, world: World, first: Path) -> tuple[list[Path], int]:
        """The weekly slot's chart written as `first`, first-2.png …, comparing with last
        week's figures; and how many units it leaves out."""
        last = await duty_state.last_week(self.db, slot.period)
        latest = await ledger.latest_round(self.db)
        drawn = await chart.weekly_chart(
            world.problems, slot.day, last, latest.name if latest else ""
        )
        return await asyncio.to_thread(chart.save, drawn.images, first), drawn.left_out

    async def weekly_texts(self, slot: Slot, world: World, moment: datetime) -> WeekTexts:
        """The office's and leaders' digest, each unit's part, and the figures to keep."""
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
            acked, total = rate(await notices.recipients(self.db, notice.id))
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
        """Queue what `kind` says now, as its slot would (the weekly with its chart and, when
        cut, its table), under keys of its own: a digest asked for by hand. How many rows."""
        world = await self.world()
        slot = self.slot_now(kind, moment)
        if kind == "daily":
            planned = await self._daily(slot, world, moment)
        else:
            planned, _ = await self._weekly(slot, world, moment)
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
