"""The optional figures of a report: 挽回损失 (万元), 新建/完善制度 (项), 问责 (人)."""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation

from bot.texts import reporting as rt

# 100 亿元: more than any county-level case recovers; a bigger figure is a typo in the unit.
MAX_WAN = Decimal("1000000")
MAX_COUNT = 10_000
_NUMBER = re.compile(r"^\d+(\.\d+)?$")


class FigureError(ValueError):
    """A figure that cannot be taken; the message says why, in Chinese."""


def _normal(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text).strip().replace(",", "")
    for unit in ("万元", "万", "项", "人", "个"):
        folded = folded.removesuffix(unit).strip()
    return folded


def parse_money(text: str) -> int:
    """万元 with at most two decimals, as hundredths (12.5 → 1250)."""
    value = _normal(text)
    if value.startswith("-"):
        raise FigureError(rt.FIG_NEGATIVE)
    if re.search(r"\d[eE][+-]?\d", value):
        raise FigureError(rt.FIG_SCIENTIFIC)
    if not _NUMBER.match(value):
        raise FigureError(rt.FIG_NOT_NUMBER.format(text=text.strip()))
    try:
        amount = Decimal(value)
    except InvalidOperation:  # pragma: no cover - the pattern admits only plain numbers
        raise FigureError(rt.FIG_NOT_NUMBER.format(text=text.strip())) from None
    if amount != amount.quantize(Decimal("0.01")):
        raise FigureError(rt.FIG_DECIMALS)
    if amount > MAX_WAN:
        raise FigureError(rt.FIG_TOO_BIG.format(limit=f"{MAX_WAN} 万元"))
    return int(amount * 100)


def parse_count(text: str) -> int:
    """A whole number of rules or people."""
    value = _normal(text)
    if value.startswith("-"):
        raise FigureError(rt.FIG_NEGATIVE)
    if re.search(r"\d[eE][+-]?\d", value):
        raise FigureError(rt.FIG_SCIENTIFIC)
    if not value.isdigit():
        if _NUMBER.match(value):
            raise FigureError(rt.FIG_WHOLE)
        raise FigureError(rt.FIG_NOT_NUMBER.format(text=text.strip()))
    count = int(value)
    if count > MAX_COUNT:
        raise FigureError(rt.FIG_TOO_BIG.format(limit=MAX_COUNT))
    return count


def show_money(value: int | None) -> str:
    return rt.FIGURE_NONE if value is None else f"{value / 100:.2f} 万元"


def show_count(value: int | None, unit: str) -> str:
    return rt.FIGURE_NONE if value is None else f"{value} {unit}"
