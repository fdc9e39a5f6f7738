"""Text in parts that each fit a robot's limit, measured the way that robot measures it.

The robots count bytes, not characters: WeCom the UTF-8 bytes of the text, DingTalk and
Feishu the bytes of the whole JSON body, where a newline or a quote costs two. Both
measures add up character by character, which lets the split run in one pass.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Callable
from functools import cache

Size = Callable[[str], int]
_MAX_BACKOFF = 8  # a cluster longer than this is cut anyway: a part must stay within its limit


@cache
def utf8_size(char: str) -> int:
    """UTF-8 bytes of one character (cached: a digest repeats few distinct characters)."""
    return len(char.encode("utf-8"))


@cache
def json_size(char: str) -> int:
    """Bytes of one character inside a JSON string written with ensure_ascii=False."""
    return len(json.dumps(char, ensure_ascii=False).encode("utf-8")) - 2


def measure(text: str, size: Size) -> int:
    """The size of a whole text by a per-character measure."""
    return sum(size(c) for c in text)


def split_lines(text: str, limit: int, size: Size) -> list[str]:
    """Parts of at most `limit`, each made of whole lines, as few as fit.

    A line longer than the limit on its own is cut between characters (never inside one,
    nor before a combining mark, a variation selector or a zero-width joiner). Joining the
    parts with "\\n" gives the text back, but for such cut lines (joined with "") and for
    blank parts, which are dropped: a robot cannot send an empty message.
    """
    if limit < 8:
        raise ValueError("a limit under 8 cannot hold one character of every kind")
    newline = size("\n")
    parts: list[str] = []
    lines: list[str] = []
    used = 0
    for line in text.split("\n"):
        cost = measure(line, size)
        extra = cost if not lines else newline + cost
        if lines and used + extra <= limit:
            lines.append(line)
            used += extra
            continue
        if lines:
            parts.append("\n".join(lines))
        if cost <= limit:
            lines, used = [line], cost
            continue
        pieces = _cut(line, limit, size)
        parts.extend(pieces[:-1])
        lines, used = [pieces[-1]], measure(pieces[-1], size)
    if lines:
        parts.append("\n".join(lines))
    return [p for p in parts if p.strip()]


def _cut(line: str, limit: int, size: Size) -> list[str]:
    """A line too long for one part, as consecutive parts of at most `limit`."""
    pieces: list[str] = []
    start = used = 0
    for index, char in enumerate(line):
        cost = size(char)
        if used + cost > limit:
            cut = _safe_cut(line, start, index)
            pieces.append(line[start:cut])
            start = cut
            used = measure(line[cut : index + 1], size)
            continue
        used += cost
    pieces.append(line[start:])
    return pieces


def _safe_cut(line: str, start: int, index: int) -> int:
    """Back off from `index` so a mark or joiner stays with the character it belongs to."""
    cut = index
    floor = max(start + 1, index - _MAX_BACKOFF)
    while cut > floor and _clings(line[cut - 1], line[cut]):
        cut -= 1
    return cut


def _clings(before: str, after: str) -> bool:
    """Whether `after` belongs to the character before it (a mark, selector, joiner, skin
    tone, or the second half of a flag)."""
    return (
        unicodedata.combining(after) != 0
        or "\ufe00" <= after <= "\ufe0f"
        or "\U0001f3fb" <= after <= "\U0001f3ff"
        or after == "\u200d"
        or before == "\u200d"
        or (_regional(before) and _regional(after))
    )


def _regional(char: str) -> bool:
    return "\U0001f1e6" <= char <= "\U0001f1ff"
