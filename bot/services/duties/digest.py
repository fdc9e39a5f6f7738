"""一日一小结 and 一周一汇总, built from the same state and definitions as everything else.

Pure functions: the runner reads the ledger and the week's report counts, these write
the words. Sizes are bounded whatever the ledger's size: lists show the worst items by
name and count the rest (the full table goes with the weekly digest as a workbook).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from bot.services.duties.engine import Settings, World
from bot.services.ledger.figures import pct
from bot.services.workdays import WorkCalendar
from bot.texts import dates
from bot.texts import duties as dt
from storage import standing
from storage.duty_state import ProblemState, WeekFigures
from storage.standing import Tally

LISTED = 10  # items named per section of the daily summary
UNITS_IN_FULL = 30  # up to this many units the weekly table is whole; past it, the worst
WORST_UNITS = 20
RED_LISTED = 30
SILENT_LISTED = 30


@dataclass(frozen=True)
class ReportCounts:
    """Reports per unit over a span, and how many of them claimed completion."""

    per_unit: dict[int, int] = field(default_factory=dict)
    completed: int = 0

    @property
    def total(self) -> int:
        return sum(self.per_unit.values())


def _more(lines: list[str], shown: int, total: int) -> None:
    if total > shown:
        lines.append(dt.MORE.format(count=total - shown))


def silent_units(world: World, today: date, s: Settings) -> list[tuple[str, int, int]]:
    """(unit, days silent, problems in work) for units silent `named_after` days or more."""
    found = []
    for unit_id, problems in world.by_unit.items():
        days = standing.silent_days(problems, world.latest_report(unit_id), today, s.tz)
        if days >= s.named_after:
            working = sum(1 for p in problems if standing.is_working(p))
            found.append((problems[0].unit_name, days, working))
    return sorted(found, key=lambda u: (-u[1], u[0]))


def red_problems(world: World, today: date, s: Settings) -> list[ProblemState]:
    red = [p for p in world.problems if standing.is_red(p, today, s.red_after)]
    return sorted(red, key=lambda p: (-standing.days_overdue(p, today), p.code))


def daily(
    world: World,
    today_reports: ReportCounts,
    day: date,
    new_red: int,
    s: Settings,
    cal: WorkCalendar,
) -> str:
    """The office's 一日一小结 for `day`: what happened, what comes, who is silent."""
    names = {p.unit_id: p.unit_name for p in world.problems}
    lines = [dt.DAILY_HEAD.format(date=dates.day(day))]
    if today_reports.total:
        lines.append(dt.DAILY_REPORTS.format(count=today_reports.total))
        ranked = sorted(
            today_reports.per_unit.items(), key=lambda uc: (-uc[1], names.get(uc[0], ""))
        )
        lines += [
            dt.DAILY_UNIT_REPORTS.format(unit=names.get(u, "?"), count=c)
            for u, c in ranked[:LISTED]
        ]
        rest = ranked[LISTED:]
        if rest:
            lines.append(
                dt.DAILY_UNIT_REPORTS_MORE.format(units=len(rest), count=sum(c for _, c in rest))
            )
    else:
        lines.append(dt.DAILY_REPORTS_NONE)
    closed = sum(
        1 for p in world.problems if p.closed_at and p.closed_at.astimezone(s.tz).date() == day
    )
    lines.append(dt.DAILY_COMPLETED.format(completed=today_reports.completed, closed=closed))
    last_soon = cal.next_workdays(day, 3)[-1]
    soon = sorted(
        (
            p
            for p in world.problems
            if standing.is_working(p)
            and p.kind != "ongoing"
            and p.deadline is not None
            and day < p.deadline <= last_soon
        ),
        key=lambda p: (p.deadline, p.code),
    )
    lines.append(dt.DAILY_DUE_SOON.format(count=len(soon)) + ("：" if soon else "：" + dt.NONE))
    lines += [
        dt.DAILY_ITEM.format(
            code=p.code, unit=p.unit_name, note=f"{dates.short_day(p.deadline)}到期"
        )
        for p in soon[:LISTED]
        if p.deadline is not None
    ]
    _more(lines, min(len(soon), LISTED), len(soon))
    previous = cal.previous_workday(day)
    newly = sorted(
        (
            p
            for p in world.problems
            if standing.is_overdue(p, day) and p.deadline is not None and p.deadline >= previous
        ),
        key=lambda p: p.code,
    )
    lines.append(
        dt.DAILY_NEW_OVERDUE.format(count=len(newly)) + ("：" if newly else "：" + dt.NONE)
    )
    lines += [
        dt.DAILY_ITEM.format(
            code=p.code, unit=p.unit_name, note=f"时限 {dates.short_day(p.deadline)}"
        )
        for p in newly[:LISTED]
        if p.deadline is not None
    ]
    _more(lines, min(len(newly), LISTED), len(newly))
    red_total = sum(1 for p in world.problems if standing.is_red(p, day, s.red_after))
    if not red_total:
        lines.append(dt.DAILY_RED_NONE)
    elif new_red:
        lines.append(dt.DAILY_RED.format(total=red_total, new=new_red))
    else:
        lines.append(dt.DAILY_RED_NO_NEW.format(total=red_total))
    silent = silent_units(world, day, s)
    lines.append(dt.DAILY_SILENT.format(days=s.named_after) + ("" if silent else dt.NONE))
    lines += [dt.DAILY_SILENT_ITEM.format(unit=u, days=d, count=c) for u, d, c in silent[:LISTED]]
    _more(lines, min(len(silent), LISTED), len(silent))
    return "\n".join(lines)


