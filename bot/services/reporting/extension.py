"""/extend: a contact asks for a later deadline; the office reviews it (another issue)."""

from __future__ import annotations

from datetime import date, datetime

from bot.services.access import Actor
from bot.services.reporting.flow import Refused, refusal
from bot.services.uow import effect, reply
from bot.texts import fmt_day
from bot.texts import reporting as rt
from storage import audit, extensions
from storage.db import Database
from storage.ledger import Problem


async def request(
    db: Database,
    actor: Actor,
    problem: Problem,
    new: date,
    reason: str,
    *,
    today: date,
    office: str,
    at: datetime,
) -> int:
    """Store the request for review; refuse with the reason when it cannot be taken."""
    why = refusal(actor, problem, office)
    if why is not None:
        raise Refused(why)
    if problem.kind == "ongoing" or problem.deadline is None:
        raise Refused(rt.EXTEND_ONGOING.format(code=problem.code))
    if new <= today or new <= problem.deadline:
        raise Refused(
            rt.EXTEND_NOT_LATER.format(
                new=fmt_day(new, today), old=fmt_day(problem.deadline, today)
            )
        )
    if not reason.strip():
        raise Refused(rt.EXTEND_NEED_REASON)
    assert actor.person is not None
    async with effect(db) as tx:
        pending = await extensions.pending_for(tx, problem.id)
        if pending is not None:
            raise Refused(
                rt.EXTEND_PENDING.format(
                    code=problem.code,
                    date=fmt_day(pending.requested_deadline, today),
                    office=office,
                )
            )
        request_id = await extensions.create(
            tx, problem.id, actor.person.id, new, reason.strip(), at
        )
        await audit.record(
            tx,
            at=at,
            actor_id=actor.person.id,
            actor_label=actor.person.signature,
            action="extension_request",
            entity="problem",
            entity_id=problem.id,
            before={"整改时限": problem.deadline.isoformat()},
            after={"申请时限": new.isoformat(), "理由": reason.strip()},
        )
        await reply(
            rt.EXTEND_OK.format(
                code=problem.code,
                old=fmt_day(problem.deadline, today),
                new=fmt_day(new, today),
                reason=reason.strip(),
                office=office,
            )
        )
        return request_id
