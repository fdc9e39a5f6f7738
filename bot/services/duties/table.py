"""The weekly digest's full table as a workbook, for when the message shows only the worst."""

from __future__ import annotations

import io
from datetime import date

from openpyxl import Workbook

from bot.services.duties.digest import UnitRow
from bot.services.ledger import template as t
from bot.services.ledger.figures import pct
from storage import standing
from storage.duty_state import ProblemState

UNIT_HEADER = ("单位", "问题总数", "已销号", "待验收", "整改中", "未启动", "逾期", "整改率")
RED_HEADER = ("问题编号", "单位", "整改时限", "逾期天数", "状态", "移交纪检监察", "问题描述")


def weekly_workbook(rows: list[UnitRow], red: list[ProblemState], day: date) -> bytes:
    """Every unit's five shares (worst first) and every red item, ISO dates; written as a
    stream, so 1,000 units and 5,000 red items take little memory."""
    book = Workbook(write_only=True)
    units = book.create_sheet("各单位")
    units.append(UNIT_HEADER)
    for r in rows:
        u = r.tally
        units.append(
            (
                r.name,
                u.total,
                u.closed,
                u.awaiting,
                u.in_progress,
                u.not_started,
                u.overdue,
                pct(u.rectify()),
            )
        )
    reds = book.create_sheet("红色预警")
    reds.append(RED_HEADER)
    for p in red:
        reds.append(
            (
                p.code,
                p.unit_name,
                p.deadline.isoformat() if p.deadline else "",
                standing.days_overdue(p, day),
                t.STATUS_NAMES[p.status],  # type: ignore[index]
                p.transfer or "",
                p.description,
            )
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
