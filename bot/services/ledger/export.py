"""The ledger as an .xlsx a Chinese office would hand to a leader.

The workbook is written as a stream (openpyxl's write-only mode) from pages of the ledger:
time grows with the ledger's length and memory stays at about one page, where building it
cell by cell in memory took minutes and gigabytes past a few thousand problems.
"""

from __future__ import annotations

import asyncio
import io
import re
from collections.abc import Sequence
from datetime import date, datetime
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from bot.services.ledger import template as t
from bot.services.ledger.figures import completion_rate, rectify_rate
from storage import audit, figures, ledger, progress, standing
from storage.figures import Counts
from storage.ledger import Problem
from storage.models import AuditEntry
from storage.progress import LatestReport
from storage.reader import Reader

EXTRA = ("状态", "最近报告时间", "最近进展", "逾期天数")
WIDTHS = (14, 22, 14, 48, 48, 10, 10, 12, 10, 24, 12, 18, 40, 10)
UNIT_COLUMNS = (
    "被巡察单位",
    "问题总数",
    "已销号",
    "已完成待验收",
    "整改中",
    "未启动",
    "逾期",
    "整改率",
    "完成率",
)
UNIT_WIDTHS = (24, 10, 10, 14, 10, 10, 8, 10, 10)
LOG_COLUMNS = ("时间", "操作人", "操作", "对象", "编号", "变更前", "变更后", "说明")
LOG_WIDTHS = (18, 12, 16, 10, 8, 40, 40, 30)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
DATE_FORMAT = "yyyy-mm-dd"
REPORTED_FORMAT = "yyyy-mm-dd hh:mm"
LOGGED_FORMAT = "yyyy-mm-dd hh:mm:ss"
RATE_FORMAT = "0.0%"
WRAP = Alignment(wrap_text=True, vertical="top")
Value = str | int | float | date | datetime | None
PAGE = 500  # problems or log entries read, and written, at a time
# What a workbook cannot hold: C0 controls but tab and newlines (openpyxl refuses them), the
# surrogates and the two non-characters (they make the XML invalid).
_UNWRITABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def writable(text: str) -> str:
    """The text without the characters a workbook cannot hold."""
    return _UNWRITABLE.sub("", text)


class _Sheet:
    """One streamed sheet: a styled, frozen header, then rows as they come."""

    def __init__(
        self, book: Workbook, title: str, names: tuple[str, ...], widths: tuple[int, ...]
    ) -> None:
        sheet = book.create_sheet(title)
        assert isinstance(sheet, WriteOnlyWorksheet)
        self.sheet = sheet
        # Write-only: everything above the rows is set before the first row goes out.
        sheet.freeze_panes = "A2"
        for index, width in enumerate(widths, start=1):
            # The stubs miss it, but a write-only sheet has column_dimensions (Worksheet._setup).
            dimensions = sheet.column_dimensions  # type: ignore[attr-defined]
            dimensions[get_column_letter(index)].width = width
        header = []
        for name in names:
            cell = WriteOnlyCell(sheet, name)
            cell.font = Font(bold=True)
            cell.fill = HEADER_FILL
            cell.alignment = Alignment(horizontal="center", vertical="center")
            header.append(cell)
        sheet.append(header)

    def cell(
        self, value: Value, number_format: str | None = None, alignment: Alignment | None = None
    ) -> Value | Cell:
        """A cell's value, or the cell itself where it needs a style or must stay text.

        Every string is written as text, never as a formula, whatever it starts with (a unit
        named "=HYPERLINK(…)" stays those characters).
        """
        forced = False
        if isinstance(value, str):
            value = writable(value)
            # openpyxl takes a string that starts with = for a formula, with # for an error.
            forced = value[:1] in ("=", "#")
        if number_format is None and alignment is None and not forced:
            return value
        cell = WriteOnlyCell(self.sheet, value)  # type: ignore[arg-type]  # dates work too
        if isinstance(value, str):
            cell.data_type = "s"
        if number_format is not None:
            cell.number_format = number_format
        if alignment is not None:
            cell.alignment = alignment
        return cell

    def append(self, cells: Sequence[Value | Cell]) -> None:
        self.sheet.append(list(cells))


