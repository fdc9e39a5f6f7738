"""A unit's to-do stays one message within Telegram's limits, however long its list."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from bot.config import ScheduleConfig
from bot.messages import CALLBACK_DATA_MAX_BYTES, fit, utf16_len
from bot.services.duties.engine import Settings
from bot.services.duties.render import MAX_BUTTONS, todo_message
from bot.services.duties.todo import unit_todo
from bot.services.workdays import WorkCalendar
from storage.duty_state import ProblemState
from tests.unit.duty_world import TZ

TODAY = date(2026, 11, 24)
CAL = WorkCalendar()


def _problem(n: int, late: int) -> ProblemState:
    return ProblemState(
        id=n,
        code=f"R9-01-{n:03d}",
        unit_id=1,
        unit_name="县自然资源和规划局",
        description="耕地保护责任落实不到位，违法占用耕地问题整改不彻底，" * 3,
        deadline=TODAY - timedelta(days=late),
        kind="deadline",
        status="in_progress",
        created_at=datetime(2026, 9, 1, tzinfo=TZ),
        closed_at=None,
        last_report_at=datetime(2026, 11, 23, 10, tzinfo=TZ),
        last_report_id=n,
    )


def test_a_long_todo_is_one_message_with_the_worst_first_and_the_rest_counted() -> None:
    problems = [_problem(n, late=n) for n in range(1, 121)]
    todo = unit_todo(
        1,
        problems,
        TODAY,
        TODAY - timedelta(days=1),
        Settings.from_config(ScheduleConfig()),
        CAL,
        latest=None,
    )
    assert len(todo.items) == 120
    message = todo_message(todo, in_group=True, cal=CAL)
    assert len(fit(message)) == 1
    assert utf16_len(message.text) <= 4096
    shown = [c for c in (p.code for p in problems) if c in message.text]
    assert "R9-01-120" in shown  # the most overdue first
    assert "R9-01-001" not in shown
    assert f"……另有 {120 - len(shown)} 项，略" in message.text
    buttons = [b for row in message.buttons for b in row]
    assert len(buttons) == MAX_BUTTONS
    assert buttons[0].text == "报告 R9-01-120"
    assert all(len(b.action.encode()) <= CALLBACK_DATA_MAX_BYTES for b in buttons)
    assert "其余 100 项未设按钮" in message.text
    assert "/report" not in message.text  # the group refuses /report: say what works there
    private = todo_message(todo, in_group=False, cal=CAL)
    assert "/report" in private.text
