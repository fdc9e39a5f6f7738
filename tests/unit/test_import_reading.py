"""Reading an import file the way the admin sees it, and refusing what cannot be read.

The sheet read is the one Excel shows on opening (never a hidden one) and the preview names
it; a corrupt sheet is refused with a sentence, not a traceback; a file over the row cap is
refused after reading just past the cap, not after reading all of it.
"""

from __future__ import annotations

import asyncio
import io
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import PatternFill
from openpyxl.worksheet._read_only import ReadOnlyWorksheet

from bot import ledger_cli
from bot.config import Config, ConfigError, parse_config
from bot.services.ledger import reading, report_text, session
from bot.services.ledger.reading import LedgerFileError, read_table, scan_limit
from storage import people
from storage.db import Database
from tests import dbs
from tests.conftest import ADMIN_ID
from tests.unit.test_ledger_import import AT, HEADER, csv_bytes, good_rows, row

Cells = list[object]


def book_bytes(book: Workbook) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def with_sheets(*sheets: tuple[str, list[Cells], str], active: int) -> bytes:
    """A workbook of (title, rows, state) sheets, the `active` one shown on opening."""
    book = Workbook()
    book.remove(book.worksheets[0])
    for title, rows, state in sheets:
        sheet = book.create_sheet(title)
        for cells in rows:
            sheet.append(cells)
        sheet.sheet_state = state
    book.active = active
    return book_bytes(book)


