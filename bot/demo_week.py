"""The demo's week: the clock jumps from moment to moment and the duties do their work."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, time, timedelta

from bot.runtime import Runtime
from bot.texts.dates import WEEKDAY_NAMES as WEEKDAYS
from storage import outbox

MOMENTS = (time(9, 0), time(17, 0), time(18, 0))  # reminders; the weekly digest; the daily one


class SimClock:
    """Real time, shifted: jumping ahead makes a day pass in a moment."""

    def __init__(self) -> None:
        self._offset = timedelta(0)

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self._offset

    def jump_to(self, moment: datetime) -> None:
        self._offset = max(self._offset, moment - datetime.now(UTC))


async def _drained(runtime: Runtime, clock: SimClock) -> None:
    """Wait until everything due by the clock's now has left the outbox."""
    async with asyncio.timeout(120):
        while await outbox.due(runtime.db, clock().timestamp()) or runtime.sender.busy:
            runtime.sender.kick()
            await asyncio.sleep(0.05)


async def play_week(
    runtime: Runtime,
    clock: SimClock,
    first_day: date,
    during: Callable[[date], Awaitable[None]],
) -> None:
    """A week of working days from `first_day`: each day's duties, and `during` at 10:00."""
    tz = runtime.duties.settings.tz
    for offset in range(7):
        day = first_day + timedelta(days=offset)
        # The sends are paced as Telegram requires, so a simulated day takes a few seconds.
        print(f"模拟 {day:%m-%d}（{WEEKDAYS[day.weekday()]}）…", file=sys.stderr, flush=True)
        for moment in MOMENTS:
            clock.jump_to(datetime.combine(day, moment, tzinfo=tz))
            await runtime.duties.catch_up(clock())
            await _drained(runtime, clock)
            if moment == MOMENTS[0] and runtime.duties.calendar.is_workday(day):
                clock.jump_to(datetime.combine(day, time(10, 0), tzinfo=tz))
                await during(day)
                await _drained(runtime, clock)
