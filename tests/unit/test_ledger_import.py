"""Importing the ledger as an inspection office checks it (product.md → The import template).

A bad file is refused whole and every bad cell is listed as row + column + reason; what a
hand-kept sheet usually looks like (full-width digits, stray spaces, several date styles,
GB18030 CSV) is read as meant; re-importing changes nothing; a changed cell changes that
field only; the export reads back as the same ledger; the command line behaves the same.
"""

from __future__ import annotations

import csv
import io
import random
import subprocess
import sys
import time
from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook

from bot.sample import ROUND, sample_rows, write_xlsx
from bot.services.ledger import report_text, session
from bot.services.ledger import template as t
from bot.services.ledger.export import export_xlsx
from bot.services.ledger.importer import (
    DEADLINE_REASON,
    ChangedRow,
    FieldChange,
    ImportPlan,
    apply_import,
    plan_import,
)
from bot.services.ledger.rows import LedgerRow, RowError
from storage import ledger, people, reports
from storage.db import Database
from storage.migrations import open_database
from storage.reports import NewReport
from tests import dbs
from tests.conftest import ADMIN_ID

REPO = Path(__file__).resolve().parents[2]
TODAY = date(2026, 11, 23)
AT = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
HEADER = list(t.COLUMNS)
SAMPLE_SIZE = 52

Cells = list[object]


def row(
    code: str = "R6-01-001",
    unit: str = "县财政局",
    category: str = "作风建设",
    description: str = "违规发放津补贴，2024年以来共计18.6万元",
    measures: str = "全额清退违规发放的津补贴",
    leader: str = "周海燕",
    owner: str = "吴晓东",
    deadline: object = "2026-12-31",
    kind: str = "限期整改",
) -> Cells:
    return [code, unit, category, description, measures, leader, owner, deadline, kind]


def good_rows(count: int = 3) -> list[Cells]:
    return [row(code=f"R6-01-{n:03d}") for n in range(1, count + 1)]


def csv_bytes(
    rows: Sequence[Sequence[object]], header: Sequence[str] = HEADER, encoding: str = "utf-8"
) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(rows: list[Cells], header: list[str] = HEADER) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(header)
    for cells in rows:
        sheet.append(cells)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def where(errors: list[RowError]) -> list[tuple[int, str]]:
    return [(e.row, e.column) for e in errors]


async def ledger_counts(db: Database) -> tuple[int, int, int, int]:
    """Problems, units, rounds, pending imports: all zero when nothing was written."""
    return (
        await db.scalar("SELECT COUNT(*) FROM problems"),
        await db.scalar("SELECT COUNT(*) FROM units"),
        await db.scalar("SELECT COUNT(*) FROM rounds"),
        await db.scalar("SELECT COUNT(*) FROM imports"),
    )


async def refused_whole(db: Database, data: bytes, file_name: str) -> list[RowError]:
    """The admin's path refuses the file with the checker's errors; the ledger stays empty."""
    errors = session.check_file(data, file_name).errors
    assert errors, "the file should have been refused"
    outcome = await session.prepare(db, data, file_name, "", by=ADMIN_ID, chat_id=ADMIN_ID, at=AT)
    assert isinstance(outcome, session.Refused)
    assert outcome.errors == errors
    assert await ledger_counts(db) == (0, 0, 0, 0)
    text = report_text.refusal(errors, shown=None)
    for error in errors:  # what the admin reads names every error: row, column, reason
        assert f"第 {error.row} 行 · {error.column}：{error.reason}" in text
    return errors


async def import_rows(db: Database, rows: list[LedgerRow], round_name: str = ROUND) -> ImportPlan:
    async with db.transaction() as tx:
        return await apply_import(tx, rows, round_name, by=None, by_label="test", at=AT)


def checked_rows(data: bytes, file_name: str) -> list[LedgerRow]:
    parsed = session.check_file(data, file_name)
    assert parsed.errors == []
    return parsed.rows


def sample_xlsx(tmp_path: Path) -> bytes:
    return write_xlsx(tmp_path / "sample.xlsx", TODAY).read_bytes()


# ---------------------------------------------------------------- refused whole


async def test_missing_column_is_refused(db: Database) -> None:
    keep = [i for i, name in enumerate(HEADER) if name != t.DEADLINE]
    header = [HEADER[i] for i in keep]
    rows = [[cells[i] for i in keep] for cells in good_rows()]
    errors = await refused_whole(db, csv_bytes(rows, header), "台账.csv")
    assert where(errors) == [(1, t.DEADLINE)]
    assert "缺少此列" in errors[0].reason


