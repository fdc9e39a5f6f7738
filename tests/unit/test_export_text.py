"""The export writes every text as text, whatever characters the ledger's texts hold.

A stray control character (pasted from Word or a terminal) once made every later export fail,
and a unit named like a formula became a live formula in 单位统计. Every cell of every sheet
must read back as the same string, minus the characters a workbook cannot hold.
"""

from __future__ import annotations

import io
from datetime import date

from openpyxl import load_workbook

from bot.services.ledger.export import export_xlsx
from bot.services.ledger.rows import LedgerRow
from storage import audit, ledger, people, reports
from storage.db import Database
from storage.reports import NewReport
from tests.unit.test_ledger_import import AT, TODAY, import_rows

UNITS = ['=HYPERLINK("http://x","y")', "+1-2", "-3+4", "@SUM(A1:A2)", "县\x07财政\x1b局"]
DESCRIPTION = "整改\x0b材料（从 Word 粘贴）\x1b[31m"
MEASURES = "=1+1"
REPORT = "已完成\x07第一阶段\x0b整改"
DETAIL = "=cmd|' /C calc'!A0 \x1b 说明"
ILLEGAL = "\x07\x0b\x1b"


def without_illegal(text: str) -> str:
    return text.translate({ord(ch): None for ch in ILLEGAL})


async def hostile_ledger(db: Database) -> None:
    rows = [
        LedgerRow(
            row=n + 2,
            round_name=None,
            code=f"R6-01-{n:03d}",
            unit=unit,
            category="=作风建设",
            description=DESCRIPTION,
            measures=MEASURES,
            leader_name="@周海燕",
            owner_name="+吴晓东",
            deadline=date(2026, 12, 31),
            kind="deadline",
        )
        for n, unit in enumerate(UNITS)
    ]
    await import_rows(db, rows)
    problem = (await ledger.by_code(db, "R6-01-000"))[0]
    async with db.transaction() as tx:
        person = await people.upsert(tx, 501, "陈志明", None, AT)
        report = NewReport(
            problem_id=problem.id,
            person_id=person.id,
            claim="progress",
            text=REPORT,
            recovered_wan_x100=None,
            rules_count=None,
            accountable_count=None,
            source_update_id=None,
            chat_id=501,
            status_before="imported",
            status_after="in_progress",
        )
        await reports.insert(tx, report, "ZG-{id}", AT)
        await audit.record(
            tx,
            at=AT,
            actor_id=None,
            actor_label="=管理员",
            action="test",
            entity="problem",
            entity_id=problem.id,
            detail=DETAIL,
        )


async def test_every_text_of_every_sheet_is_written_as_text(db: Database) -> None:
    await hostile_ledger(db)
    data = await export_xlsx(db, TODAY, "Asia/Shanghai")
    book = load_workbook(io.BytesIO(data))
    strings = {
        sheet.title: [
            (cell.value, cell.data_type)
            for row in sheet.iter_rows()
            for cell in row
            if isinstance(cell.value, str)
        ]
        for sheet in book.worksheets
    }
    for title, cells in strings.items():
        assert cells, title
        assert {kind for _, kind in cells} == {"s"}, title  # no formula anywhere
    ledger_texts = {value for value, _ in strings["问题台账"]}
    unit_texts = {value for value, _ in strings["单位统计"]}
    log_texts = {value for value, _ in strings["审计日志"]}
    for unit in UNITS:
        assert without_illegal(unit) in ledger_texts
        assert without_illegal(unit) in unit_texts
    assert without_illegal(DESCRIPTION) in ledger_texts
    assert MEASURES in ledger_texts
    assert without_illegal(REPORT) in ledger_texts
    assert without_illegal(DETAIL) in log_texts
    assert "=管理员" in log_texts


async def test_a_second_export_after_a_hostile_text_still_works(db: Database) -> None:
    await hostile_ledger(db)
    first = await export_xlsx(db, TODAY, "Asia/Shanghai")
    second = await export_xlsx(db, TODAY, "Asia/Shanghai")
    assert load_workbook(io.BytesIO(first))["问题台账"].max_row == len(UNITS) + 1
    assert load_workbook(io.BytesIO(second))["问题台账"].max_row == len(UNITS) + 1
