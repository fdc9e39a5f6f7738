"""The export, cell by cell: what each sheet holds, in which order, formatted how.

The export is written as a stream, a page of the ledger at a time. Paging must change
nothing a reader sees: every problem once, in round then id order (even where a later import
added to an earlier round), its latest report that was not withdrawn, every unit's figures
and every audit entry, with the same header, widths, frozen header row and cell formats.
"""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta

import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from bot.services.ledger import export
from bot.services.ledger import template as t
from bot.services.ledger.export import export_xlsx
from bot.services.ledger.figures import completion_rate, rectify_rate
from bot.services.ledger.rows import LedgerRow
from storage import audit, figures, ledger, people, progress, reports, standing
from storage.db import Database
from storage.reports import NewReport
from tests.unit.test_ledger_import import AT, TODAY, import_rows

ZONE = "Asia/Shanghai"


def ledger_row(n: int, unit: str, deadline: date | None) -> LedgerRow:
    return LedgerRow(
        row=n + 2,
        round_name=None,
        code=f"R-{n:03d}",
        unit=unit,
        category="作风建设",
        description=f"问题描述{n}\n第二行",
        measures="整改措施",
        leader_name="周海燕",
        owner_name="吴晓东",
        deadline=deadline,
        kind="ongoing" if deadline is None else "deadline",
    )


async def ledger_over_two_rounds(db: Database) -> None:
    """Round A, then round B, then more of round A: ids and rounds do not go together."""
    units = ("县财政局", "县教育局", "=县卫健委")
    first = [ledger_row(n, units[n % 3], TODAY - timedelta(days=n)) for n in range(5)]
    await import_rows(db, first, "第一轮")
    await import_rows(db, [ledger_row(n, units[n % 3], None) for n in range(5, 8)], "第二轮")
    await import_rows(db, [ledger_row(n, "县交通局", TODAY) for n in range(8, 11)], "第一轮")
    async with db.transaction() as tx:
        await tx.execute(
            "UPDATE problems SET status = 'closed', closed_at = ? WHERE id = 1", (AT.isoformat(),)
        )
        person = await people.upsert(tx, 501, "陈志明", None, AT)
        for problem_id, text, minutes in ((2, "第一次", 0), (2, "第二次", 5), (3, "撤回的", 9)):
            report = NewReport(
                problem_id=problem_id,
                person_id=person.id,
                claim="progress",
                text=text,
                recovered_wan_x100=None,
                rules_count=None,
                accountable_count=None,
                source_update_id=None,
                chat_id=501,
                status_before="imported",
                status_after="in_progress",
            )
            made = await reports.insert(tx, report, "ZG-{id}", AT + timedelta(minutes=minutes))
        await reports.mark_withdrawn(tx, made.id, AT)
        for n in range(5):
            await audit.record(
                tx,
                at=AT + timedelta(seconds=n),
                actor_id=None,
                actor_label="王主任",
                action="status",
                entity="problem",
                entity_id=n + 1,
                before={"status": "未启动"},
                detail=f"第{n}条",
            )


def values(sheet: Worksheet) -> list[list[object]]:
    return [list(r) for r in sheet.iter_rows(min_row=2, values_only=True)]


def assert_header(sheet: Worksheet, names: tuple[str, ...], widths: tuple[int, ...]) -> None:
    assert sheet.freeze_panes == "A2"
    assert [c.value for c in sheet[1]] == list(names)
    for cell in sheet[1]:
        assert cell.font.b
        assert cell.fill.fgColor.rgb == "00DDEBF7"
        assert (cell.alignment.horizontal, cell.alignment.vertical) == ("center", "center")
    assert [sheet.column_dimensions[c.column_letter].width for c in sheet[1]] == list(widths)


@pytest.mark.parametrize("page", [2, 500])
async def test_every_sheet_holds_what_the_ledger_holds(
    db: Database, monkeypatch: pytest.MonkeyPatch, page: int
) -> None:
    monkeypatch.setattr(export, "PAGE", page)
    await ledger_over_two_rounds(db)
    book = load_workbook(io.BytesIO(await export_xlsx(db, TODAY, ZONE)))
    assert book.sheetnames == ["问题台账", "单位统计", "审计日志"]

    sheet = book["问题台账"]
    assert_header(sheet, (*t.COLUMNS, t.ROUND, *export.EXTRA), export.WIDTHS)
    problems = await ledger.all_problems(db)
    assert [p.id for p in problems] == [1, 2, 3, 4, 5, 9, 10, 11, 6, 7, 8]
    latest = await progress.latest_per_problem(db)
    assert {k: v.text for k, v in latest.items()} == {2: "第二次"}
    expected = []
    for p in problems:
        report = latest.get(p.id)
        expected.append(
            [
                p.code,
                p.unit_name,
                p.category,
                p.description,
                p.measures,
                p.leader_name,
                p.owner_name,
                datetime.combine(p.deadline, datetime.min.time()) if p.deadline else "长期坚持",
                t.KIND_NAMES[p.kind],
                p.round_name,
                t.STATUS_NAMES[p.status],
                report.created_at.astimezone(export.ZoneInfo(ZONE)).replace(tzinfo=None)
                if report
                else None,
                report.text if report else None,  # an empty cell reads back as None
                standing.days_overdue(p, TODAY),
            ]
        )
    assert values(sheet) == expected
    for cells in sheet.iter_rows(min_row=2):
        assert cells[7].number_format == export.DATE_FORMAT
        assert cells[11].number_format == export.REPORTED_FORMAT
        for index in (3, 4, 12):
            assert cells[index].alignment.wrap_text
            assert cells[index].alignment.vertical == "top"
        assert {c.data_type for c in cells if isinstance(c.value, str)} == {"s"}

    units = book["单位统计"]
    assert_header(units, export.UNIT_COLUMNS, export.UNIT_WIDTHS)
    counts = [*await figures.counts_by(db, "unit", TODAY), await figures.totals(db, TODAY)]
    assert values(units) == [
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
        ]
        for c in counts
    ]
    for cells in units.iter_rows(min_row=2):
        assert [c.number_format for c in cells[7:9]] == [export.RATE_FORMAT] * 2
    assert units["A4"].data_type == "s"  # the unit named like a formula

    log = book["审计日志"]
    assert_header(log, export.LOG_COLUMNS, export.LOG_WIDTHS)
    trail = await audit.entries(db)
    assert len(trail) == 8  # three imports and five changes: more than one page of two
    assert values(log) == [
        [
            e.at.astimezone(export.ZoneInfo(ZONE)).replace(tzinfo=None),
            e.actor_label,
            e.action,
            e.entity,
            e.entity_id,
            e.before,
            e.after,
            e.detail,
        ]
        for e in trail
    ]
    assert {c.number_format for c in next(log.iter_cols(min_row=2, max_col=1))} == {
        export.LOGGED_FORMAT
    }
