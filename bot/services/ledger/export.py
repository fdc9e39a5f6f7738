"""The ledger as an .xlsx a Chinese office would hand to a leader."""

from __future__ import annotations

import asyncio
import io
import re
from collections.abc import Sequence
from datetime import date
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from bot.services.ledger import template as t
from bot.services.ledger.figures import completion_rate, rectify_rate
from storage import audit, figures, ledger, progress
from storage.figures import Counts
from storage.ledger import Problem
from storage.models import AuditEntry
from storage.progress import LatestReport
from storage.reader import Reader

EXTRA = ("状态", "最近报告时间", "最近进展", "逾期天数")
WIDTHS = (14, 22, 14, 48, 48, 10, 10, 12, 10, 24, 12, 18, 40, 10)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
DATE_FORMAT = "yyyy-mm-dd"
# What a workbook cannot hold: C0 controls but tab and newlines (openpyxl refuses them), the
# surrogates and the two non-characters (they make the XML invalid).
_UNWRITABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def writable(text: str) -> str:
    """The text without the characters a workbook cannot hold."""
    return _UNWRITABLE.sub("", text)


def _append(sheet: Worksheet, values: Sequence[object]) -> int:
    """Add one row; every string is written as text, never as a formula, whatever it starts
    with (a unit named "=HYPERLINK(…)" stays those characters). Returns the row's number."""
    sheet.append([writable(v) if isinstance(v, str) else v for v in values])
    row = sheet.max_row
    for cell in sheet[row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"
    return row


def _header(sheet: Worksheet, names: tuple[str, ...], widths: tuple[int, ...]) -> None:
    _append(sheet, names)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center")
    sheet.freeze_panes = "A2"
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width


def days_overdue(deadline: date | None, kind: str, status: str, today: date) -> int:
    if deadline is None or kind == "ongoing" or status == "closed" or deadline >= today:
        return 0
    return (today - deadline).days


async def export_xlsx(db: Reader, today: date, timezone: str) -> bytes:
    """Every problem with its status and latest progress, and a sheet of per-unit figures."""
    problems = await ledger.all_problems(db)
    latest = await progress.latest_per_problem(db)
    counts = [*await figures.counts_by(db, "unit", today), await figures.totals(db, today)]
    trail = await audit.entries(db)
    # Building the workbook is CPU work: off the event loop, so other chats go on.
    zone = ZoneInfo(timezone)
    return await asyncio.to_thread(_workbook, problems, latest, counts, trail, today, zone)


def _workbook(
    problems: list[Problem],
    latest: dict[int, LatestReport],
    counts: list[Counts],
    trail: list[AuditEntry],
    today: date,
    zone: ZoneInfo,
) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "问题台账"
    _header(sheet, (*t.COLUMNS, t.ROUND, *EXTRA), WIDTHS)
    for p in problems:
        report = latest.get(p.id)
        reported = report.created_at.astimezone(zone).replace(tzinfo=None) if report else None
        row = _append(
            sheet,
            [
                p.code,
                p.unit_name,
                p.category,
                p.description,
                p.measures,
                p.leader_name,
                p.owner_name,
                p.deadline if p.deadline else "长期坚持",
                t.KIND_NAMES[p.kind],  # type: ignore[index]
                p.round_name,
                t.STATUS_NAMES[p.status],  # type: ignore[index]
                reported,
                report.text[:300] if report else "",
                days_overdue(p.deadline, p.kind, p.status, today),
            ],
        )
        sheet.cell(row=row, column=8).number_format = DATE_FORMAT
        sheet.cell(row=row, column=12).number_format = "yyyy-mm-dd hh:mm"
        for column in (4, 5, 13):
            sheet.cell(row=row, column=column).alignment = Alignment(wrap_text=True, vertical="top")
    units = book.create_sheet("单位统计")
    _header(
        units,
        (
            "被巡察单位",
            "问题总数",
            "已销号",
            "已完成待验收",
            "整改中",
            "未启动",
            "逾期",
            "整改率",
            "完成率",
        ),
        (24, 10, 10, 14, 10, 10, 8, 10, 10),
    )
    for c in counts:
        row = _append(
            units,
            [
                c.label,
                c.total,
                c.closed,
                c.awaiting,
                c.in_progress,
                c.not_started,
                c.overdue,
                rectify_rate(c),
                completion_rate(c),
            ],
        )
        for column in (8, 9):
            units.cell(row=row, column=column).number_format = "0.0%"
    log = book.create_sheet("审计日志")
    _header(
        log,
        ("时间", "操作人", "操作", "对象", "编号", "变更前", "变更后", "说明"),
        (18, 12, 16, 10, 8, 40, 40, 30),
    )
    for e in trail:
        row = _append(
            log,
            [
                e.at.astimezone(zone).replace(tzinfo=None),
                e.actor_label,
                e.action,
                e.entity,
                e.entity_id,
                e.before or "",
                e.after or "",
                e.detail or "",
            ],
        )
        log.cell(row=row, column=1).number_format = "yyyy-mm-dd hh:mm:ss"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
