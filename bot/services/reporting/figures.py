"""The optional figures of a report: 挽回损失 (万元), 新建/完善制度 (项), 问责 (人)."""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal

from bot.messages import shorten
from bot.texts import reporting as rt

# 100 亿元: more than any county-level case recovers; a bigger figure is a typo in the unit.
MAX_WAN = Decimal("1000000")
MAX_COUNT = 10_000
# ASCII digits only (after NFKC, which folds full-width digits): str.isdigit() and \d also
# admit digits int() and Decimal() cannot read, or read as something else.
_NUMBER = re.compile(r"^([0-9]+)(?:\.([0-9]+))?$", re.ASCII)
_SCIENTIFIC = re.compile(r"[0-9][eE][+-]?[0-9]", re.ASCII)


class FigureError(ValueError):
    """A figure that cannot be taken; the message says why, in Chinese."""


def _normal(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text).strip().replace(",", "")
    for unit in ("万元", "万", "项", "人", "个"):
        folded = folded.removesuffix(unit).strip()
    return folded


def _shown(text: str) -> str:
    return shorten(text.strip(), 20)


def _number(text: str) -> tuple[str, str]:
    """The whole digits (no leading zeros) and the decimals as typed; FigureError otherwise."""
    value = _normal(text)
    if value.startswith("-"):
        raise FigureError(rt.FIG_NEGATIVE)
    if _SCIENTIFIC.search(value):
        raise FigureError(rt.FIG_SCIENTIFIC)
    match = _NUMBER.match(value)
    if match is None:
        raise FigureError(rt.FIG_NOT_NUMBER.format(text=_shown(text)))
    return match.group(1).lstrip("0") or "0", match.group(2) or ""


def parse_money(text: str) -> int:
    """万元 with at most two decimals, as hundredths (12.5 → 1250)."""
    whole, decimals = _number(text)
    fraction = decimals.rstrip("0")
    if len(fraction) > 2:
        raise FigureError(rt.FIG_DECIMALS)
    if len(whole) > len(str(MAX_WAN)):  # checked before int(): a 60-digit figure stays cheap
        raise FigureError(rt.FIG_TOO_BIG.format(limit=f"{MAX_WAN} 万元"))
    hundredths = int(whole) * 100 + int(fraction.ljust(2, "0"))
    if hundredths > MAX_WAN * 100:
        raise FigureError(rt.FIG_TOO_BIG.format(limit=f"{MAX_WAN} 万元"))
    return hundredths


def parse_count(text: str) -> int:
    """A whole number of rules or people."""
    whole, fraction = _number(text)
    if fraction:
        raise FigureError(rt.FIG_WHOLE)
    if len(whole) > len(str(MAX_COUNT)) or int(whole) > MAX_COUNT:  # length first: stays cheap
        raise FigureError(rt.FIG_TOO_BIG.format(limit=MAX_COUNT))
    return int(whole)


def show_money(value: int | None) -> str:
    return rt.FIGURE_NONE if value is None else f"{value / 100:.2f} 万元"


def show_count(value: int | None, unit: str) -> str:
    return rt.FIGURE_NONE if value is None else f"{value} {unit}"