async def test_duplicate_code_names_both_rows(db: Database) -> None:
    rows = [*good_rows(3), row(code="R6-01-002")]  # rows 2..4, then row 5 repeats row 3
    errors = await refused_whole(db, csv_bytes(rows), "台账.csv")
    assert where(errors) == [(5, t.CODE)]
    assert "R6-01-002" in errors[0].reason
    assert "第 3 行" in errors[0].reason


async def test_duplicate_code_written_in_full_width_is_still_a_duplicate(db: Database) -> None:
    rows = [*good_rows(2), row(code="Ｒ６－０１－００１")]
    errors = await refused_whole(db, csv_bytes(rows), "台账.csv")
    assert where(errors) == [(4, t.CODE)]
    assert "第 2 行" in errors[0].reason


@pytest.mark.parametrize(
    ("value", "says"),
    [("2026-02-30", "不存在"), ("明年", "无法识别"), ("2026-13-01", "不存在")],
)
async def test_impossible_or_vague_deadline_is_refused(db: Database, value: str, says: str) -> None:
    rows = good_rows(3)
    rows[1] = row(code="R6-01-002", deadline=value)  # spreadsheet row 3
    errors = await refused_whole(db, csv_bytes(rows), "台账.csv")
    assert where(errors) == [(3, t.DEADLINE)]
    assert value in errors[0].reason
    assert says in errors[0].reason


async def test_unknown_kind_is_refused(db: Database) -> None:
    rows = good_rows(3)
    rows[2] = row(code="R6-01-003", kind="限时整改")
    errors = await refused_whole(db, csv_bytes(rows), "台账.csv")
    assert where(errors) == [(4, t.KIND)]
    assert "限时整改" in errors[0].reason
    assert "立行立改" in errors[0].reason  # says what it may be


@pytest.mark.parametrize("column", [t.DESCRIPTION, t.UNIT, t.CODE, t.CATEGORY])
@pytest.mark.parametrize("blank", ["", " \u3000 "])
async def test_empty_required_cell_is_refused(db: Database, column: str, blank: str) -> None:
    rows = good_rows(3)
    rows[1][HEADER.index(column)] = blank
    errors = await refused_whole(db, csv_bytes(rows), "台账.csv")
    assert where(errors) == [(3, column)]
    assert errors[0].reason == "不能为空"


async def test_every_bad_cell_of_every_row_is_listed(db: Database) -> None:
    rows = [
        row(code="R6-01-001"),  # 2: good
        row(code="R6-01-002", deadline="2026-02-30"),  # 3
        row(code="R6-01-003", description="", kind="马上改"),  # 4: two errors
        row(code="R6-01-004"),  # 5: good
        row(code="R6-01-001"),  # 6: repeats row 2
        row(code="R6-01-006", unit="", deadline="明年"),  # 7: two errors
    ]
    errors = await refused_whole(db, csv_bytes(rows), "台账.csv")
    assert where(errors) == [
        (3, t.DEADLINE),
        (4, t.DESCRIPTION),
        (4, t.KIND),
        (6, t.CODE),
        (7, t.UNIT),
        (7, t.DEADLINE),
    ]


async def test_a_refused_file_returns_no_rows() -> None:
    rows = good_rows(3)
    rows[1] = row(code="R6-01-002", deadline="2026-02-30")
    parsed = session.check_file(csv_bytes(rows), "台账.csv")
    assert parsed.errors != []
    assert parsed.rows == []


@pytest.mark.parametrize(
    "data",
    [b"", b"\n\n\r\n   \n", b"\xef\xbb\xbf", b"\xef\xbb\xbf\r\n,,,\r\n"],
    ids=["zero-bytes", "blank-lines", "bom-only", "empty-cells"],
)
async def test_empty_file_is_refused(db: Database, data: bytes) -> None:
    errors = await refused_whole(db, data, "台账.csv")
    assert where(errors) == [(1, "文件")]
    assert "空" in errors[0].reason or "没有任何内容" in errors[0].reason


async def test_header_without_rows_is_refused(db: Database) -> None:
    errors = await refused_whole(db, csv_bytes([]), "台账.csv")
    assert where(errors) == [(2, t.CODE)]
    assert "没有任何问题" in errors[0].reason


PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + random.Random(1).randbytes(4000)
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4000)


@pytest.mark.parametrize(
    ("data", "file_name", "says"),
    [
        (PNG, "台账.png", "无法识别"),
        (PNG, "台账.xlsx", "不是有效的 Excel"),
        (OLE, "台账.xls", ".xls"),
        (OLE, "台账.xlsx", ".xls"),
        (b"PK\x03\x04" + bytes(2000), "台账.xlsx", "无法打开"),
    ],
    ids=["png", "png-named-xlsx", "old-xls", "old-xls-named-xlsx", "broken-zip"],
)
async def test_not_a_spreadsheet_is_refused(
    db: Database, data: bytes, file_name: str, says: str
) -> None:
    errors = await refused_whole(db, data, file_name)
    assert where(errors) == [(1, "文件")]
    assert says in errors[0].reason


JUNK = random.Random(0).randbytes(10 * 1024 * 1024)


@pytest.mark.parametrize("prefix", [b"", b"PK\x03\x04"], ids=["junk", "junk-with-zip-magic"])
@pytest.mark.parametrize("file_name", ["台账.bin", "台账.csv", "台账.xlsx"])
async def test_ten_megabytes_of_junk_is_refused_quickly(
    db: Database, prefix: bytes, file_name: str
) -> None:
    started = time.perf_counter()
    errors = session.check_file(prefix + JUNK, file_name).errors
    assert time.perf_counter() - started < 5
    assert where(errors) == [(1, "文件")]
    assert await refused_whole(db, prefix + JUNK, file_name) == errors


async def test_one_bad_row_among_five_thousand_is_named(db: Database) -> None:
    rows: list[Cells] = [
        row(code=f"R6-{n // 100:02d}-{n:04d}", deadline=date(2027, 1, 1 + n % 28))
        for n in range(5000)
    ]
    rows[3710][HEADER.index(t.DEADLINE)] = "2026年2月30日"  # spreadsheet row 3712
    data = xlsx_bytes(rows)
    errors = await refused_whole(db, data, "台账.xlsx")
    assert where(errors) == [(3712, t.DEADLINE)]
    assert "2026年2月30日" in errors[0].reason


# ---------------------------------------------------------------- read as meant


def only_row(data: bytes, file_name: str = "台账.csv") -> LedgerRow:
    rows = checked_rows(data, file_name)
    assert len(rows) == 1
    return rows[0]


async def test_full_width_digits_and_spaces_are_normalised() -> None:
    got = only_row(
        csv_bytes(
            [
                row(
                    code=" Ｒ６－０１－００１\u3000",
                    unit="\u3000县财政局 ",
                    category=" 作风建设\u3000",
                    description="\u3000违规发放津补贴 ",
                    leader=" 周海燕\u3000",
                    owner="\u3000\u3000吴晓东",
                    deadline="２０２６年１２月３１日",
                    kind="\u3000立行立改 ",
                )
            ]
        )
    )
    assert got.code == "R6-01-001"
    assert (got.unit, got.category, got.description) == ("县财政局", "作风建设", "违规发放津补贴")
    assert (got.leader_name, got.owner_name) == ("周海燕", "吴晓东")
    assert got.deadline == date(2026, 12, 31)
    assert got.kind == "immediate"


@pytest.mark.parametrize(
    "value",
    [
        "2026-12-31",
        "2026/12/31",
        "2026年12月31日",
        "２０２６年１２月３１日",
        "２０２６－１２－３１",
        " 2026/12/31\u3000",
        "2026-12-31 00:00:00",
    ],
)
def test_written_dates_are_read(value: str) -> None:
    assert only_row(csv_bytes([row(deadline=value)])).deadline == date(2026, 12, 31)


@pytest.mark.parametrize("value", [datetime(2026, 12, 31), date(2026, 12, 31)])
def test_excel_date_cell_is_read(value: date) -> None:
    got = only_row(xlsx_bytes([row(deadline=value)]), "台账.xlsx")
    assert got.deadline == date(2026, 12, 31)
    assert got.kind == "deadline"


@pytest.mark.parametrize("kind", ["", "长期坚持"])
def test_ongoing_limit_makes_an_ongoing_problem(kind: str) -> None:
    got = only_row(csv_bytes([row(deadline="长期坚持", kind=kind)]))
    assert (got.kind, got.deadline) == ("ongoing", None)


