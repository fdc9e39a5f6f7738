"""Working days: the Chinese calendar with 调休, config additions, and the 2027 fallback."""

from __future__ import annotations

import logging
from datetime import date, datetime

import pytest

from bot.config import ScheduleConfig
from bot.services.duties.engine import Settings
from bot.services.duties.todo import unit_todo
from bot.services.workdays import WorkCalendar
from storage.duty_state import ProblemState
from tests.unit.duty_world import TZ


def test_chinese_calendar_and_config_additions() -> None:
    cal = WorkCalendar(extra_holidays=[date(2026, 12, 31)], extra_workdays=[date(2026, 11, 29)])
    assert cal.is_workday(date(2026, 9, 20))  # a Sunday made a workday (调休)
    assert cal.is_workday(date(2026, 10, 10))  # a Saturday made a workday
    assert not cal.is_workday(date(2026, 10, 5))  # National Day
    assert not cal.is_workday(date(2026, 12, 31))  # the office's own holiday
    assert cal.is_workday(date(2026, 11, 29))  # and its own working Sunday
    assert cal.workdays_before(date(2026, 10, 9), 3) == date(2026, 9, 29)  # over the holiday


def test_2027_falls_back_to_weekdays_and_warns_once(caplog: pytest.LogCaptureFixture) -> None:
    cal = WorkCalendar(extra_holidays=[date(2027, 1, 1)])
    with caplog.at_level(logging.WARNING):
        assert cal.is_workday(date(2027, 1, 4))  # a Monday
        assert not cal.is_workday(date(2027, 1, 9))  # a Saturday
        assert not cal.is_workday(date(2027, 1, 1))  # from the config
        assert cal.is_workday(date(2027, 1, 5))
    warnings = [r for r in caplog.records if "2027" in r.getMessage()]
    assert len(warnings) == 1


def test_a_january_2027_deadline_is_reminded_by_the_fallback(
    caplog: pytest.LogCaptureFixture,
) -> None:
    settings = Settings.from_config(ScheduleConfig())
    created = datetime(2026, 12, 1, tzinfo=TZ)
    problem = ProblemState(
        id=1,
        code="R7-01",
        unit_id=1,
        unit_name="县财政局",
        description="问题",
        kind="deadline",
        deadline=date(2027, 1, 15),
        status="imported",
        created_at=created,
        closed_at=None,
        last_report_at=datetime(2027, 1, 5, tzinfo=TZ),
        last_report_id=1,
    )
    cal = WorkCalendar()

    def listed(day: date) -> set[str]:
        after = cal.previous_workday(day)
        return unit_todo(
            1, [problem], day, after, settings, cal, latest=problem.last_report_at
        ).codes()

    with caplog.at_level(logging.WARNING):
        # Three working days before Friday 15 January: Tuesday 12 January; then Thursday.
        assert listed(date(2027, 1, 11)) == set()
        assert listed(date(2027, 1, 12)) == {"R7-01"}
        assert listed(date(2027, 1, 13)) == set()
        assert listed(date(2027, 1, 14)) == {"R7-01"}
    assert len([r for r in caplog.records if "2027" in r.getMessage()]) == 1
