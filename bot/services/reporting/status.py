"""The life of a problem, as far as reports move it (reviews are the office's, elsewhere)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from bot.services.access import Actor
from bot.services.ledger import template as t
from storage import audit, ledger
from storage.db import Tx
from storage.ledger import Problem

Claim = Literal["progress", "completed"]


def after_report(current: str, claim: Claim) -> str | None:
    """The status a report leaves the problem in; None when no report is taken (closed).

    imported → in progress; any open status → awaiting acceptance when the unit says done;
    a unit reporting progress on an item awaiting acceptance takes its claim back.
    """
    if current == "closed":
        return None
    return "awaiting_acceptance" if claim == "completed" else "in_progress"


async def change_status(
    tx: Tx, actor: Actor, problem: Problem, new: str, at: datetime, detail: str
) -> None:
    """Every status change goes through here, and leaves its audit row (before → after)."""
    assert actor.person is not None
    await ledger.set_status(tx, problem.id, new, at)
    await audit.record(
        tx,
        at=at,
        actor_id=actor.person.id,
        actor_label=actor.person.signature,
        action="status",
        entity="problem",
        entity_id=problem.id,
        before={"状态": t.STATUS_NAMES[problem.status]},  # type: ignore[index]
        after={"状态": t.STATUS_NAMES[new]},  # type: ignore[index]
        detail=detail,
    )