class _Book:
    """The workbook being written: its three sheets in the order a reader meets them."""

    def __init__(self, today: date, zone: ZoneInfo) -> None:
        self.today = today
        self.zone = zone
        self.book = Workbook(write_only=True)
        self.ledger = _Sheet(self.book, "问题台账", (*t.COLUMNS, t.ROUND, *EXTRA), WIDTHS)
        self.units = _Sheet(self.book, "单位统计", UNIT_COLUMNS, UNIT_WIDTHS)
        self.log = _Sheet(self.book, "审计日志", LOG_COLUMNS, LOG_WIDTHS)

    def problems(self, problems: list[Problem], latest: dict[int, LatestReport]) -> None:
        s = self.ledger
        for p in problems:
            report = latest.get(p.id)
            reported = (
                report.created_at.astimezone(self.zone).replace(tzinfo=None) if report else None
            )
            s.append(
                [
                    s.cell(p.code),
                    s.cell(p.unit_name),
                    s.cell(p.category),
                    s.cell(p.description, alignment=WRAP),
                    s.cell(p.measures, alignment=WRAP),
                    s.cell(p.leader_name),
                    s.cell(p.owner_name),
                    s.cell(p.deadline if p.deadline else "长期坚持", DATE_FORMAT),
                    s.cell(t.KIND_NAMES[p.kind]),  # type: ignore[index]
                    s.cell(p.round_name),
                    s.cell(t.STATUS_NAMES[p.status]),  # type: ignore[index]
                    s.cell(reported, REPORTED_FORMAT),
                    s.cell(report.text[:300] if report else "", alignment=WRAP),
                    s.cell(standing.days_overdue(p, self.today)),
                ]
            )

    def counts(self, counts: list[Counts]) -> None:
        s = self.units
        for c in counts:
            s.append(
                [
                    s.cell(c.label),
                    c.total,
                    c.closed,
                    c.awaiting,
                    c.in_progress,
                    c.not_started,
                    c.overdue,
                    s.cell(rectify_rate(c), RATE_FORMAT),
                    s.cell(completion_rate(c), RATE_FORMAT),
                ]
            )

    def trail(self, entries: list[AuditEntry]) -> None:
        s = self.log
        for e in entries:
            s.append(
                [
                    s.cell(e.at.astimezone(self.zone).replace(tzinfo=None), LOGGED_FORMAT),
                    s.cell(e.actor_label),
                    s.cell(e.action),
                    s.cell(e.entity),
                    e.entity_id,
                    s.cell(e.before or ""),
                    s.cell(e.after or ""),
                    s.cell(e.detail or ""),
                ]
            )

    def save(self) -> bytes:
        buffer = io.BytesIO()
        self.book.save(buffer)
        return buffer.getvalue()


async def export_xlsx(db: Reader, today: date, timezone: str) -> bytes:
    """Every problem with its status and latest progress, per-unit figures, the audit log."""
    # Writing rows is CPU work: each page goes off the event loop, so other chats go on.
    book = await asyncio.to_thread(_Book, today, ZoneInfo(timezone))
    for round_ in await ledger.rounds(db):
        after = 0
        while problems := await ledger.problems_page(db, round_.id, after, PAGE):
            latest = await progress.latest_of(db, [p.id for p in problems])
            await asyncio.to_thread(book.problems, problems, latest)
            after = problems[-1].id
    counts = [*await figures.counts_by(db, "unit", today), await figures.totals(db, today)]
    await asyncio.to_thread(book.counts, counts)
    after = 0
    while entries := await audit.entries_page(db, after, PAGE):
        await asyncio.to_thread(book.trail, entries)
        after = entries[-1].id
    return await asyncio.to_thread(book.save)
