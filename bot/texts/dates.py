"""One way to write a date in a message: 11月27日（周五）; a week: 第48周（11月23日—11月27日）.

Tables (the export, the attached workbook) keep ISO dates; messages people read use these.
"""

from __future__ import annotations

from datetime import date, datetime

WEEKDAY_NAMES = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")


def day(d: date) -> str:
    """11月27日（周五）."""
    return f"{d.month}月{d.day}日（{WEEKDAY_NAMES[d.weekday()]}）"


def short_day(d: date) -> str:
    """11月27日, where the weekday would be noise (a list of deadlines)."""
    return f"{d.month}月{d.day}日"


def moment(at: datetime) -> str:
    """11月27日（周五）16:05, in the time zone `at` carries."""
    return f"{day(at.date())}{at:%H:%M}"


def week(first: date, last: date) -> str:
    """第48周（11月23日—11月27日）: the ISO week number and the days it covers."""
    return f"第{first.isocalendar()[1]}周（{short_day(first)}—{short_day(last)}）"
