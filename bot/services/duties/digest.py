"""一日一小结 and 一周一汇总, built from the same state the engine reads."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bot.services.duties.engine import Settings, World
from bot.services.ledger.figures import pct
from bot.services.workdays import WorkCalendar
from bot.texts import duties as dt
from storage.duty_state import ProblemState, ReportState, WeekFigures

WORST = 10


@dataclass(frozen=True)
class Tally:
    """Counts of a set of problems, defined exactly as /stats defines them."""

    total: int
    closed: int
    awaiting: int
    in_progress: int
    not_started: int
    overdue: int

    @classmethod
    def of(cls, problems: list[ProblemState], today: date) -> Tally:
        status = Counter(p.status for p in problems)
        return cls(
            total=len(problems),
            closed=status["closed"],
            awaiting=status["awaiting_acceptance"],
            in_progress=status["in_progress"],
            not_started=status["imported"],
            overdue=sum(1 for p in problems if is_overdue(p, today)),
        )

    def rectify(self) -> float | None:
        return None if self.total == 0 else self.closed / self.total

    def complete(self) -> float | None:
        return None if self.total == 0 else (self.closed + self.awaiting) / self.total


def is_overdue(p: ProblemState, today: date) -> bool:
    return (
        p.status != "closed"
        and p.kind != "ongoing"
        and p.deadline is not None
        and p.deadline < today
    )


def days_overdue(p: ProblemState, today: date) -> int:
    return (today - p.deadline).days if is_overdue(p, today) and p.deadline else 0


def _local_day(moment: datetime, s: Settings) -> date:
    return moment.astimezone(s.tz).date()


def silent_units(world: World, today: date, s: Settings, extra: int = 3) -> list[str]:
    """Units with an open problem unreported for the chase interval plus `extra` days."""
    worst: dict[str, tuple[int, int]] = {}
    for p in world.problems:
        if p.status not in ("imported", "in_progress"):
            continue
        silent = (today - _local_day(p.last_report_at or p.created_at, s)).days
        if silent >= s.interval + extra:
            count, longest = worst.get(p.unit_name, (0, 0))
            worst[p.unit_name] = (count + 1, max(longest, silent))
    return [dt.DAILY_SILENT_ITEM.format(unit=u, count=c, days=d) for u, (c, d) in worst.items()]


def daily(
    world: World, reports: list[ReportState], day: date, s: Settings, cal: WorkCalendar
) -> str:
    """The office's 一日一小结 for `day`."""
    units = {p.unit_id: p.unit_name for p in world.problems}
    today_reports = [r for r in reports if _local_day(r.created_at, s) == day]
    lines = [dt.DAILY_HEAD.format(date=day.isoformat(), weekday=dt.WEEKDAY_NAMES[day.weekday()])]
    if today_reports:
        lines.append(dt.DAILY_REPORTS.format(count=len(today_reports)))
        per_unit = Counter(units.get(r.unit_id, "?") for r in today_reports)
        lines += [dt.DAILY_UNIT_REPORTS.format(unit=u, count=c) for u, c in per_unit.most_common()]
    else:
        lines.append(dt.DAILY_REPORTS_NONE)
    completed = sum(1 for r in today_reports if r.claim == "completed")
    closed = sum(1 for p in world.problems if p.closed_at and _local_day(p.closed_at, s) == day)
    lines.append(dt.DAILY_COMPLETED.format(completed=completed, closed=closed))
    soon_days = cal.next_workdays(day, 3)
    soon = [
        p
        for p in world.problems
        if p.status != "closed"
        and p.kind != "ongoing"
        and p.deadline is not None
        and day < p.deadline <= soon_days[-1]
    ]
    lines.append(
        dt.DAILY_DUE_SOON.format(count=len(soon))
        if soon
        else dt.DAILY_DUE_SOON.format(count=0) + dt.NONE
    )
    lines += [
        dt.DAILY_ITEM.format(code=p.code, unit=p.unit_name, note=f"{p.deadline:%m-%d} 到期")
        for p in soon
    ]
    previous = cal.previous_workday(day)
    newly = [
        p
        for p in world.problems
        if is_overdue(p, day) and p.deadline is not None and p.deadline >= previous
    ]
    lines.append(dt.DAILY_NEW_OVERDUE.format(count=len(newly)) + ("" if newly else dt.NONE))
    lines += [
        dt.DAILY_ITEM.format(code=p.code, unit=p.unit_name, note=f"时限 {p.deadline:%m-%d}")
        for p in newly
    ]
    red = sorted(
        (p for p in world.problems if days_overdue(p, day) >= s.red_after),
        key=lambda p: -days_overdue(p, day),
    )
    lines.append(dt.DAILY_RED.format(count=len(red)) + ("" if red else dt.NONE))
    lines += [
        dt.DAILY_ITEM.format(code=p.code, unit=p.unit_name, note=f"逾期 {days_overdue(p, day)} 天")
        for p in red
    ]
    silent = silent_units(world, day, s)
    lines.append(dt.DAILY_SILENT.format(days=s.interval + 3) + ("" if silent else dt.NONE))
    lines += silent
    return "\n".join(lines)