def test_kind_defaults_to_deadline() -> None:
    assert only_row(csv_bytes([row(kind="")])).kind == "deadline"


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gb18030"])
def test_csv_encodings_read_the_same_rows(encoding: str) -> None:
    table = sample_rows(TODAY)
    plain = csv_bytes(table[1:], table[0])
    other = csv_bytes(table[1:], table[0], encoding=encoding)
    assert other != plain
    expected = checked_rows(plain, "台账.csv")
    assert len(expected) == SAMPLE_SIZE
    assert expected[0].unit == "县交通运输局"
    assert checked_rows(other, "台账.csv") == expected


def test_xlsx_and_csv_of_one_ledger_read_the_same(tmp_path: Path) -> None:
    table = sample_rows(TODAY)
    from_csv = checked_rows(csv_bytes(table[1:], table[0]), "台账.csv")
    assert checked_rows(sample_xlsx(tmp_path), "台账.xlsx") == from_csv


# ---------------------------------------------------------------- all or nothing


async def apply_then_fail(db: Database, rows: list[LedgerRow]) -> None:
    async with db.transaction() as tx:
        plan = await apply_import(tx, rows, ROUND, by=None, by_label="test", at=AT)
        assert len(plan.new_problems) == SAMPLE_SIZE
        inside = await tx.fetchone("SELECT COUNT(*) FROM problems")
        assert inside is not None
        assert inside[0] == SAMPLE_SIZE  # written, but not yet committed
        raise RuntimeError("power cut")


async def test_a_failed_import_leaves_nothing(db: Database, tmp_path: Path) -> None:
    rows = checked_rows(sample_xlsx(tmp_path), "台账.xlsx")
    with pytest.raises(RuntimeError, match="power cut"):
        await apply_then_fail(db, rows)
    assert await ledger_counts(db) == (0, 0, 0, 0)


# ---------------------------------------------------------------- importing again


async def problems_snapshot(db: Database) -> list[tuple[object, ...]]:
    return [tuple(r) for r in await db.fetchall("SELECT * FROM problems ORDER BY id")]


async def test_importing_the_same_file_twice_changes_nothing(db: Database, tmp_path: Path) -> None:
    data = sample_xlsx(tmp_path)
    first = await import_rows(db, checked_rows(data, "台账.xlsx"))
    assert (len(first.new_problems), len(first.new_units)) == (SAMPLE_SIZE, 8)
    before = await problems_snapshot(db)

    again = await plan_import(db, checked_rows(data, "台账.xlsx"), ROUND)
    assert again.new_problems == []
    assert again.changed == []
    assert (again.new_units, again.new_rounds) == ([], [])
    assert again.unchanged == SAMPLE_SIZE
    outcome = await session.prepare(db, data, "台账.xlsx", "", by=ADMIN_ID, chat_id=ADMIN_ID, at=AT)
    assert isinstance(outcome, session.Preview)
    assert outcome.import_id is None  # nothing to confirm
    assert outcome.default_round == ROUND

    await import_rows(db, checked_rows(data, "台账.xlsx"))
    assert await problems_snapshot(db) == before
    assert await db.scalar("SELECT COUNT(*) FROM deadline_changes") == 0


def with_cell(table: list[list[str]], code: str, column: str, value: str) -> bytes:
    changed = [list(r) for r in table]
    target = next(r for r in changed if r[0] == code)
    target[HEADER.index(column)] = value
    return csv_bytes(changed[1:], changed[0])


async def add_report(db: Database, problem_id: int) -> None:
    async with db.transaction() as tx:
        person = await people.upsert(tx, 501, "陈志明", None, AT)
        await reports.insert(
            tx,
            NewReport(
                problem_id=problem_id,
                person_id=person.id,
                claim="progress",
                text="已制定学习计划，完成第一次集中学习",
                recovered_wan_x100=None,
                rules_count=1,
                accountable_count=None,
                source_update_id=None,
                chat_id=501,
                status_before="imported",
                status_after="in_progress",
            ),
            "ZG-{id}",
            AT,
        )
        await tx.execute("UPDATE problems SET status = 'in_progress' WHERE id = ?", (problem_id,))


