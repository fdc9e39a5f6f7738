"""Reading a ledger file (.xlsx through openpyxl, or .csv in UTF-8 or GB18030) into cells."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date, datetime

Cell = str | int | float | date | datetime | None

MAX_BYTES = 20 * 1024 * 1024  # what a bot can download from Telegram
XLSX_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # the old binary .xls


class LedgerFileError(Exception):
    """The file as a whole cannot be read; the message is for the user."""


def read_table(data: bytes, file_name: str = "") -> list[list[Cell]]:
    """Return the first sheet's rows (header included) as lists of cells."""
    if not data.strip():
        raise LedgerFileError("文件是空的。")
    if len(data) > MAX_BYTES:
        raise LedgerFileError("文件超过 20 MB，请拆分后再导入。")
    if data.startswith(OLE_MAGIC):
        raise LedgerFileError(
            "这是旧版 .xls 文件，请在 Excel 或 WPS 中另存为 .xlsx 或 .csv 后再导入。"
        )
    if data.startswith(XLSX_MAGIC):
        return _read_xlsx(data)
    if file_name.lower().endswith((".xlsx", ".xlsm")):
        raise LedgerFileError("文件扩展名是 .xlsx，但内容不是有效的 Excel 文件。")
    return _read_csv(data)


def _read_xlsx(data: bytes) -> list[list[Cell]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as exc:
        raise LedgerFileError("无法打开这个 Excel 文件，文件可能已损坏。") from exc
    try:
        sheet = book.worksheets[0] if book.worksheets else None
        if sheet is None:
            raise LedgerFileError("Excel 文件里没有工作表。")
        rows = [[_cell(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        book.close()
    return _trim(rows)


def _cell(value: object) -> Cell:
    """Keep what a ledger cell can mean; anything exotic (a formula, rich text) as its text."""
    if value is None or isinstance(value, str | int | float | date | datetime):
        return value
    return str(value)


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\r\n\t")
        # Binary junk is full of control characters; a sheet has a stray one at most.
        if "\x00" in text or controls > max(20, len(text) // 100):
            break
        return text
    raise LedgerFileError("无法识别这个文件：请上传 .xlsx 或 .csv（UTF-8 或 GB18030 编码）的台账。")


def _read_csv(data: bytes) -> list[list[Cell]]:
    text = _decode(data)
    try:
        rows: list[list[Cell]] = [list(r) for r in csv.reader(io.StringIO(text, newline=""))]
    except csv.Error as exc:
        raise LedgerFileError(f"CSV 格式有误：{exc}") from exc
    return _trim(rows)


def _trim(rows: list[list[Cell]]) -> list[list[Cell]]:
    """Drop trailing empty rows and cells (spreadsheets carry lots of them)."""

    def empty(cell: Cell) -> bool:
        return cell is None or (isinstance(cell, str) and not cell.strip())

    trimmed = []
    for row in rows:
        while row and empty(row[-1]):
            row.pop()
        trimmed.append(row)
    while trimmed and not trimmed[-1]:
        trimmed.pop()
    if not trimmed:
        raise LedgerFileError("文件里没有任何内容。")
    return trimmed
