"""Working days: the Chinese calendar with 调休, plus the office's own additions.

chinese-calendar knows 2004–2026. For a year it does not know, we fall back to Monday to
Friday plus the config lists, and say so in the log once per year.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import date, timedelta

import chinese_calendar

log = logging.getLogger(__name__)


class WorkCalendar:
    def __init__(self, extra_holidays: Iterable[date] = (), extra_workdays: Iterable[date] = ()):
        self._holidays = set(extra_holidays)
        self._workdays = set(extra_workdays)
        self._warned: set[int] = set()
        self._cache: dict[date, bool] = {}
        self._before: dict[tuple[date, int], date] = {}

    def is_workday(self, day: date) -> bool:
        if day in self._workdays:
            return True
        if day in self._holidays:
            return False
        cached = self._cache.get(day)
        if cached is None:
            cached = self._cache[day] = self._lookup(day)
        return cached

    def _lookup(self, day: date) -> bool:
        try:
            return bool(chinese_calendar.is_workday(day))
        except NotImplementedError:
            if day.year not in self._warned:
                self._warned.add(day.year)
                log.warning(
                    "chinese-calendar has no data for %d: using Monday to Friday plus the"
                    " config's extra_holidays and extra_workdays for that year",
                    day.year,
                )
            return day.weekday() < 5

    def previous_workday(self, day: date) -> date:
        """The last working day strictly before `day`."""
        day -= timedelta(days=1)
        while not self.is_workday(day):
            day -= timedelta(days=1)
        return day

    def on_or_before(self, day: date) -> date:
        return day if self.is_workday(day) else self.previous_workday(day)

    def on_or_after(self, day: date) -> date:
        while not self.is_workday(day):
            day += timedelta(days=1)
        return day

    def workdays_before(self, day: date, count: int) -> date:
        """The working day `count` working days before `day` (0: `day` itself)."""
        found = self._before.get((day, count))
        if found is None:
            found = day
            for _ in range(count):
                found = self.previous_workday(found)
            self._before[(day, count)] = found
        return found

    def next_workdays(self, day: date, count: int) -> list[date]:
        """The `count` working days after `day`."""
        found: list[date] = []
        while len(found) < count:
            day += timedelta(days=1)
            if self.is_workday(day):
                found.append(day)
        return found
