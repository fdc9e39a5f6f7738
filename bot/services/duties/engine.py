"""The duty engine: a pure function of the ledger's state and a moment.

It returns every duty due at that moment, each with a unique key. Keys make duties
idempotent: the outbox takes a key once, so running the engine again — every minute,
after a restart, or from `zhenggai tick` beside a running bot — repeats nothing. For a
series (a problem's reminders, the digests) only the latest step due is returned, so
what was missed while the bot was down is done once, late, and not again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.config import ScheduleConfig
from bot.services.workdays import WorkCalendar
from storage.duty_state import ProblemState

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
REMIND_AT = time(9, 0)  # reminders, warnings and chases go out at the start of the working day
LOOK_BACK_DAYS = 14


@dataclass(frozen=True)
class Settings:
    tz: ZoneInfo
    remind_before: tuple[int, ...]
    red_after: int
    interval: int
    daily_at: time
    weekly_day: int  # 0 = Monday
    weekly_at: time

    @classmethod
    def from_config(cls, schedule: ScheduleConfig) -> Settings:
        return cls(
            tz=ZoneInfo(schedule.timezone),
            remind_before=tuple(sorted(set(schedule.remind_before_days), reverse=True)),
            red_after=schedule.red_after_days,
            interval=schedule.report_interval_days,
            daily_at=time.fromisoformat(schedule.daily_at),
            weekly_day=WEEKDAYS.index(schedule.weekly_day),
            weekly_at=time.fromisoformat(schedule.weekly_at),
        )


@dataclass(frozen=True)
class World:
    """Who is where: the problems, and the chats each kind of message goes to."""

    problems: list[ProblemState]
    contacts: dict[int, list[int]]  # unit id → contacts' private chats
    unit_groups: dict[int, list[int]]  # unit id → the unit's groups
    office: list[int]
    leaders: list[int]


@dataclass(frozen=True)
class Target:
    chat_id: int
    direct: bool  # a person's private chat: quiet hours apply


@dataclass(frozen=True)
class Duty:
    key: str
    kind: str  # remind, due_today, overdue, red, chase, daily, weekly
    scheduled: datetime  # when it should have gone; later than that it is marked late
    targets: tuple[Target, ...]
    problem: ProblemState | None = None
    days: int = 0  # days left, days overdue or days silent
    on: date | None = None  # the day the duty belongs to
    extra: dict[str, str] = field(default_factory=dict)


def _at(day: date, when: time, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, when, tzinfo=tz)


def _unit_targets(world: World, unit_id: int) -> tuple[Target, ...]:
    people = [Target(c, True) for c in world.contacts.get(unit_id, [])]
    groups = [Target(g, False) for g in world.unit_groups.get(unit_id, [])]
    return tuple(people + groups)


def due(
    world: World, moment: datetime, since: datetime, settings: Settings, calendar: WorkCalendar
) -> list[Duty]:
    """Every duty due at `moment` (and not before `since`, when duties began)."""
    local = moment.astimezone(settings.tz)
    today = local.date()
    duties: list[Duty] = []
    workday = calendar.is_workday(today)
    start_of_day = _at(today, REMIND_AT, settings.tz)
    if workday and local >= start_of_day:
        for problem in world.problems:
            duties += _problem_duties(world, problem, today, since, settings, calendar)
    duties += _digests(world, local, since, settings, calendar)
    # Nothing meant for before the bot's first tick is owed (a fresh install's 09:00 of today).
    return [d for d in duties if d.scheduled >= since]


def _problem_duties(
    world: World, p: ProblemState, today: date, since: datetime, s: Settings, cal: WorkCalendar
) -> list[Duty]:
    if p.status in ("closed", "awaiting_acceptance"):
        return []  # closed is silent; awaiting acceptance waits for the office, not the unit
    found: list[Duty] = []
    targets = _unit_targets(world, p.unit_id)
    scheduled = _at(today, REMIND_AT, s.tz)
    since_day = since.astimezone(s.tz).date()
    if p.kind != "ongoing" and p.deadline is not None:
        if today <= p.deadline:
            step = _reminder_step(p.deadline, today, since_day, s, cal)
            if step is not None:
                offset, on = step
                kind = "due_today" if offset == 0 else "remind"
                found.append(
                    Duty(
                        f"remind:{p.id}:{p.deadline}:{offset}",
                        kind,
                        _at(on, REMIND_AT, s.tz),
                        targets,
                        p,
                        (p.deadline - today).days,
                        on,
                    )
                )
        else:
            late = (today - p.deadline).days
            found.append(
                Duty(
                    f"overdue:{p.id}:{p.deadline}:{today}",
                    "overdue",
                    scheduled,
                    targets,
                    p,
                    late,
                    today,
                )
            )
            if late >= s.red_after:
                # Weekly from the first working day on or after the red_after-th overdue day.
                red_day = p.deadline + timedelta(days=s.red_after)
                if not cal.is_workday(red_day):
                    red_day = cal.next_workdays(red_day, 1)[0]
                week = (today - red_day).days // 7
                red_targets = tuple(Target(c, False) for c in world.leaders + world.office)
                found.append(
                    Duty(
                        f"red:{p.id}:{p.deadline}:{week}",
                        "red",
                        scheduled,
                        red_targets,
                        p,
                        late,
                        today,
                    )
                )
    overdue = p.deadline is not None and p.kind != "ongoing" and today > p.deadline
    last = p.last_report_at or p.created_at
    silent = (today - last.astimezone(s.tz).date()).days
    if silent >= s.interval and not overdue:  # an overdue item is reminded daily already
        round_ = silent // s.interval
        marker = p.last_report_id or 0
        found.append(
            Duty(f"chase:{p.id}:{marker}:{round_}", "chase", scheduled, targets, p, silent, today)
        )
    return found


def _reminder_step(
    deadline: date, today: date, since_day: date, s: Settings, cal: WorkCalendar
) -> tuple[int, date] | None:
    """The latest reminder step due by today: (working days before the deadline, its day).

    The days count in working days back from the deadline (or from the last working day
    before it, when the deadline falls on a holiday), so none lands on a holiday.
    """
    anchor = cal.on_or_before(deadline)
    best: tuple[int, date] | None = None
    for offset in (*s.remind_before, 0):
        on = cal.workdays_before(anchor, offset)
        if since_day <= on <= today:
            best = (offset, on)  # offsets go from far to near: the last one that fits wins
    return best


def _digests(
    world: World, local: datetime, since: datetime, s: Settings, cal: WorkCalendar
) -> list[Duty]:
    found: list[Duty] = []
    office = tuple(Target(c, False) for c in world.office)
    daily = _last_daily(local, since, s, cal)
    if daily is not None and office:
        found.append(Duty(f"daily:{daily.date()}", "daily", daily, office, on=daily.date()))
    weekly = _last_weekly(local, since, s, cal)
    if weekly is not None:
        year, week, _ = weekly.isocalendar()
        targets = tuple(Target(c, False) for c in world.office + world.leaders)
        targets += tuple(Target(g, False) for gs in world.unit_groups.values() for g in gs)
        if targets:
            found.append(
                Duty(
                    f"weekly:{year}-W{week:02d}",
                    "weekly",
                    weekly,
                    targets,
                    on=weekly.date(),
                    extra={"period": f"{year}-W{week:02d}"},
                )
            )
    return found


def _last_daily(
    local: datetime, since: datetime, s: Settings, cal: WorkCalendar
) -> datetime | None:
    """The most recent 一日一小结 moment at or before now, on a working day, since duties began."""
    for back in range(LOOK_BACK_DAYS):
        day = local.date() - timedelta(days=back)
        moment = _at(day, s.daily_at, s.tz)
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
            return _at(day, s.weekly_at, s.tz)
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
