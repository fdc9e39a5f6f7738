"""One definition of where a problem stands, in Python and in SQL, side by side.

Every figure and list the bot shows — /stats, /overdue, /units, a unit's to-do, the red
list, the daily and weekly digests, a unit's weekly part, the chart — takes its words
from here, so that two messages read at the same moment never disagree.

- **open** (未销号): not closed.
- **awaiting** (已完成待验收): the unit has claimed completion; the office holds the ball.
  An item awaiting acceptance is never overdue, red or chased: the unit has done its part.
- **overdue** (逾期): still the unit's to work on (未启动 or 整改中), dated (not 长期坚持),
  and its deadline is before today. Days overdue = today − deadline.
- **red** (红色预警): overdue by `red_after` days or more.
- **in_progress** (整改中) / **not_started** (未启动): the unit's to work on and not overdue.
  The five shares closed + awaiting + in_progress + not_started + overdue add up to the total.
- **silent** (a unit's, not a problem's): the unit still has problems to work on and has
  filed no report for the interval; counted from its latest report (on any of its
  problems), or from when the oldest problem it works on was imported when there is none.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal, Protocol
from zoneinfo import ZoneInfo

Share = Literal["closed", "awaiting", "in_progress", "not_started", "overdue"]
SHARES: tuple[Share, ...] = ("closed", "awaiting", "in_progress", "not_started", "overdue")
WORKING = ("imported", "in_progress")  # the unit's to work on


class Dated(Protocol):
    @property
    def status(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def deadline(self) -> date | None: ...


def is_open(p: Dated) -> bool:
    return p.status != "closed"


def is_working(p: Dated) -> bool:
    """未启动 or 整改中: the unit's to work on (not waiting for the office, not closed)."""
    return p.status in WORKING


def days_overdue(p: Dated, today: date) -> int:
    """Days past the deadline; 0 when not overdue."""
    if not is_working(p) or p.kind == "ongoing" or p.deadline is None or p.deadline >= today:
        return 0
    return (today - p.deadline).days


def is_overdue(p: Dated, today: date) -> bool:
    return days_overdue(p, today) > 0


def is_red(p: Dated, today: date, red_after: int) -> bool:
    return days_overdue(p, today) >= red_after


def share(p: Dated, today: date) -> Share:
    """The one share of the whole a problem counts in."""
    if p.status == "closed":
        return "closed"
    if p.status == "awaiting_acceptance":
        return "awaiting"
    if is_overdue(p, today):
        return "overdue"
    return "in_progress" if p.status == "in_progress" else "not_started"


@dataclass(frozen=True)
class Tally:
    """How many problems stand where; the five shares add up to the total."""

    total: int = 0
    closed: int = 0
    awaiting: int = 0
    in_progress: int = 0
    not_started: int = 0
    overdue: int = 0

    @classmethod
    def of(cls, problems: Iterable[Dated], today: date) -> Tally:
        counts = dict.fromkeys(SHARES, 0)
        total = 0
        for p in problems:
            counts[share(p, today)] += 1
            total += 1
        return cls(total=total, **counts)

    @property
    def open(self) -> int:
        return self.total - self.closed

    def rectify(self) -> float | None:
        """整改率 = 已销号 ÷ 问题总数."""
        return None if self.total == 0 else self.closed / self.total

    def complete(self) -> float | None:
        """完成率 = (已销号 + 已完成待验收) ÷ 问题总数."""
        return None if self.total == 0 else (self.closed + self.awaiting) / self.total


class Reported(Dated, Protocol):
    @property
    def created_at(self) -> datetime: ...
    @property
    def last_report_at(self) -> datetime | None: ...


def latest_report(problems: Iterable[Reported]) -> datetime | None:
    """The latest report on any of these problems (a unit's: all of them, closed ones too)."""
    return max((p.last_report_at for p in problems if p.last_report_at), default=None)


def silent_since(problems: Iterable[Reported], latest: datetime | None) -> datetime | None:
    """From when a unit has been silent: `latest`, its latest report on any of its problems
    (`latest_report` of them all), else the import of the oldest problem it still works on;
    None when it has nothing to work on. `problems` may hold only those it works on."""
    working = [p for p in problems if is_working(p)]
    if not working:
        return None
    return latest if latest is not None else min(p.created_at for p in working)


def silent_days(
    problems: Iterable[Reported], latest: datetime | None, today: date, tz: ZoneInfo
) -> int:
    """Whole days since the unit last reported on a problem it works on (0: nothing owed)."""
    since = silent_since(problems, latest)
    return 0 if since is None else (today - since.astimezone(tz).date()).days


# The same definitions for queries that count in the database (:today is an ISO date).
SQL_WORKING = "p.status IN ('imported', 'in_progress')"
SQL_OVERDUE = (
    f"({SQL_WORKING} AND p.kind != 'ongoing' AND p.deadline IS NOT NULL AND p.deadline < :today)"
)
# Red: overdue by `red_after` days or more, i.e. the deadline on or before :red_by.
SQL_RED = f"({SQL_OVERDUE} AND p.deadline <= :red_by)"


def _count(condition: str) -> str:
    """Rows where the condition holds, in SQL both engines run (PostgreSQL cannot SUM a
    boolean; COUNT(*) FILTER needs SQLite 3.30, older than some servers' 3.26)."""
    return f"COALESCE(SUM(CASE WHEN {condition} THEN 1 ELSE 0 END), 0)"


_CLOSED = "p.status = 'closed'"
_AWAITING = "p.status = 'awaiting_acceptance'"
_IN_PROGRESS = f"p.status = 'in_progress' AND NOT {SQL_OVERDUE}"
_NOT_STARTED = f"p.status = 'imported' AND NOT {SQL_OVERDUE}"
SQL_SHARES = (
    "COUNT(*) AS total,"
    f" {_count(_CLOSED)} AS closed,"
    f" {_count(_AWAITING)} AS awaiting,"
    f" {_count(_IN_PROGRESS)} AS in_progress,"
    f" {_count(_NOT_STARTED)} AS not_started,"
    f" {_count(SQL_OVERDUE)} AS overdue"
)


def sql_red_by(today: date, red_after: int) -> str:
    """:red_by for SQL_RED: the latest deadline a problem red `today` can have."""
    return (today - timedelta(days=red_after)).isoformat()