def change_text(points: float | None) -> str:
    """较上周 +3.1 个百分点 (or 首次汇总): the one wording of a rate's change, for the digest
    and the chart alike; a change that rounds to zero reads +0.0, never −0.0."""
    if points is None:
        return dt.WEEKLY_FIRST
    sign = "+" if round(points, 1) >= 0 else "−"
    return dt.WEEKLY_CHANGE.format(sign=sign, value=f"{abs(points):.1f}")


def _change(now: float | None, before: float | None) -> str:
    return change_text(None if now is None or before is None else (now - before) * 100)


@dataclass(frozen=True)
class Sums:
    money_x100: int
    rules: int
    people: int


@dataclass(frozen=True)
class UnitRow:
    unit_id: int
    name: str
    tally: Tally


def unit_rows(world: World, day: date) -> list[UnitRow]:
    """Every unit's five shares, the worst first."""
    return worst_units(
        UnitRow(u, ps[0].unit_name, Tally.of(ps, day)) for u, ps in world.by_unit.items()
    )


def worst_units(rows: Iterable[UnitRow]) -> list[UnitRow]:
    """Most overdue first, then the lowest 整改率, then by name."""
    return sorted(rows, key=lambda r: (-r.tally.overdue, r.tally.rectify() or 0.0, r.name))


def is_cut(units: int, red: int) -> bool:
    """The weekly message shows only the worst units or red items: the full table goes too."""
    return units > UNITS_IN_FULL or red > RED_LISTED


@dataclass(frozen=True)
class Weekly:
    text: str
    cut: bool  # the table or the red recap was cut: the full workbook goes with it
    tally: Tally
    rows: list[UnitRow]
    red: list[ProblemState]


def week_label(day: date) -> str:
    monday = day - timedelta(days=day.weekday())
    return dates.week(monday, day)


