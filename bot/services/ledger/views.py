"""The ledger as people read it on a phone: units, one unit, overdue items, figures."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.messages import shorten
from bot.services.ledger import template as t
from bot.services.ledger.figures import completion_rate, pct, rectify_rate, stats
from bot.texts import dates, fmt_day
from bot.texts import ledger as lt
from storage import figures, ledger, people, standing
from storage.ledger import Problem
from storage.models import Unit
from storage.reader import Reader

PER_PAGE = 15
STATS_ROWS = 20  # past this many units (or categories, rounds) /stats shows the worst
TITLE_CHARS = 40


@dataclass(frozen=True)
class Listing:
    """A header and items, shown a page at a time."""

    header: str
    items: list[str]

    def page(self, number: int, per_page: int = PER_PAGE) -> tuple[str, int, int]:
        """The text of one page (numbered from 1), the page shown and the page count."""
        pages = max(1, -(-len(self.items) // per_page))
        number = min(max(number, 1), pages)
        chunk = self.items[(number - 1) * per_page : number * per_page]
        lines = [self.header, *chunk]
        if pages > 1:
            lines.append(lt.PAGE.format(page=number, pages=pages))
        return "\n".join(lines), number, pages


def title(problem: Problem) -> str:
    return shorten(problem.description, TITLE_CHARS)


def deadline_text(problem: Problem, today: date) -> str:
    """The deadline and how it stands (12月24日（剩 30 天）), as a card shows it after 整改时限："""
    if problem.deadline is None:
        return lt.LIMIT_ONGOING
    when = fmt_day(problem.deadline, today, weekday=False)
    if problem.status == "closed" or problem.kind == "ongoing":
        return lt.LIMIT_DONE.format(date=when)
    late = standing.days_overdue(problem, today)
    if late:
        return lt.LIMIT_OVERDUE.format(date=when, days=late)
    left = (problem.deadline - today).days
    return (
        lt.LIMIT_TODAY.format(date=when)
        if left == 0
        else lt.LIMIT_LEFT.format(date=when, days=left)
    )


def limit_text(problem: Problem, today: date) -> str:
    """The deadline in a list line: 时限 12月24日（剩 30 天）, or 长期坚持."""
    if problem.deadline is None:
        return lt.LIMIT_ONGOING
    return lt.LIMIT_LABEL.format(limit=deadline_text(problem, today))


def status_name(problem: Problem) -> str:
    return t.STATUS_NAMES[problem.status]  # type: ignore[index]


async def units_listing(db: Reader, today: date) -> Listing:
    counts = await figures.counts_by(db, "unit", today)
    contacts = await people.contact_names_by_unit(db)
    items = []
    for c in counts:
        names = contacts.get(int(c.key), [])
        shown = "、".join(names[:5]) + ("……" if len(names) > 5 else "") if names else lt.NO_CONTACTS
        items.append(
            lt.UNITS_LINE.format(
                name=c.label,
                total=c.total,
                open=c.total - c.closed,
                awaiting=c.awaiting,
                overdue=c.overdue,
                rate=pct(rectify_rate(c)),
                contacts=shown,
            )
        )
    return Listing(lt.UNITS_HEAD.format(count=len(counts)), items)


async def unit_listing(db: Reader, unit: Unit, today: date) -> Listing:
    problems = await ledger.problems_of_unit(db, unit.id)
    c = await figures.unit_counts(db, unit.id, today)
    header = lt.UNIT_HEAD.format(
        name=unit.name,
        total=c.total if c else 0,
        closed=c.closed if c else 0,
        awaiting=c.awaiting if c else 0,
        overdue=c.overdue if c else 0,
        rate=pct(rectify_rate(c)) if c else "—",
    )
    items = [
        lt.PROBLEM_LINE.format(
            code=p.code, status=status_name(p), limit=limit_text(p, today), title=title(p)
        )
        for p in problems
    ]
    return Listing(header, items)


async def overdue_listing(db: Reader, today: date, unit_id: int | None = None) -> Listing:
    problems = (
        await ledger.all_problems(db)
        if unit_id is None
        else await ledger.problems_of_unit(db, unit_id)
    )
    late = [(standing.days_overdue(p, today), p) for p in problems]
    late = sorted(((d, p) for d, p in late if d > 0), key=lambda dp: (-dp[0], dp[1].code))
    items = [
        lt.OVERDUE_LINE.format(
            days=d, code=p.code, unit=p.unit_name, status=status_name(p), title=title(p)
        )
        for d, p in late
    ]
    header = lt.OVERDUE_HEAD.format(count=len(items)) if items else lt.NO_OVERDUE
    return Listing(header, items)


async def stats_text(db: Reader, today: date) -> str:
    s = await stats(db, today)
    o = s.overall
    lines = [
        lt.STATS_HEAD.format(today=dates.day(today)),
        lt.STATS_TOTAL.format(
            total=o.total,
            closed=o.closed,
            awaiting=o.awaiting,
            in_progress=o.in_progress,
            not_started=o.not_started,
            overdue=o.overdue,
            rectify=pct(rectify_rate(o)),
            complete=pct(completion_rate(o)),
        ),
    ]
    overall = await figures.accepted_results(db, "round")
    lines.append(
        lt.STATS_RESULTS.format(
            money=f"{sum(r.money_x100 for r in overall) / 100:.2f}",
            rules=sum(r.rules for r in overall),
            people=sum(r.people for r in overall),
        )
    )
    for what, rows in (("单位", s.by_unit), ("问题类别", s.by_category), ("巡察轮次", s.by_round)):
        lines += ["", lt.STATS_SECTION.format(what=what)]
        shown = rows
        if len(rows) > STATS_ROWS:  # a province's thousand units: the worst, the rest counted
            shown = sorted(rows, key=lambda c: (-c.overdue, rectify_rate(c) or 0.0))[:STATS_ROWS]
            lines.append(lt.STATS_WORST.format(shown=len(shown), count=len(rows)))
        lines += [
            lt.STATS_LINE.format(
                label=c.label,
                total=c.total,
                rectify=pct(rectify_rate(c)),
                complete=pct(completion_rate(c)),
                overdue=c.overdue,
            )
            for c in shown
        ]
        if len(shown) < len(rows):
            rest = [c for c in rows if c not in shown]
            lines.append(
                lt.STATS_REST.format(
                    count=len(rest),
                    total=sum(c.total for c in rest),
                    overdue=sum(c.overdue for c in rest),
                )
            )
    for what, dimension in (("单位", "unit"), ("巡察轮次", "round")):
        results = await figures.accepted_results(db, dimension)  # type: ignore[arg-type]
        if results:
            lines += ["", lt.STATS_RESULTS_SECTION.format(what=what)]
            top = sorted(results, key=lambda r: -r.money_x100)[:STATS_ROWS]
            lines += [
                lt.STATS_RESULTS_LINE.format(
                    label=r.label, money=f"{r.money_x100 / 100:.2f}", rules=r.rules, people=r.people
                )
                for r in (results if len(results) <= STATS_ROWS else top)
            ]
            if len(results) > STATS_ROWS:
                lines.append(lt.STATS_RESULTS_REST.format(count=len(results) - STATS_ROWS))
    return "\n".join(lines)
