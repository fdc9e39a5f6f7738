"""What a morning says: each unit's to-do (今日待办) and the red list (红色预警清单).

Pure functions of the ledger, the day, and `after` — the last working day whose morning was
done (None before the first). A deadline's reminder days (7, 3, 1 working days before,
and the day itself, counted back from the last working day on or before the deadline)
and a unit's chase day enter the first to-do on or after them: a morning the bot missed
is folded into the next one, never lost and never said twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal

from bot.services.duties.engine import Settings, World
from bot.services.workdays import WorkCalendar
from storage import standing
from storage.duty_state import ProblemState

Reason = Literal["overdue", "due_today", "due_soon", "silent"]
ORDER: tuple[Reason, ...] = ("overdue", "due_today", "due_soon", "silent")


@dataclass(frozen=True)
class Item:
    problem: ProblemState
    reason: Reason
    days: int  # days overdue, or days left


@dataclass(frozen=True)
class Todo:
    unit_id: int
    unit_name: str
    day: date
    items: list[Item]  # in ORDER, the most overdue first
    silent_days: int  # > 0 when the unit is chased today

    def codes(self) -> set[str]:
        return {i.problem.code for i in self.items}


def _new(on: date, after: date | None, today: date) -> bool:
    return on <= today and (after is None or on > after)


def reminder_due(
    p: ProblemState, today: date, after: date | None, s: Settings, cal: WorkCalendar
) -> bool:
    """A reminder day of this deadline fell in (after, today]."""
    assert p.deadline is not None
    if (p.deadline - today).days > 3 * max(s.remind_before, default=0) + 14:
        return False  # no reminder day can have come yet (a cheap test for most of a ledger)
    anchor = cal.on_or_before(p.deadline)
    return any(
        _new(cal.workdays_before(anchor, offset), after, today) for offset in (*s.remind_before, 0)
    )


def chase_day(silent_from: date, days: int, s: Settings, cal: WorkCalendar) -> date:
    """The working day this round of silence is chased: on or after each interval's end."""
    rounds = days // s.interval
    return cal.on_or_after(silent_from + timedelta(days=rounds * s.interval))


def unit_todo(
    unit_id: int,
    problems: list[ProblemState],
    today: date,
    after: date | None,
    s: Settings,
    cal: WorkCalendar,
    *,
    latest: datetime | None,
    first: bool = False,
) -> Todo:
    """A unit's to-do; `first`: no morning was ever done, so a silence already due is owed.

    latest: the unit's latest report on any of its problems (`problems` may hold only those
    it works on: `World.latest_report` knows the rest)."""
    items: list[Item] = []
    listed: set[int] = set()
    for p in problems:
        if not standing.is_working(p) or p.kind == "ongoing" or p.deadline is None:
            continue
        late = standing.days_overdue(p, today)
        if late:
            items.append(Item(p, "overdue", late))
        elif reminder_due(p, today, after, s, cal):
            left = (p.deadline - today).days
            items.append(Item(p, "due_today" if left == 0 else "due_soon", left))
        else:
            continue
        listed.add(p.id)
    silent = standing.silent_days(problems, latest, today, s.tz)
    chased = 0
    if silent >= s.interval:
        since = standing.silent_since(problems, latest)
        assert since is not None
        chased_on = chase_day(since.astimezone(s.tz).date(), silent, s, cal)
        if first or _new(chased_on, after, today):
            chased = silent
            items += [
                Item(p, "silent", silent)
                for p in problems
                if standing.is_working(p) and p.id not in listed
            ]
    items.sort(key=_urgency)
    name = problems[0].unit_name if problems else ""
    return Todo(unit_id, name, today, items, chased)


def _urgency(item: Item) -> tuple[int, int, str]:
    days = -item.days if item.reason == "overdue" else item.days
    return ORDER.index(item.reason), days, item.problem.code


def todos(
    world: World,
    today: date,
    after: date | None,
    s: Settings,
    cal: WorkCalendar,
    *,
    first: bool = False,
) -> list[Todo]:
    """Every unit's to-do for the day; a unit with nothing to do has none."""
    found = [
        unit_todo(u, ps, today, after, s, cal, latest=world.latest_report(u), first=first)
        for u, ps in world.by_unit.items()
    ]
    return [t for t in found if t.items]


def red_day(p: ProblemState, s: Settings, cal: WorkCalendar) -> date:
    """The working day a problem turns red: on or after its red_after-th overdue day."""
    assert p.deadline is not None
    return cal.on_or_after(p.deadline + timedelta(days=s.red_after))


@dataclass(frozen=True)
class RedList:
    day: date
    new: list[ProblemState]  # turned red since the last red list, the most overdue first
    total: int  # red in all, today
    first: bool = False  # the first red list ever: it names every red item


def red_list(
    problems: list[ProblemState],
    today: date,
    after: date | None,
    s: Settings,
    cal: WorkCalendar,
    *,
    first: bool = False,
) -> RedList:
    """Problems that turned red in (after, today]; on the first morning ever, all red ones."""
    red = [p for p in problems if standing.is_red(p, today, s.red_after)]
    since = after if after is not None else cal.previous_workday(today)
    new = [p for p in red if first or _new(red_day(p, s, cal), since, today)]
    new.sort(key=lambda p: (-standing.days_overdue(p, today), p.code))
    return RedList(today, new, len(red), first)
