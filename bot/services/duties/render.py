"""A problem's duty as the words a unit reads."""

from __future__ import annotations

from datetime import date, datetime

from bot.messages import shorten
from bot.services.duties.engine import Duty, Settings
from bot.services.ledger import template as t
from bot.services.workdays import WorkCalendar
from bot.texts import duties as dt

LATE_AFTER_SECONDS = 30 * 60


def day_text(day: date) -> str:
    return f"{day.month}月{day.day}日"


def late_note(duty: Duty, moment: datetime, settings: Settings) -> str:
    """Say a duty is late (sent after downtime), with when it was meant for."""
    if (moment - duty.scheduled).total_seconds() <= LATE_AFTER_SECONDS:
        return ""
    at = duty.scheduled.astimezone(settings.tz).strftime("%m-%d %H:%M")
    return dt.LATE.format(at=at) + "\n"


def problem_text(duty: Duty, moment: datetime, settings: Settings, cal: WorkCalendar) -> str:
    p = duty.problem
    assert p is not None
    name = shorten(p.description, 60)
    deadline = p.deadline
    if duty.kind in ("remind", "due_today"):
        assert deadline is not None
        weekday = dt.WEEKDAY_NAMES[deadline.weekday()]
        if duty.kind == "due_today" and duty.days == 0:
            text = dt.DUE_TODAY.format(code=p.code, date=day_text(deadline), title=name)
        elif not cal.is_workday(deadline):
            text = dt.DUE_SOON_HOLIDAY.format(
                code=p.code, date=day_text(deadline), weekday=weekday, days=duty.days, title=name
            )
        else:
            text = dt.REMIND.format(
                code=p.code, date=day_text(deadline), weekday=weekday, days=duty.days, title=name
            )
    elif duty.kind == "overdue":
        assert deadline is not None
        text = dt.OVERDUE.format(code=p.code, days=duty.days, date=deadline.isoformat(), title=name)
    elif duty.kind == "red":
        assert deadline is not None
        status = t.STATUS_NAMES[p.status]  # type: ignore[index]
        text = dt.RED.format(
            unit=p.unit_name,
            code=p.code,
            days=duty.days,
            date=deadline.isoformat(),
            title=name,
            status=status,
        )
    else:
        text = dt.CHASE.format(code=p.code, days=duty.days, title=name)
    return late_note(duty, moment, settings) + text