def replaced(data: bytes, part: str, new: bytes | None) -> bytes:
    """The same workbook with one zip member replaced (or left out when `new` is None)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            if item.filename != part:
                dst.writestr(item, src.read(item))
            elif new is not None:
                dst.writestr(item, new)
    return out.getvalue()


LEDGER = [HEADER, *good_rows(3)]
OLD = [["旧模板", "作废"], ["R5-01-001"]]  # no template header: reading it refuses the file


async def test_a_hidden_first_sheet_is_skipped_and_the_preview_names_the_sheet(
    db: Database,
) -> None:
    data = with_sheets(("旧表", OLD, "hidden"), ("台账", LEDGER, "visible"), active=1)
    checked = session.check_file(data, "台账.xlsx")
    assert checked.errors == []
    assert [r.code for r in checked.rows] == ["R6-01-001", "R6-01-002", "R6-01-003"]
    async with db.transaction() as tx:
        admin = await people.upsert(tx, ADMIN_ID, "李主任", None, AT)
    outcome = await session.prepare(db, data, "台账.xlsx", "", by=admin.id, chat_id=ADMIN_ID, at=AT)
    assert isinstance(outcome, session.Preview)
    assert outcome.import_id is not None
    assert outcome.sheet == "台账"
    text = report_text.preview(
        outcome.file_name, outcome.default_round, outcome.plan, outcome.sheet
    )
    assert "读取的工作表：台账" in text


def test_the_active_sheet_is_read_when_it_is_not_the_first() -> None:
    data = with_sheets(("说明", OLD, "visible"), ("台账", LEDGER, "visible"), active=1)
    assert read_table(data, "台账.xlsx").sheet == "台账"
    assert session.check_file(data, "台账.xlsx").errors == []


def test_an_active_sheet_that_is_hidden_gives_way_to_the_first_visible() -> None:
    data = with_sheets(
        ("旧表", OLD, "hidden"), ("台账", LEDGER, "visible"), ("附表", OLD, "visible"), active=1
    )
    # Excel would not save this, other tools do: the active tab points at the hidden sheet.
    workbook = zipfile.ZipFile(io.BytesIO(data)).read("xl/workbook.xml")
    data = replaced(data, "xl/workbook.xml", workbook.replace(b'activeTab="1"', b'activeTab="0"'))
    assert read_table(data, "台账.xlsx").sheet == "台账"


def test_no_visible_sheet_is_refused_with_a_reason() -> None:
    data = with_sheets(("台账", LEDGER, "visible"), ("旧表", OLD, "visible"), active=0)
    workbook = zipfile.ZipFile(io.BytesIO(data)).read("xl/workbook.xml")
    data = replaced(data, "xl/workbook.xml", workbook.replace(b"visible", b"hidden"))
    errors = session.check_file(data, "台账.xlsx").errors
    assert [(e.row, e.column) for e in errors] == [(1, "文件")]
    assert "没有可见的工作表" in errors[0].reason


def test_a_csv_preview_names_no_sheet() -> None:
    checked = session.check_file(csv_bytes(good_rows(2)), "台账.csv")
    assert checked.errors == []
    assert checked.sheet is None


SHEET = "xl/worksheets/sheet1.xml"


def corrupt_truncated(xml: bytes) -> bytes:
    return xml[: len(xml) // 2]


def corrupt_garbage(xml: bytes) -> bytes:
    return b"<worksheet><sheetData><row r='1'>\x00\xff\xfe garbage"


def first_text_cell_as(xml: bytes, kind: bytes, value: bytes) -> bytes:
    """The first text cell rewritten as a cell of another type holding `value`."""
    start = xml.index(b't="inlineStr">')
    end = xml.index(b"</is>", start) + len(b"</is>")
    return xml[:start] + b't="' + kind + b'"><v>' + value + b"</v>" + xml[end:]


def corrupt_bad_number(xml: bytes) -> bytes:
    return first_text_cell_as(xml, b"n", b"1,5x")


def corrupt_bad_shared_string(xml: bytes) -> bytes:
    return first_text_cell_as(xml, b"s", b"999999")


@pytest.mark.parametrize(
    "corrupt",
    [corrupt_truncated, corrupt_garbage, corrupt_bad_number, corrupt_bad_shared_string],
    ids=["truncated", "garbage", "bad-number", "bad-shared-string"],
)
def test_a_corrupt_sheet_is_refused_as_damaged(corrupt: Callable[[bytes], bytes]) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for cells in LEDGER:
        sheet.append(cells)
    data = book_bytes(book)
    xml = zipfile.ZipFile(io.BytesIO(data)).read(SHEET)
    broken = replaced(data, SHEET, corrupt(xml))
    with pytest.raises(LedgerFileError, match=r"文件.*已损坏"):
        read_table(broken, "台账.xlsx")
    errors = session.check_file(broken, "台账.xlsx").errors
    assert [(e.row, e.column) for e in errors] == [(1, "文件")]


def test_a_workbook_without_its_sheet_part_is_refused() -> None:
    data = replaced(with_sheets(("台账", LEDGER, "visible"), active=0), SHEET, None)
    errors = session.check_file(data, "台账.xlsx").errors
    assert [(e.row, e.column) for e in errors] == [(1, "文件")]


# ---------------------------------------------------------------- the row cap


@pytest.fixture
def rows_consumed(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many rows openpyxl handed out while a workbook was read."""
    count = [0]
    original = ReadOnlyWorksheet._cells_by_row

    def counting(self: ReadOnlyWorksheet, *args: Any, **kwargs: Any) -> Iterator[Any]:
        for item in original(self, *args, **kwargs):
            count[0] += 1
            yield item

    monkeypatch.setattr(ReadOnlyWorksheet, "_cells_by_row", counting)
    return count


def write_only(rows: Iterator[list[Any]]) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("台账")
    for cells in rows:
        sheet.append(cells)
    return book_bytes(book)


def many_rows(count: int) -> Iterator[list[Any]]:
    yield HEADER
    for n in range(count):
        yield row(code=f"R6-01-{n:05d}")


def test_a_file_over_the_cap_is_refused_after_reading_just_past_it(
    rows_consumed: list[int],
) -> None:
    data = write_only(many_rows(3000))
    with pytest.raises(LedgerFileError, match="有效行数超过上限 50 行"):
        read_table(data, "台账.xlsx", max_rows=50)
    assert rows_consumed[0] <= 52  # the header, 50 problems, and the one too many
    errors = session.check_file(data, "台账.xlsx", max_rows=50).errors
    assert "超过上限 50 行" in errors[0].reason
    assert "拆分" in errors[0].reason


