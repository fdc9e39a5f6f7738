"""Quiet hours: no direct message to a person between quiet_hours' start and end."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.config import ScheduleConfig


def after_quiet(moment: datetime, schedule: ScheduleConfig) -> datetime | None:
    """When a direct message queued at `moment` may go: None (now), or the end of quiet hours."""
    start, end = schedule.quiet_window()
    local = moment.astimezone(ZoneInfo(schedule.timezone))
    now = local.time()
    quiet = (start <= now or now < end) if start > end else (start <= now < end)
    if not quiet:
        return None
    day = local.date() if now < end else local.date() + timedelta(days=1)
    return datetime.combine(day, end, tzinfo=local.tzinfo)
