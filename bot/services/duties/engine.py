"""The duty clock: which scheduled duties are due at a moment, as a pure function.

A working day has three slots: the morning (at `remind_at`: each unit's to-do and the red
list), the 一日一小结 (at `daily_at`) and, on its day, the 一周一汇总 (its words, its chart
and its full table are three slots, done in that order, so no one step is long). A slot is done
once: the runner writes it to `duty_runs` in the transaction that queues its messages,
so running the clock again — every minute, after a restart, or from `zhenggai tick`
beside a running bot — repeats nothing. For each kind only the latest slot due is
returned: what was missed while the bot was down is done once, late, and not again; and
because a morning covers every working day since the last morning that was done, nothing a
missed morning would have said is lost.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cached_property
from typing import Literal
from zoneinfo import ZoneInfo

from bot.config import ScheduleConfig
from bot.services.workdays import WorkCalendar
from storage import standing
from storage.duty_state import ProblemState

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
LOOK_BACK_DAYS = 14
NAMED_AFTER_EXTRA = 3  # a silent unit is named in the daily summary 3 days after its chase

SlotKind = Literal["morning", "daily", "weekly", "chart", "table"]


@dataclass(frozen=True)
class Settings:
    tz: ZoneInfo
    remind_before: tuple[int, ...]
    red_after: int
    interval: int
    remind_at: time
    daily_at: time
    weekly_day: int  # 0 = Monday
    weekly_at: time
    todo_to: str = "group"

    @classmethod
    def from_config(cls, schedule: ScheduleConfig) -> Settings:
        return cls(
            tz=ZoneInfo(schedule.timezone),
            remind_before=tuple(sorted(set(schedule.remind_before_days), reverse=True)),
            red_after=schedule.red_after_days,
            interval=schedule.report_interval_days,
            remind_at=time.fromisoformat(schedule.remind_at),
            daily_at=time.fromisoformat(schedule.daily_at),
            weekly_day=WEEKDAYS.index(schedule.weekly_day),
            weekly_at=time.fromisoformat(schedule.weekly_at),
            todo_to=schedule.todo_to,
        )

    @property
    def named_after(self) -> int:
        """Silent this many days or more: named in the daily summary."""
        return self.interval + NAMED_AFTER_EXTRA


@dataclass(frozen=True)
class World:
    """Who is where: the problems, and the chats each kind of message goes to."""

    problems: list[ProblemState]
    contacts: dict[int, list[int]]  # unit id → contacts' private chats
    unit_groups: dict[int, list[int]]  # unit id → the unit's groups
    office: list[int]
    leaders: list[int]
    # Each unit's latest report on any of its problems, when `problems` holds only those in
    # work (what a morning needs, 60 % of a ledger); None: `problems` is the whole ledger.
    reports: dict[int, datetime] | None = None

    @property
    def whole(self) -> bool:
        """`problems` is the whole ledger (the digests count it), not only what is in work."""
        return self.reports is None

    def latest_report(self, unit_id: int) -> datetime | None:
        """The unit's latest report on any of its problems, closed ones too."""
        if self.reports is not None:
            return self.reports.get(unit_id)
        return standing.latest_report(self.by_unit.get(unit_id, ()))

    @cached_property
    def by_unit(self) -> dict[int, list[ProblemState]]:
        """The problems grouped by unit, once per reading of the ledger."""
        found: dict[int, list[ProblemState]] = {}
        for p in self.problems:
            found.setdefault(p.unit_id, []).append(p)
        return found

    def unit_chats(self, unit_id: int, todo_to: str) -> tuple[list[int], list[int]]:
        """(groups, private chats) a unit's to-do goes to: each person gets it once.

        "group": the unit's groups, and its contacts directly only when it has none;
        "contacts": each contact directly; "both": groups and contacts.
        """
        groups = self.unit_groups.get(unit_id, [])
        contacts = self.contacts.get(unit_id, [])
        if todo_to == "contacts":
            return [], contacts
        if todo_to == "both":
            return groups, contacts
        return (groups, []) if groups else ([], contacts)


@dataclass(frozen=True)
class Slot:
    """One scheduled duty: its kind, the working day it belongs to, when it was meant."""

    kind: SlotKind
    day: date
    scheduled: datetime
    period: str = ""  # the weekly digest's ISO week, e.g. 2026-W48

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.period or self.day.isoformat()}"


def week_period(day: date) -> str:
    """The ISO week a weekly digest belongs to, as its keys and `weekly_figures` name it."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def at(day: date, when: time, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, when, tzinfo=tz)


def due_slots(moment: datetime, since: datetime, s: Settings, cal: WorkCalendar) -> list[Slot]:
    """The latest slot of each kind due by `moment` and not before `since` (the first tick)."""
    local = moment.astimezone(s.tz)
    found: list[Slot] = []
    for kind, when in (("morning", s.remind_at), ("daily", s.daily_at)):
        last = _last_on_workday(local, since, when, s, cal)
        if last is not None:
            found.append(Slot(kind, last.date(), last))  # type: ignore[arg-type]
    weekly = _last_weekly(local, since, s, cal)
    if weekly is not None:
        period = week_period(weekly.date())
        # The digest's words, then its chart, then (when cut) its full table: three steps.
        for kind in ("weekly", "chart", "table"):
            found.append(Slot(kind, weekly.date(), weekly, period))  # type: ignore[arg-type]
    return found


def _last_on_workday(
    local: datetime, since: datetime, when: time, s: Settings, cal: WorkCalendar
) -> datetime | None:
    for back in range(LOOK_BACK_DAYS):
        day = local.date() - timedelta(days=back)
        moment = at(day, when, s.tz)
        if moment < since:
            return None
        if cal.is_workday(day) and moment <= local:
            return moment
    return None


def weekly_moment(monday: date, s: Settings, cal: WorkCalendar) -> datetime | None:
    """This week's 一周一汇总: the set day, or the last working day before it that week."""
    for back in range(s.weekly_day, -1, -1):
        day = monday + timedelta(days=back)
        if cal.is_workday(day):
            return at(day, s.weekly_at, s.tz)
    return None  # a week with no working day up to the set day (a long holiday): none


def _last_weekly(
    local: datetime, since: datetime, s: Settings, cal: WorkCalendar
) -> datetime | None:
    monday = local.date() - timedelta(days=local.weekday())
    for weeks in range(3):
        moment = weekly_moment(monday - timedelta(weeks=weeks), s, cal)
        if moment is None:
            continue
        if moment < since:
            return None
        if moment <= local:
            return moment
    return None