async def test_one_changed_cell_is_reported_and_applied_alone(db: Database) -> None:
    table = sample_rows(TODAY)
    await import_rows(db, checked_rows(csv_bytes(table[1:], table[0]), "台账.csv"))
    await add_report(db, (await ledger.by_code(db, "R6-02-010"))[0].id)
    target = (await ledger.by_code(db, "R6-02-010"))[0]
    assert target.status == "in_progress"
    reports_before = [tuple(r) for r in await db.fetchall("SELECT * FROM reports")]
    others_before = [p for p in await problems_snapshot(db) if p[0] != target.id]

    new_measures = "全面清理结存资金，2026年底前全部拨付到位"
    data = with_cell(table, "R6-02-010", t.MEASURES, new_measures)
    outcome = await session.prepare(db, data, "台账.csv", "", by=ADMIN_ID, chat_id=ADMIN_ID, at=AT)
    assert isinstance(outcome, session.Preview)
    plan = outcome.plan
    assert plan.new_problems == []
    assert plan.unchanged == SAMPLE_SIZE - 1
    assert len(plan.changed) == 1
    changed: ChangedRow = plan.changed[0]
    assert (changed.row.code, changed.problem_id) == ("R6-02-010", target.id)
    assert changed.changes == (FieldChange(t.MEASURES, target.measures, new_measures),)
    preview = report_text.preview("台账.csv", outcome.default_round, plan)
    assert f"R6-02-010：{t.MEASURES}" in preview
    assert await ledger.get(db, target.id) == target  # a preview changes nothing

    assert outcome.import_id is not None
    decided = await session.decide(
        db, outcome.import_id, confirm=True, by=ADMIN_ID, by_label="admin", at=AT
    )
    assert decided.outcome == "applied"
    after = await ledger.get(db, target.id)
    assert after is not None
    assert after.measures == new_measures
    assert after.status == "in_progress"
    assert after.model_dump(exclude={"measures", "status"}) == target.model_dump(
        exclude={"measures", "status"}
    )
    assert [tuple(r) for r in await db.fetchall("SELECT * FROM reports")] == reports_before
    assert [p for p in await problems_snapshot(db) if p[0] != target.id] == others_before
    assert await db.scalar("SELECT COUNT(*) FROM deadline_changes") == 0


async def test_a_changed_deadline_is_recorded(db: Database) -> None:
    table = sample_rows(TODAY)
    await import_rows(db, checked_rows(csv_bytes(table[1:], table[0]), "台账.csv"))
    target = (await ledger.by_code(db, "R6-03-017"))[0]
    assert target.deadline is not None
    data = with_cell(table, "R6-03-017", t.DEADLINE, "2027年3月31日")

    plan = await plan_import(db, checked_rows(data, "台账.csv"), ROUND)
    assert [c.changes for c in plan.changed] == [
        (FieldChange(t.DEADLINE, target.deadline.isoformat(), "2027-03-31"),)
    ]
    await import_rows(db, checked_rows(data, "台账.csv"))
    after = await ledger.get(db, target.id)
    assert after is not None
    assert after.deadline == date(2027, 3, 31)
    recorded = await db.fetchall(
        "SELECT problem_id, old_deadline, new_deadline, reason FROM deadline_changes"
    )
    assert [tuple(r) for r in recorded] == [
        (target.id, target.deadline.isoformat(), "2027-03-31", DEADLINE_REASON)
    ]


# ---------------------------------------------------------------- export and back