def test_opening_does_not_read_the_sheet_through(rows_consumed: list[int]) -> None:
    """A sheet without <dimension> (as openpyxl writes them) is not parsed whole on opening:
    a damaged tail far below the cap is never reached, the cap is."""
    data = write_only(many_rows(3000))
    xml = zipfile.ZipFile(io.BytesIO(data)).read(SHEET)
    assert b"<dimension" not in xml
    damaged = replaced(data, SHEET, xml[: len(xml) * 3 // 4])
    with pytest.raises(LedgerFileError, match="有效行数超过上限 50 行"):
        read_table(damaged, "台账.xlsx", max_rows=50)
    assert rows_consumed[0] <= 52


def test_a_zip_bomb_of_shared_strings_is_refused_before_unpacking(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(reading, "MAX_PARTS_BYTES", 2**20)
    data = with_sheets(("台账", LEDGER, "visible"), active=0)
    strings = b"<si><t>" + b"x" * 2**21 + b"</t></si>"
    sst = b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    buffer = io.BytesIO(data)
    with zipfile.ZipFile(buffer, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/sharedStrings.xml", sst + strings + b"</sst>")
    bomb = buffer.getvalue()
    assert len(bomb) < 2**20  # small to send, big to open
    with pytest.raises(LedgerFileError, match="解压后超过 1 MB"):
        read_table(bomb, "台账.xlsx")


def test_a_file_at_the_cap_is_read() -> None:
    checked = session.check_file(write_only(many_rows(50)), "台账.xlsx", max_rows=50)
    assert checked.errors == []
    assert len(checked.rows) == 50


def test_the_default_cap_names_twenty_thousand() -> None:
    data = csv_bytes([row(code=f"R6-01-{n:05d}") for n in range(20_001)])
    errors = session.check_file(data, "台账.csv").errors
    assert "超过上限 20,000 行" in errors[0].reason


def test_a_sheet_of_empty_formatted_rows_is_refused_early(rows_consumed: list[int]) -> None:
    fill = PatternFill("solid", fgColor="FFFF00")

    def rows() -> Iterator[list[Any]]:
        yield HEADER
        yield row()
        book_for_cells = Workbook(write_only=True)
        sheet = book_for_cells.create_sheet()
        for _ in range(20_000):
            cell = WriteOnlyCell(sheet, value=None)
            cell.fill = fill
            yield [cell, cell, cell]

    data = write_only(rows())
    with pytest.raises(LedgerFileError, match="含空行"):
        read_table(data, "台账.xlsx", max_rows=10)
    assert rows_consumed[0] <= scan_limit(10) + 1


def test_a_sheet_claiming_a_million_rows_is_refused_early(rows_consumed: list[int]) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER)
    sheet.append(row())
    sheet.cell(row=1_048_576, column=1, value="末行")
    with pytest.raises(LedgerFileError, match="含空行"):
        read_table(book_bytes(book), "台账.xlsx", max_rows=10)
    assert rows_consumed[0] <= scan_limit(10) + 1


def test_a_csv_over_the_cap_is_refused_after_reading_just_past_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    count = [0]
    original = reading.csv.reader

    def counting(*args: Any, **kwargs: Any) -> Iterator[list[str]]:
        for item in original(*args, **kwargs):
            count[0] += 1
            yield item

    monkeypatch.setattr(reading.csv, "reader", counting)
    data = csv_bytes([row(code=f"R6-01-{n:05d}") for n in range(3000)])
    with pytest.raises(LedgerFileError, match="有效行数超过上限 50 行"):
        read_table(data, "台账.csv", max_rows=50)
    assert count[0] <= 52


def test_the_cap_is_configured_and_the_command_line_uses_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base: dict[str, Any] = {"storage": dbs.storage(tmp_path, "c")}
    assert parse_config(base).office.import_max_rows == 20_000
    with pytest.raises(ConfigError, match="import_max_rows"):
        parse_config({**base, "office": {"import_max_rows": 0}})
    config: Config = parse_config({**base, "office": {"import_max_rows": 2}})
    data = csv_bytes(good_rows(3))
    assert asyncio.run(ledger_cli.import_bytes(config, data, "台账.csv", "")) == 1
    assert "超过上限 2 行" in capsys.readouterr().err
