"""Reading a ledger file (.xlsx through openpyxl, or .csv in UTF-8 or GB18030) into cells.

Rows are streamed and counted as they come, so a file far over the row cap is refused after
reading just past the cap, in seconds and in bounded memory, whatever size it claims to be.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from openpyxl.worksheet._read_only import ReadOnlyWorksheet
from openpyxl.worksheet.dimensions import SheetDimension
from openpyxl.xml.constants import SHEET_MAIN_NS
from openpyxl.xml.functions import iterparse

from bot.texts import ledger as lt

Cell = str | int | float | date | datetime | None

MAX_BYTES = 20 * 1024 * 1024  # what a bot can download from Telegram
DEFAULT_MAX_ROWS = 20_000  # office.import_max_rows
MAX_PARTS_BYTES = 64 * 1024 * 1024  # unpacked XML read whole on opening (shared strings…)
MAX_COLUMNS = 100  # the template has 9 columns (an export 14); cells further right are ignored
XLSX_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # the old binary .xls
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


_DIMENSION_TAG = f"{{{SHEET_MAIN_NS}}}dimension"
_DATA_TAG = f"{{{SHEET_MAIN_NS}}}sheetData"


def _probe_size(self: Any) -> None:  # self: a ReadOnlyWorksheet (private attributes)
    """openpyxl's ReadOnlyWorksheet._get_size, stopping where the schema says it may stop.

    The original looks for <dimension> until the *end* of <sheetData>: on a sheet without
    one (openpyxl's own write-only files, many generators) load_workbook parses the whole
    sheet once before a row is read — 40 s for a million rows. <dimension> always comes
    before <sheetData>, so stopping at its start gives the same answer at once.
    """
    with self._get_source() as source:
        for event, element in iterparse(source, events=("start", "end")):
            if element.tag == _DATA_TAG:
                return
            if event == "end" and element.tag == _DIMENSION_TAG:
                dimension = SheetDimension.from_tree(element)
                if dimension is not None:
                    bounds = dimension.boundaries
                    self._min_column, self._min_row, self._max_column, self._max_row = bounds
                return


# Same result for every sheet, only sooner; used by every read-only load in the process.
ReadOnlyWorksheet._get_size = _probe_size  # type: ignore[attr-defined]


class LedgerFileError(Exception):
    """The file as a whole cannot be read; the message is for the user."""


@dataclass(frozen=True)
class Table:
    rows: list[list[Cell]]  # header included; row i is the spreadsheet's row i + 1
    sheet: str | None  # the worksheet that was read; None for a CSV


def scan_limit(max_rows: int) -> int:
    """How many physical rows (empty ones included) are read before the file is refused."""
    return max_rows * 2 + 1000


def read_table(data: bytes, file_name: str = "", max_rows: int = DEFAULT_MAX_ROWS) -> Table:
    """The rows (header included) of the sheet a user sees on opening the file.

    At most `max_rows` non-empty rows below the header and `scan_limit(max_rows)` rows in all;
    anything that goes wrong while reading is a LedgerFileError with a message for the user.
    """
    if not data.strip():
        raise LedgerFileError(lt.FILE_EMPTY)
    if len(data) > MAX_BYTES:
        raise LedgerFileError(lt.FILE_TOO_BIG)
    if data.startswith(OLE_MAGIC):
        raise LedgerFileError(lt.FILE_OLD_XLS)
    if data.startswith(XLSX_MAGIC):
        return _read_xlsx(data, max_rows)
    if file_name.lower().endswith((".xlsx", ".xlsm")):
        raise LedgerFileError(lt.FILE_NOT_XLSX)
    return Table(_read_csv(data, max_rows), None)


def _read_xlsx(data: bytes, max_rows: int) -> Table:
    from openpyxl import load_workbook

    try:
        _check_unpacked(data)
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except LedgerFileError:
        raise
    except Exception as exc:  # a broken zip or XML fails in many ways; all mean the same
        raise LedgerFileError(lt.FILE_CANNOT_OPEN) from exc
    try:
        sheet = _visible_sheet(book)
        # The stored dimensions can be wrong (too small: rows lost; huge: padding): ignore them.
        sheet.reset_dimensions()
        rows = sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS)
        return Table(_collect(rows, max_rows), str(sheet.title))
    except LedgerFileError:
        raise
    except Exception as exc:  # corrupt sheet XML, a missing part, a bad shared string…
        raise LedgerFileError(lt.FILE_CORRUPT) from exc
    finally:
        book.close()


def _check_unpacked(data: bytes) -> None:
    """Refuse a workbook whose parts read whole on opening would unpack too big (a zip bomb).

    Sheets are streamed and stop at the row cap; the shared strings and styles are not. The
    sizes are the ones the zip declares, which zipfile holds it to (it reads no further).
    """
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        whole = sum(
            item.file_size
            for item in archive.infolist()
            if item.filename.endswith(".xml") and not item.filename.startswith("xl/worksheets/")
        )
    if whole > MAX_PARTS_BYTES:
        raise LedgerFileError(lt.FILE_UNPACKED_TOO_BIG.format(limit=MAX_PARTS_BYTES // 2**20))


def _visible_sheet(book: Any) -> Any:
    """The active sheet when it is visible, else the first visible one (never a hidden one)."""
    sheets = list(book.worksheets)
    if not sheets:
        raise LedgerFileError(lt.FILE_NO_SHEET)
    visible = [s for s in sheets if s.sheet_state == "visible"]
    if not visible:
        raise LedgerFileError(lt.FILE_NO_VISIBLE_SHEET)
    active = book.active
    return active if any(active is s for s in visible) else visible[0]


def _cell(value: object) -> Cell:
    """Keep what a ledger cell can mean; anything exotic (a formula, rich text) as its text."""
    if value is None or isinstance(value, str | int | float | date | datetime):
        return value
    return str(value)


def _empty(cell: Cell) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _collect(rows: Iterable[Sequence[object]], max_rows: int) -> list[list[Cell]]:
    """Take rows until the end, or refuse as soon as either cap is passed."""
    physical_limit = scan_limit(max_rows)
    table: list[list[Cell]] = []
    filled = 0
    for raw in rows:
        if len(table) >= physical_limit:
            raise LedgerFileError(lt.FILE_TOO_LONG.format(limit=physical_limit))
        cells = [_cell(v) for v in raw]
        while cells and _empty(cells[-1]):
            cells.pop()  # spreadsheets carry lots of trailing empty cells
        if cells:
            filled += 1
            if filled > max_rows + 1:  # the header is not a problem row
                raise LedgerFileError(lt.FILE_TOO_MANY_ROWS.format(limit=max_rows))
        table.append(cells)
    while table and not table[-1]:
        table.pop()
    if not table:
        raise LedgerFileError(lt.FILE_NOTHING)
    return table


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        # Binary junk is full of control characters; a sheet has a stray one at most.
        if "\x00" in text or len(_CONTROLS.findall(text)) > max(20, len(text) // 100):
            break
        return text
    raise LedgerFileError(lt.FILE_UNKNOWN)


def _read_csv(data: bytes, max_rows: int) -> list[list[Cell]]:
    text = _decode(data)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        return _collect(reader, max_rows)
    except csv.Error as exc:
        raise LedgerFileError(lt.FILE_BAD_CSV.format(line=reader.line_num)) from exc
