"""移交纪检监察: an admin hands an overdue problem to the discipline commission.

Recorded once per problem in `transfers`, in the audit log (and so in the problem's
history), and shown on the item wherever it is listed: the to-do, the red list, the
digests and the weekly table.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.services.access import Actor
from bot.services.uow import effect, reply
from bot.texts import dates
from bot.texts import transfer as tt
from storage import audit, ledger, standing, transfers
from storage.db import Database
from storage.ledger import Problem


class Refused(Exception):
    """Nothing was recorded; the message says why."""


async def transfer(
    db: Database,
    actor: Actor,
    problem: Problem,
    to_whom: str,
    note: str,
    at: datetime,
    tz: str,
) -> None:
    assert actor.person is not None
    local = at.astimezone(ZoneInfo(tz))
    async with effect(db) as tx:
        current = await ledger.get(tx, problem.id)
        assert current is not None
        if current.status == "closed":
            raise Refused(tt.CLOSED.format(code=problem.code))
        before = await transfers.latest(tx, problem.id)
        if before is not None:
            to, when = before
            local_when = when.astimezone(ZoneInfo(tz))
            raise Refused(tt.AGAIN.format(code=problem.code, at=dates.moment(local_when), to=to))
        if not note:
            days = standing.days_overdue(current, local.date())
            note = tt.DEFAULT_NOTE.format(days=days) if days else ""
        await transfers.record(
            tx, problem.id, to_whom, note, actor.person.id, actor.person.signature, at
        )
        await audit.record(
            tx,
            at=at,
            actor_id=actor.person.id,
            actor_label=actor.person.signature,
            action="transfer",
            entity="problem",
            entity_id=problem.id,
            after={"to": to_whom, "note": note},
            detail=f"移交{to_whom}：{note}" if note else f"移交{to_whom}",
        )
        await reply(
            tt.OK.format(
                code=problem.code,
                unit=problem.unit_name,
                to=to_whom,
                note=tt.NOTE.format(note=note) if note else tt.NO_NOTE,
            )
        )
