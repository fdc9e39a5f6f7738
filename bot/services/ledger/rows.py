"""Validating and normalising ledger rows: every problem of every row, or nothing."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime

from pydantic import BaseModel, ConfigDict

from bot.services.ledger import template as t
from bot.services.ledger.reading import Cell
from bot.services.ledger.template import ProblemKind

_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
_DATE_DASH = re.compile(
    r"^(\d{4})\s*[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$"
)
_DATE_CN = re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日?$")
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
MAX_TEXT = 4000  # a cell longer than this is a paste gone wrong


class RowError(BaseModel):
    model_config = ConfigDict(frozen=True)
    row: int  # as the spreadsheet numbers it: the header is row 1
    column: str
    reason: str

    def line(self) -> str:
        return f"第 {self.row} 行 · {self.column}：{self.reason}"


class LedgerRow(BaseModel):
    """One problem as the file states it, normalised."""

    model_config = ConfigDict(frozen=True)
    row: int
    round_name: str | None
    code: str
    unit: str
    category: str
    description: str
    measures: str
    leader_name: str
    owner_name: str
    deadline: date | None
    kind: ProblemKind


@dataclass(frozen=True)
class Parsed:
    rows: list[LedgerRow]
    errors: list[RowError]
    sheet: str | None = None  # the worksheet read (an .xlsx); None for a CSV


def clean_text(value: Cell) -> str:
    """Full-width digits and spaces to half-width, surrounding space dropped, inner kept."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).translate(_FULLWIDTH_DIGITS).replace("\u3000", " ").replace("\xa0", " ")
    # Control characters pasted from Word (\x0b and the like) cannot live in a workbook.
    text = _CONTROLS.sub(" ", text)
    lines = [line.strip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    return "\n".join(lines).strip()


def clean_line(value: Cell) -> str:
    """A one-line field: runs of space become one space."""
    return " ".join(clean_text(value).split())


def clean_code(value: Cell) -> str:
    """Codes are compared as NFKC, upper case, without spaces."""
    return "".join(unicodedata.normalize("NFKC", clean_text(value)).upper().split())


def parse_deadline(value: Cell) -> date | str | None:
    """A date, the word for ongoing (returned as 'ongoing'), None when empty; raises ValueError."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = unicodedata.normalize("NFKC", clean_text(value)).strip()
    if not text:
        return None
    if text in t.ONGOING_WORDS:
        return "ongoing"
    match = _DATE_DASH.match(text) or _DATE_CN.match(text)
    if match is None:
        raise ValueError(
            f"无法识别的日期“{text}”，请写成 2026-12-31、2026/12/31、2026年12月31日 或 长期坚持"
        )
    year, month, day = (int(g) for g in match.groups())
    try:
        return date(year, month, day)
    except ValueError:
        raise ValueError(f"日期“{text}”不存在") from None


def header_map(header: list[Cell]) -> tuple[dict[str, int], list[RowError]]:
    """Column positions by template name; a missing or repeated column is an error."""
    positions: dict[str, int] = {}
    errors: list[RowError] = []
    for index, cell in enumerate(header):
        name = "".join(clean_line(cell).replace("*", "").split())
        if name in t.COLUMNS or name == t.ROUND:
            if name in positions:
                errors.append(RowError(row=1, column=name, reason="表头中重复出现"))
            positions.setdefault(name, index)
    for name in t.REQUIRED_COLUMNS:
        if name not in positions:
            errors.append(RowError(row=1, column=name, reason="缺少此列（请使用导入模板的表头）"))
    return positions, errors


def parse_rows(table: list[list[Cell]]) -> Parsed:
    """Validate every row; collect every error rather than stopping at the first."""
    positions, errors = header_map(table[0] if table else [])
    if errors:
        return Parsed([], errors)
    rows: list[LedgerRow] = []
    first_seen: dict[tuple[str | None, str], int] = {}
    for number, cells in enumerate(table[1:], start=2):
        if all(clean_text(c) == "" for c in cells):
            continue  # blank lines between blocks are common in hand-kept sheets
        row, row_errors = _parse_row(number, cells, positions)
        errors += row_errors
        if row is None:
            continue
        key = (row.round_name, row.code)
        if key in first_seen:
            errors.append(
                RowError(
                    row=number,
                    column=t.CODE,
                    reason=f"问题编号 {row.code} 与第 {first_seen[key]} 行重复",
                )
            )
            continue
        first_seen[key] = number
        rows.append(row)
    if not rows and not errors:
        errors.append(RowError(row=2, column=t.CODE, reason="表头下面没有任何问题"))
    return Parsed([] if errors else rows, errors)  # a refused file yields no rows at all


def _parse_row(
    number: int, cells: list[Cell], positions: dict[str, int]
) -> tuple[LedgerRow | None, list[RowError]]:
    def cell(name: str) -> Cell:
        index = positions.get(name)
        return cells[index] if index is not None and index < len(cells) else None

    errors: list[RowError] = []
    values = {name: clean_text(cell(name)) for name in t.COLUMNS}
    for name in t.REQUIRED_CELLS:
        if not values[name]:
            errors.append(RowError(row=number, column=name, reason="不能为空"))
    for name, value in values.items():
        if len(value) > MAX_TEXT:
            errors.append(RowError(row=number, column=name, reason=f"超过 {MAX_TEXT} 字"))
    deadline: date | None = None
    ongoing_limit = False
    try:
        parsed = parse_deadline(cell(t.DEADLINE))
        if parsed == "ongoing":
            ongoing_limit = True
        elif isinstance(parsed, date):
            deadline = parsed
    except ValueError as exc:
        errors.append(RowError(row=number, column=t.DEADLINE, reason=str(exc)))
        parsed = "bad"
    kind_word = "".join(values[t.KIND].split())
    kind: ProblemKind
    if not kind_word:
        kind = "ongoing" if ongoing_limit else "deadline"
    elif kind_word in t.KIND_WORDS:
        kind = t.KIND_WORDS[kind_word]
    else:
        errors.append(
            RowError(
                row=number,
                column=t.KIND,
                reason=f"“{kind_word}”不是整改类型，只能是 立行立改、限期整改 或 长期坚持",
            )
        )
        kind = "deadline"
    if ongoing_limit and kind != "ongoing" and kind_word in ("", *t.KIND_WORDS):
        errors.append(
            RowError(
                row=number,
                column=t.DEADLINE,
                reason=f"整改时限为“长期坚持”，但整改类型是“{t.KIND_NAMES[kind]}”",
            )
        )
    if parsed is None and kind != "ongoing":
        errors.append(
            RowError(
                row=number, column=t.DEADLINE, reason="不能为空（长期坚持的问题可写“长期坚持”）"
            )
        )
    if errors:
        return None, errors
    round_name = clean_line(cell(t.ROUND)) or None
    return LedgerRow(
        row=number,
        round_name=round_name,
        code=clean_code(cell(t.CODE)),
        unit=clean_line(cell(t.UNIT)),
        category=clean_line(cell(t.CATEGORY)),
        description=values[t.DESCRIPTION],
        measures=values[t.MEASURES],
        leader_name=clean_line(cell(t.LEADER)),
        owner_name=clean_line(cell(t.OWNER)),
        deadline=deadline,
        kind=kind,
    ), []