async def test_export_reads_back_as_the_same_ledger(db: Database, tmp_path: Path) -> None:
    await import_rows(db, checked_rows(sample_xlsx(tmp_path), "台账.xlsx"))
    async with db.transaction() as tx:  # statuses and closing dates must not confuse the import
        closed = "UPDATE problems SET status = 'closed', closed_at = ? WHERE id <= 5"
        await tx.execute(closed, (AT.isoformat(),))
        await tx.execute("UPDATE problems SET status = 'in_progress' WHERE id BETWEEN 6 AND 9")
    data = await export_xlsx(db, TODAY, "Asia/Shanghai")

    rows = checked_rows(data, "问题台账.xlsx")
    assert len(rows) == SAMPLE_SIZE
    plan = await plan_import(db, rows, "另一轮")
    assert plan.new_problems == []
    assert plan.changed == []
    assert (plan.new_units, plan.new_rounds) == ([], [])
    assert plan.unchanged == SAMPLE_SIZE

    book = load_workbook(io.BytesIO(data))
    sheet = book.worksheets[0]
    assert sheet.freeze_panes == "A2"
    header = [c.value for c in sheet[1]]
    assert header[: len(HEADER)] == HEADER
    limit = header.index(t.DEADLINE) + 1
    problems = {p.code: p for p in await ledger.all_problems(db)}
    dated = 0
    for cells in sheet.iter_rows(min_row=2):
        problem = problems[str(cells[0].value)]
        value = cells[limit - 1].value
        if problem.deadline is None:
            assert value == "长期坚持"
        else:
            assert isinstance(value, datetime)
            assert value.date() == problem.deadline
            dated += 1
    assert dated == sum(1 for p in problems.values() if p.deadline is not None) > 0

    assert "单位统计" in book.sheetnames
    units = list(book["单位统计"].iter_rows(values_only=True))
    assert units[0][:2] == ("被巡察单位", "问题总数")
    unit_names = list(dict.fromkeys(p.unit_name for p in problems.values()))
    assert [r[0] for r in units[1:]] == [*unit_names, "合计"]
    totals = {str(r[0]): r[1] for r in units[1:]}
    for name in unit_names:
        assert totals[name] == sum(1 for p in problems.values() if p.unit_name == name)
    assert totals["合计"] == SAMPLE_SIZE


async def test_a_pasted_control_character_does_not_break_the_export(db: Database) -> None:
    rows = [row(code=f"R6-01-{n:03d}") for n in range(1, 21)]
    rows[0] = row(code="R6-01-000", description="整改\x0b材料（从 Word 粘贴）")
    parsed = session.check_file(csv_bytes(rows), "台账.csv")
    if parsed.errors:  # refusing the row would be fine too
        assert where(parsed.errors) == [(2, t.DESCRIPTION)]
        return
    await import_rows(db, parsed.rows)
    data = await export_xlsx(db, TODAY, "Asia/Shanghai")
    assert len(checked_rows(data, "问题台账.xlsx")) == 20


async def test_text_that_looks_like_a_formula_round_trips(db: Database) -> None:
    description = "=问题：资金拨付滞后"
    await import_rows(db, checked_rows(csv_bytes([row(description=description)]), "台账.csv"))
    data = await export_xlsx(db, TODAY, "Asia/Shanghai")
    cell = load_workbook(io.BytesIO(data)).worksheets[0].cell(row=2, column=4)
    assert (cell.value, cell.data_type) == (description, "s")
    plan = await plan_import(db, checked_rows(data, "问题台账.xlsx"), ROUND)
    assert plan.unchanged == 1


# ---------------------------------------------------------------- the command line


def run_cli(tmp_path: Path, file: Path) -> tuple[subprocess.CompletedProcess[str], Any]:
    database = dbs.target(tmp_path, "cli")
    config = tmp_path / "config.toml"
    config.write_text(dbs.storage_toml(dbs.storage(tmp_path, "cli")), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "bot", "import", str(file), "--config", str(config)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=REPO,
        timeout=60,
        check=False,
    )
    return done, database


async def count_problems(database: Any) -> int:
    db = await open_database(database)
    try:
        return int(await db.scalar("SELECT COUNT(*) FROM problems"))
    finally:
        await db.close()


BAD_ROWS = [
    row(code="R6-01-001"),
    row(code="R6-01-002", deadline="2026-02-30"),
    row(code="R6-01-003", description="", kind="马上改"),
]


@pytest.mark.parametrize(
    ("name", "data"),
    [("坏台账.csv", csv_bytes(BAD_ROWS)), ("垃圾.xlsx", JUNK[:100_000])],
    ids=["bad-rows", "junk"],
)
async def test_cli_refuses_a_bad_file(tmp_path: Path, name: str, data: bytes) -> None:
    file = tmp_path / name
    file.write_bytes(data)
    done, database = run_cli(tmp_path, file)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    errors = session.check_file(data, name).errors
    assert errors
    for error in errors:
        assert error.line() in done.stderr
    assert await count_problems(database) == 0


async def test_cli_imports_a_good_file(tmp_path: Path) -> None:
    done, database = run_cli(tmp_path, write_xlsx(tmp_path / "台账.xlsx", TODAY))
    assert done.returncode == 0, done.stderr
    assert "新增问题 52 个" in done.stdout
    assert await count_problems(database) == SAMPLE_SIZE
