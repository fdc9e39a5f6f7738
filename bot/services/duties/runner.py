"""Running the engine once: read the state, take what is due, put it in the outbox.

The JobQueue calls `tick` every minute; `zhenggai tick --at` calls it for any moment.
Both may run at once: the outbox's unique keys make every duty happen once.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from bot.config import Config
from bot.messages import OutMessage
from bot.services import notify
from bot.services.duties import digest, engine
from bot.services.duties.engine import Duty, Settings, Target, World
from bot.services.duties.render import late_note, problem_text
from bot.services.ledger.figures import pct
from bot.services.notices import rate
from bot.services.quiet import after_quiet
from bot.services.workdays import WorkCalendar
from bot.texts import office as ot
from storage import duty_state, notices, outbox, state
from storage.db import Database, Tx
from storage.duty_state import WeekFigures

log = logging.getLogger(__name__)

SINCE_KEY = "duties.since"
DIGESTS = ("daily", "weekly")


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
        world = await self.world()
        since = await self.since(moment)
        duties = engine.due(world, moment, since, self.settings, self.calendar)
        added = 0
        async with self.db.transaction() as tx:
            for duty in duties:
                added += await self._queue(tx, world, duty, moment)
        return added

    async def _queue(self, tx: Tx, world: World, duty: Duty, moment: datetime) -> int:
        if duty.kind in DIGESTS:
            if await outbox.by_key(tx, _key(duty, duty.targets[0])) is not None:
                return 0  # built and queued before: do not build it again
            texts = await self._digest_texts(tx, world, duty, moment, keep=True)
        else:
            text = problem_text(duty, moment, self.settings, self.calendar)
            texts = {t.chat_id: text for t in duty.targets}
        added = 0
        for target in duty.targets:
            message = OutMessage(text=texts[target.chat_id])
            not_before = after_quiet(moment, self.config.schedule) if target.direct else None
            added += len(
                await notify.enqueue(
                    tx, _key(duty, target), target.chat_id, duty.kind, message, moment, not_before
                )
            )
        return added

    async def _digest_texts(
        self, tx: Tx, world: World, duty: Duty, moment: datetime, *, keep: bool
    ) -> dict[int, str]:
        assert duty.on is not None
        note = late_note(duty, moment, self.settings)
        week_start = duty.scheduled - timedelta(days=7)
        reports = await duty_state.reports_since(tx, week_start)
        if duty.kind == "daily":
            text = note + digest.daily(world, reports, duty.on, self.settings, self.calendar)
            return {t.chat_id: text for t in duty.targets}
        period = duty.extra["period"]
        last = await duty_state.last_week(tx, period)
        sums = digest.Sums(*await duty_state.accepted_sums(tx))
        whole = note + digest.weekly(
            world,
            reports,
            duty.on,
            period,
            last,
            sums,
            await self._open_notices(tx, moment),
            self.settings,
        )
        tally = digest.Tally.of(world.problems, duty.on)
        if keep:  # the next week's digest compares with what this one said
            figures = WeekFigures(
                period=period, total=tally.total, closed=tally.closed, awaiting=tally.awaiting
            )
            await duty_state.keep_week(tx, figures, moment)
        texts = {t.chat_id: whole for t in duty.targets}  # unit groups get their part below
        for unit_id, chats in world.unit_groups.items():
            part = note + digest.weekly_for_unit(
                world, reports, unit_id, duty.on, period, self.settings
            )
            texts.update(dict.fromkeys(chats, part))
        return texts

    async def _open_notices(self, tx: Tx, moment: datetime) -> str:
        """Notices of the last 30 days that not everyone has acknowledged, with their rate."""
        lines = []
        for notice in await notices.sent_since(tx, moment - timedelta(days=30)):
            acked, total = rate(await notices.recipients(tx, notice.id))
            if acked < total:
                head = " ".join(notice.text.split())[:20]
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

    async def build_digest(self, kind: str, moment: datetime) -> dict[int, str]:
        """What `kind` (daily or weekly) would say now, per chat (0: no group registered)."""
        world = await self.world()
        local = moment.astimezone(self.settings.tz)
        year, week, _ = local.isocalendar()
        chats = list(world.office)
        if kind == "weekly":
            chats += world.leaders + [g for gs in world.unit_groups.values() for g in gs]
        targets = tuple(Target(c, False) for c in chats) or (Target(0, False),)
        duty = Duty(
            f"{kind}:preview",
            kind,
            moment,
            targets,
            on=local.date(),
            extra={"period": f"{year}-W{week:02d}"},
        )
        async with self.db.transaction() as tx:
            texts = await self._digest_texts(tx, world, duty, moment, keep=False)
        if not chats:  # nothing registered yet: show the office's version
            whole = next(iter(texts.values()), "")
            texts = {0: whole}
        return texts


def _key(duty: Duty, target: Target) -> str:
    return f"{duty.key}@{target.chat_id}"
