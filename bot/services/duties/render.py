"""A morning's to-do and red list as the messages people read."""

from __future__ import annotations

from datetime import datetime

from bot.messages import Button, OutMessage, shorten, utf16_len
from bot.services.duties.engine import Settings, Slot
from bot.services.duties.todo import ORDER, Item, RedList, Todo
from bot.services.ledger import template as t
from bot.services.workdays import WorkCalendar
from bot.texts import dates
from bot.texts import duties as dt
from storage import standing

LATE_AFTER_SECONDS = 30 * 60
TITLE_CHARS = 40
MAX_BUTTONS = 20  # two a row: ten rows under a phone's to-do
TEXT_BUDGET = 3600  # leaves room under Telegram's 4,096 for the footer lines


def late_note(slot: Slot, moment: datetime, settings: Settings) -> str:
    """Say a duty is late — only because the bot was not running at its time."""
    if (moment - slot.scheduled).total_seconds() <= LATE_AFTER_SECONDS:
        return ""
    return dt.LATE.format(at=dates.moment(slot.scheduled.astimezone(settings.tz))) + "\n"


def _title(text: str) -> str:
    return shorten(text, TITLE_CHARS)


def _item_line(item: Item, cal: WorkCalendar) -> str:
    p = item.problem
    title = _title(p.description)
    if item.reason == "overdue":
        assert p.deadline is not None
        line = dt.TODO_ITEM_OVERDUE.format(
            code=p.code, days=item.days, date=dates.short_day(p.deadline), title=title
        )
    elif item.reason == "due_today":
        line = dt.TODO_ITEM_TODAY.format(code=p.code, title=title)
    elif item.reason == "due_soon":
        assert p.deadline is not None
        template = dt.TODO_ITEM_SOON if cal.is_workday(p.deadline) else dt.TODO_ITEM_SOON_HOLIDAY
        line = template.format(code=p.code, date=dates.day(p.deadline), days=item.days, title=title)
    else:
        line = dt.TODO_ITEM_SILENT.format(code=p.code, title=title)
    if p.transfer:
        line += dt.TODO_TRANSFERRED.format(to=p.transfer)
    return line


def _section_head(todo: Todo, reason: str, count: int) -> str:
    if reason == "overdue":
        return dt.TODO_OVERDUE.format(count=count)
    if reason == "due_today":
        return dt.TODO_DUE_TODAY.format(count=count)
    if reason == "due_soon":
        return dt.TODO_DUE_SOON.format(count=count)
    return dt.TODO_SILENT.format(days=todo.silent_days, count=count)


class Budget:
    """Lines of one message within TEXT_BUDGET (UTF-16 units): what does not fit is counted."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        self.used = sum(utf16_len(line) + 1 for line in lines)
        self.left_out = 0

    def add(self, line: str, *, always: bool = False) -> None:
        if not always and self.used + utf16_len(line) + 1 > TEXT_BUDGET:
            self.left_out += 1
            return
        self.lines.append(line)
        self.used += utf16_len(line) + 1


def todo_message(todo: Todo, *, in_group: bool, cal: WorkCalendar, note: str = "") -> OutMessage:
    """One message: every item with its code, a button for each of the first twenty.

    A long list stays one message: lines past the text budget are counted, not shown
    (a reply starting with any code still reports on it, and /mine lists them all).
    """
    head = note + dt.TODO_HEAD.format(unit=todo.unit_name, date=dates.day(todo.day))
    text = Budget([head, dt.TODO_ASK])
    for reason in ORDER:
        group = [i for i in todo.items if i.reason == reason]
        if group:
            text.add(_section_head(todo, reason, len(group)), always=True)
            for item in group:
                text.add(_item_line(item, cal))
    lines = text.lines
    if text.left_out:
        lines.append(dt.MORE.format(count=text.left_out))
    with_button = todo.items[:MAX_BUTTONS]
    if len(todo.items) > MAX_BUTTONS:
        lines.append(dt.TODO_MORE_BUTTONS.format(count=len(todo.items) - MAX_BUTTONS))
    lines.append(dt.TODO_HOW_GROUP if in_group else dt.TODO_HOW_PRIVATE)
    if any(i.reason == "overdue" for i in todo.items):
        lines.append(dt.TODO_EXTEND)
    # Built without validation: a thousand to-dos of twenty buttons each, all of one safe
    # shape ("rp:" and a row id: far under 64 bytes).
    buttons = [
        Button.model_construct(
            text=dt.TODO_BUTTON.format(code=i.problem.code), action=f"rp:{i.problem.id}"
        )
        for i in with_button
    ]
    rows = tuple(tuple(buttons[n : n + 2]) for n in range(0, len(buttons), 2))
    return OutMessage.model_construct(text="\n".join(lines), buttons=rows)


def red_message(red: RedList, settings: Settings, note: str = "") -> str:
    lines = [
        note + dt.RED_HEAD.format(date=dates.day(red.day)),
        (dt.RED_INTRO_FIRST if red.first else dt.RED_INTRO).format(days=settings.red_after),
    ]
    text = Budget(lines)
    for p in red.new:
        assert p.deadline is not None
        line = dt.RED_ITEM.format(
            code=p.code,
            unit=p.unit_name,
            days=standing.days_overdue(p, red.day),
            date=dates.short_day(p.deadline),
            status=t.STATUS_NAMES[p.status],  # type: ignore[index]
            title=_title(p.description),
        )
        if p.transfer:
            line += "\n  " + dt.TRANSFERRED.format(to=p.transfer)
        text.add(line)
    if text.left_out:
        lines.append(dt.MORE.format(count=text.left_out) + dt.RED_MORE)
    lines.append(dt.RED_TOTAL.format(total=red.total, new=len(red.new)))
    lines.append(dt.RED_TRANSFER_HINT)
    return "\n".join(lines)
