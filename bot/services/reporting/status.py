"""The life of a problem, as far as reports move it (reviews are the office's, elsewhere)."""

from __future__ import annotations

from typing import Literal

Claim = Literal["progress", "completed"]


def after_report(current: str, claim: Claim) -> str | None:
    """The status a report leaves the problem in; None when no report is taken (closed).

    imported → in progress; any open status → awaiting acceptance when the unit says done;
    a unit reporting progress on an item awaiting acceptance takes its claim back.
    """
    if current == "closed":
        return None
    return "awaiting_acceptance" if claim == "completed" else "in_progress"
