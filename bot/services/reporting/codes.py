"""Finding the problem a message is about: a leading code, or codes in a replied-to message."""

from __future__ import annotations

import re
import unicodedata

from storage.ledger import Problem

_LEADING = re.compile(r"^\s*([^\s，,：:；;。、]+)[\s，,：:；;。、]*(.*)$", re.S)


def normal(code: str) -> str:
    return "".join(unicodedata.normalize("NFKC", code).upper().split())


def first_token(text: str) -> str:
    """The first word of a text, normalised as codes are."""
    match = _LEADING.match(text)
    return normal(match.group(1)) if match else ""


def leading_code(text: str, problems: dict[str, Problem]) -> tuple[Problem, str] | None:
    """`R6-03-012 已完成…` → the problem and the rest of the text, as typed."""
    match = _LEADING.match(text)
    if match is None:
        return None
    problem = problems.get(normal(match.group(1)))
    return None if problem is None else (problem, match.group(2))


def named_in(text: str, problems: dict[str, Problem]) -> list[Problem]:
    """The problems whose codes appear in a text (a reminder, a prompt, a /mine list)."""
    folded = unicodedata.normalize("NFKC", text).upper()
    found = [p for code, p in problems.items() if code in folded]
    # A code inside a longer code (R6-1 in R6-12) is not a second mention.
    return [p for p in found if not any(p.code != q.code and p.code in q.code for q in found)]
