"""Whatever a user types or uploads, the parsers answer with a value or their own error.

Property-based: hypothesis feeds arbitrary text, cells and bytes; the only outcomes allowed are
a value in range or the parser's error (whose message is for the user), never anything else.
"""

from __future__ import annotations

import io
import random
import re
from collections.abc import Callable
from datetime import date, datetime

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from bot.services.ledger.reading import XLSX_MAGIC, LedgerFileError, Table, read_table
from bot.services.ledger.rows import Parsed, parse_rows
from bot.services.reporting.figures import MAX_COUNT, MAX_WAN, FigureError, parse_count, parse_money
from tests.unit.test_ledger_import import HEADER, good_rows

TAI_LUE_ONE = "\u19da"  # str.isdigit() is True, int() refuses it
DIGITS = st.text(alphabet="0123456789０１２３４５６７８９.,-eE万元项人个 " + TAI_LUE_ONE)


@pytest.mark.parametrize(
    ("text", "money", "count"),
    [("12.5", 1250, None), ("１２.５万元", 1250, None), ("３", 300, 3), ("1,000", 100000, 1000)],
)
def test_ordinary_figures_are_read(text: str, money: int, count: int | None) -> None:
    assert parse_money(text) == money
    if count is None:
        with pytest.raises(FigureError, match="整数"):
            parse_count(text)
    else:
        assert parse_count(text) == count


@pytest.mark.parametrize("parse", [parse_money, parse_count])
@pytest.mark.parametrize(
    ("text", "says"),
    [("9" * 60, "超过上限"), (TAI_LUE_ONE, "不是数字"), ("1" + TAI_LUE_ONE, "不是数字")],
)
def test_a_huge_or_exotic_figure_is_refused_with_a_reason(
    parse: Callable[[str], int], text: str, says: str
) -> None:
    with pytest.raises(FigureError, match=says):
        parse(text)


def answer(parse: Callable[[str], int], text: str) -> int | str:
    """The value, or the message of the FigureError; any other exception fails the test."""
    try:
        return parse(text)
    except FigureError as exc:
        return str(exc)


def is_chinese_sentence(message: str) -> bool:
    return re.search("[\u4e00-\u9fff]", message) is not None


@given(st.one_of(st.text(), DIGITS))
@example("9" * 60)
@example(TAI_LUE_ONE)
@example("٣")  # an Arabic-Indic three: int() would read it, we do not
def test_parse_money_answers_every_text(text: str) -> None:
    value = answer(parse_money, text)
    if isinstance(value, str):
        assert is_chinese_sentence(value)
    else:
        assert 0 <= value <= MAX_WAN * 100


@given(st.one_of(st.text(), DIGITS))
@example("9" * 60)
@example(TAI_LUE_ONE)
def test_parse_count_answers_every_text(text: str) -> None:
    value = answer(parse_count, text)
    if isinstance(value, str):
        assert is_chinese_sentence(value)
    else:
        assert 0 <= value <= MAX_COUNT


CELLS = st.one_of(
    st.none(),
    st.text(max_size=30),
    st.sampled_from(
        ["长期坚持", "立行立改", "限期整改", "2026-02-30", "2026年13月1日", "0000/1/1"]
    ),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.dates(min_value=date(1, 1, 1)),
    st.datetimes(min_value=datetime(1, 1, 1)),
)


@given(
    header=st.one_of(st.just(list(HEADER)), st.lists(CELLS, max_size=12)),
    body=st.lists(st.lists(CELLS, max_size=12), max_size=6),
)
@settings(suppress_health_check=[HealthCheck.too_slow])
def test_parse_rows_answers_every_table(header: list[object], body: list[list[object]]) -> None:
    parsed = parse_rows([header, *body])  # type: ignore[list-item]
    assert isinstance(parsed, Parsed)
    assert not (parsed.rows and parsed.errors)  # a refused table yields no rows at all


def test_parse_rows_answers_an_empty_table() -> None:
    assert parse_rows([]).errors


def small_xlsx() -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for cells in [HEADER, *good_rows(3)]:
        sheet.append(cells)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


SMALL_XLSX = small_xlsx()


def mutated(seed: int, flips: int) -> bytes:
    """The small workbook with a few bytes overwritten: a damaged download."""
    rng = random.Random(seed)
    data = bytearray(SMALL_XLSX)
    for _ in range(flips):
        data[rng.randrange(len(data))] = rng.randrange(256)
    return bytes(data)


def answers(data: bytes, file_name: str) -> None:
    """Rows, or a LedgerFileError with a sentence for the user; any other exception fails."""
    try:
        table: Table | str = read_table(data, file_name, max_rows=50)
    except LedgerFileError as exc:
        table = str(exc)
    if isinstance(table, str):
        assert is_chinese_sentence(table)
    else:
        assert table.rows


@given(data=st.binary(max_size=2000), name=st.sampled_from(["台账.csv", "台账.xlsx", "台账"]))
@settings(deadline=None)
def test_read_table_answers_every_byte_string(data: bytes, name: str) -> None:
    answers(data, name)
    answers(XLSX_MAGIC + data, name)


@given(seed=st.integers(min_value=0, max_value=2**32), flips=st.integers(min_value=1, max_value=8))
@settings(deadline=None, max_examples=60)
def test_read_table_answers_every_damaged_workbook(seed: int, flips: int) -> None:
    answers(mutated(seed, flips), "台账.xlsx")
