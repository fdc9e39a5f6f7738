"""The figures people quote: 整改率 and 完成率, always saying which is which."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from storage import figures
from storage.figures import Counts, Dimension
from storage.reader import Reader


def rate(part: int, total: int) -> float | None:
    return None if total == 0 else part / total


def pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def rectify_rate(c: Counts) -> float | None:
    """整改率 = closed ÷ total."""
    return rate(c.closed, c.total)


def completion_rate(c: Counts) -> float | None:
    """完成率 = (closed + awaiting acceptance) ÷ total."""
    return rate(c.closed + c.awaiting, c.total)


@dataclass(frozen=True)
class Stats:
    overall: Counts
    by_unit: list[Counts]
    by_category: list[Counts]
    by_round: list[Counts]


async def stats(db: Reader, today: date) -> Stats:
    dims: tuple[Dimension, ...] = ("unit", "category", "round")
    groups = [await figures.counts_by(db, d, today) for d in dims]
    return Stats(await figures.totals(db, today), *groups)