def weekly(
    world: World,
    week_reports: ReportCounts,
    day: date,
    last: WeekFigures | None,
    sums: Sums,
    transfers: int,
    notices: str,
    s: Settings,
) -> Weekly:
    """The whole picture for the office and leaders groups, at most a few messages long."""
    tally = Tally.of(world.problems, day)
    before_rectify = before_complete = None
    if last is not None and last.total:
        before_rectify = last.closed / last.total
        before_complete = (last.closed + last.awaiting) / last.total
    lines = [
        dt.WEEKLY_HEAD.format(week=week_label(day)),
        dt.WEEKLY_RATES.format(
            rectify=pct(tally.rectify()),
            rectify_change=_change(tally.rectify(), before_rectify),
            complete=pct(tally.complete()),
            complete_change=_change(tally.complete(), before_complete),
        ),
        dt.WEEKLY_TOTAL.format(**tally.__dict__),
        "",
    ]
    rows = unit_rows(world, day)
    red = red_problems(world, day, s)
    cut = is_cut(len(rows), len(red))
    units_cut = len(rows) > UNITS_IN_FULL
    shown = rows[:WORST_UNITS] if units_cut else rows
    lines.append(
        dt.WEEKLY_TABLE_WORST.format(shown=len(shown), units=len(rows))
        if units_cut
        else dt.WEEKLY_TABLE
    )
    lines += [_row(r) for r in shown]
    if units_cut:
        rest = rows[len(shown) :]
        lines.append(
            dt.WEEKLY_REST.format(
                units=len(rest),
                total=sum(r.tally.total for r in rest),
                overdue=sum(r.tally.overdue for r in rest),
            )
        )
    lines += ["", dt.WEEKLY_RED.format(count=len(red)) + ("" if red else "：" + dt.NONE)]
    lines += [
        dt.WEEKLY_RED_ITEM.format(
            code=p.code,
            unit=p.unit_name,
            days=standing.days_overdue(p, day),
            transfer=dt.WEEKLY_TRANSFER_MARK.format(to=p.transfer) if p.transfer else "",
        )
        for p in red[:RED_LISTED]
    ]
    if len(red) > RED_LISTED:
        lines.append(dt.WEEKLY_RED_MORE.format(count=len(red) - RED_LISTED))
    quiet = [
        r.name
        for r in rows
        if r.tally.in_progress + r.tally.not_started + r.tally.overdue
        and not week_reports.per_unit.get(r.unit_id)
    ]
    shown_quiet = "、".join(quiet[:SILENT_LISTED]) if quiet else dt.NONE
    if len(quiet) > SILENT_LISTED:
        shown_quiet += dt.WEEKLY_SILENT_MORE.format(count=len(quiet))
    lines += ["", dt.WEEKLY_SILENT.format(units=shown_quiet)]
    lines.append(
        dt.WEEKLY_FIGURES.format(
            money=f"{sums.money_x100 / 100:.2f}",
            rules=sums.rules,
            people=sums.people,
            transfers=transfers,
        )
    )
    lines.append(dt.WEEKLY_NOTICES.format(text=notices or dt.NONE))
    return Weekly("\n".join(lines), cut, tally, rows, red)


def _row(r: UnitRow) -> str:
    u = r.tally
    return dt.WEEKLY_ROW.format(
        unit=r.name,
        total=u.total,
        closed=u.closed,
        awaiting=u.awaiting,
        in_progress=u.in_progress,
        not_started=u.not_started,
        overdue=u.overdue,
        rate=pct(u.rectify()),
    )


def weekly_for_unit(problems: list[ProblemState], reports: int, day: date, s: Settings) -> str:
    """A unit group's own part of the weekly digest."""
    u = Tally.of(problems, day)
    lines = [
        dt.WEEKLY_UNIT_HEAD.format(unit=problems[0].unit_name, week=week_label(day)),
        dt.WEEKLY_UNIT_BODY.format(**u.__dict__, rate=pct(u.rectify()), reports=reports),
    ]
    late = sorted(
        (p for p in problems if standing.is_overdue(p, day)),
        key=lambda p: (-standing.days_overdue(p, day), p.code),
    )
    if late:
        lines.append(dt.WEEKLY_UNIT_OVERDUE)
        lines += [
            dt.WEEKLY_UNIT_ITEM.format(
                code=p.code,
                days=standing.days_overdue(p, day),
                red=dt.WEEKLY_UNIT_RED if standing.is_red(p, day, s.red_after) else "",
                transfer=dt.WEEKLY_TRANSFER_MARK.format(to=p.transfer) if p.transfer else "",
            )
            for p in late[:RED_LISTED]
        ]
        _more(lines, min(len(late), RED_LISTED), len(late))
    return "\n".join(lines)