def _change(now: float | None, before: float | None) -> str:
    if now is None or before is None:
        return dt.WEEKLY_FIRST
    diff = (now - before) * 100
    return dt.WEEKLY_CHANGE.format(sign="+" if diff >= 0 else "−", value=f"{abs(diff):.1f}")


@dataclass(frozen=True)
class Sums:
    money_x100: int
    rules: int
    people: int


def weekly(
    world: World,
    reports: list[ReportState],
    day: date,
    period: str,
    last: WeekFigures | None,
    sums: Sums,
    notices: str,
    s: Settings,
) -> str:
    """The whole picture for the office and leaders groups."""
    tally = Tally.of(world.problems, day)
    before_rectify = before_complete = None
    if last is not None and last.total:
        before_rectify = last.closed / last.total
        before_complete = (last.closed + last.awaiting) / last.total
    lines = [
        dt.WEEKLY_HEAD.format(period=period, date=day.isoformat()),
        dt.WEEKLY_RATES.format(
            rectify=pct(tally.rectify()),
            rectify_change=_change(tally.rectify(), before_rectify),
            complete=pct(tally.complete()),
            complete_change=_change(tally.complete(), before_complete),
        ),
        dt.WEEKLY_TOTAL.format(**tally.__dict__),
        "",
        dt.WEEKLY_TABLE,
    ]
    by_unit: dict[str, list[ProblemState]] = {}
    for p in world.problems:
        by_unit.setdefault(p.unit_name, []).append(p)
    for unit, problems in by_unit.items():
        u = Tally.of(problems, day)
        lines.append(
            dt.WEEKLY_ROW.format(
                unit=unit,
                total=u.total,
                closed=u.closed,
                awaiting=u.awaiting,
                in_progress=u.in_progress,
                overdue=u.overdue,
                rate=pct(u.rectify()),
            )
        )
    worst = sorted(
        (p for p in world.problems if is_overdue(p, day)),
        key=lambda p: (-days_overdue(p, day), p.code),
    )[:WORST]
    lines += ["", dt.WEEKLY_WORST + ("" if worst else dt.NONE)]
    lines += [
        dt.WEEKLY_WORST_ITEM.format(code=p.code, unit=p.unit_name, days=days_overdue(p, day))
        for p in worst
    ]
    week_start = day - timedelta(days=6)
    reported = {r.unit_id for r in reports if _local_day(r.created_at, s) >= week_start}
    quiet = [name for uid, name in _open_units(world) if uid not in reported]
    lines += ["", dt.WEEKLY_SILENT.format(units="、".join(quiet) if quiet else dt.NONE)]
    lines.append(
        dt.WEEKLY_FIGURES.format(
            money=f"{sums.money_x100 / 100:.2f}", rules=sums.rules, people=sums.people
        )
    )
    lines.append(dt.WEEKLY_NOTICES.format(text=notices or dt.NONE))
    return "\n".join(lines)


def _open_units(world: World) -> list[tuple[int, str]]:
    seen: dict[int, str] = {}
    for p in world.problems:
        if p.status in ("imported", "in_progress"):
            seen.setdefault(p.unit_id, p.unit_name)
    return list(seen.items())


def weekly_for_unit(
    world: World, reports: list[ReportState], unit_id: int, day: date, period: str, s: Settings
) -> str:
    """A unit group's own part of the weekly digest."""
    problems = [p for p in world.problems if p.unit_id == unit_id]
    name = problems[0].unit_name if problems else ""
    u = Tally.of(problems, day)
    week_start = day - timedelta(days=6)
    count = sum(
        1 for r in reports if r.unit_id == unit_id and _local_day(r.created_at, s) >= week_start
    )
    lines = [
        dt.WEEKLY_UNIT_HEAD.format(unit=name, period=period, date=day.isoformat()),
        dt.WEEKLY_UNIT_BODY.format(
            total=u.total,
            closed=u.closed,
            awaiting=u.awaiting,
            in_progress=u.in_progress,
            not_started=u.not_started,
            overdue=u.overdue,
            rate=pct(u.rectify()),
            reports=count,
        ),
    ]
    late = sorted((p for p in problems if is_overdue(p, day)), key=lambda p: -days_overdue(p, day))
    if late:
        lines.append(dt.WEEKLY_UNIT_OVERDUE)
        lines += [
            dt.WEEKLY_WORST_ITEM.format(code=p.code, unit="", days=days_overdue(p, day))
            for p in late
        ]
    return "\n".join(lines)
