"""The office's half of the loop: 验收销号 or 退回, extension decisions, and 回头看."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.config import Config
from bot.messages import shorten
from bot.services import notify
from bot.services.access import Actor
from bot.services.reporting.prompts import status_name
from bot.services.reporting.status import change_status
from bot.services.uow import effect, reply
from bot.texts import fmt_day, fmt_time
from bot.texts import office as ot
from storage import audit, ledger, people, reports, reviews
from storage.db import Database, Tx
from storage.extensions import ExtensionRequest
from storage.ledger import Problem


def _title(problem: Problem) -> str:
    """The problem as the unit's messages name it (60 characters, as reminders do)."""
    return shorten(problem.description, 60)


class Stale(Exception):
    """The item changed since its button was shown; the message says how, in Chinese."""


@dataclass(frozen=True)
class Done:
    problem: Problem
    extension: ExtensionRequest | None = None


async def _awaiting(tx: Tx, problem_id: int, report_id: int) -> Problem:
    problem = await ledger.get(tx, problem_id)
    latest = await reports.latest_active(tx, problem_id)
    if (
        problem is None
        or problem.status != "awaiting_acceptance"
        or latest is None
        or latest.id != report_id
    ):
        raise Stale(ot.REVIEW_STALE.format(status=status_name(problem.status) if problem else "—"))
    return problem


async def accept(
    db: Database, actor: Actor, problem_id: int, report_id: int, config: Config, at: datetime
) -> Done:
    """通过: close the problem (销号), who and when kept; the unit is told."""
    return await _decide(db, actor, problem_id, report_id, None, config, at)


async def send_back(
    db: Database,
    actor: Actor,
    problem_id: int,
    report_id: int,
    reason: str,
    config: Config,
    at: datetime,
) -> Done:
    """退回: back to in progress with the reason, which the unit's contacts are told."""
    return await _decide(db, actor, problem_id, report_id, reason, config, at)


async def _decide(
    db: Database,
    actor: Actor,
    problem_id: int,
    report_id: int,
    reason: str | None,
    config: Config,
    at: datetime,
) -> Done:
    """The one path of both: no reason means 通过, a reason means 退回."""
    assert actor.person is not None
    approve = reason is None
    async with effect(db) as tx:
        problem = await _awaiting(tx, problem_id, report_id)
        if approve:
            new, detail, key = "closed", f"验收通过 report {report_id}", "closed"
            text = ot.TO_UNIT_CLOSED.format(
                code=problem.code, office=config.office.name, title=_title(problem)
            )
        else:
            new, detail, key = "in_progress", f"退回：{reason}", "rejected"
            text = ot.TO_UNIT_REJECTED.format(
                code=problem.code, reason=reason, title=_title(problem)
            )
        await change_status(tx, actor, problem, new, at, detail)
        await reviews.record(
            tx,
            problem_id=problem.id,
            reviewer=actor.person.id,
            at=at,
            decision="approved" if approve else "rejected",
            report_id=report_id,
            reason=reason,
        )
        await notify.to_unit(
            tx,
            f"{key}:{problem.id}:{report_id}",
            problem.unit_id,
            "review",
            text,
            at,
            config.schedule,
        )
        if approve:
            when = fmt_time(at, config.schedule.timezone)
            await reply(
                ot.REVIEW_CLOSED.format(code=problem.code, who=actor.person.signature, at=when)
            )
        else:
            await reply(ot.REVIEW_REJECTED.format(code=problem.code, reason=reason))
        return Done(problem)


async def _pending_extension(tx: Tx, extension_id: int) -> tuple[ExtensionRequest, Problem]:
    request = await reviews.extension(tx, extension_id)
    problem = await ledger.get(tx, request.problem_id) if request else None
    if request is None or problem is None or request.status != "pending":
        raise Stale(ot.REVIEW_STALE.format(status=status_name(problem.status) if problem else "—"))
    return request, problem


async def decide_extension(
    db: Database,
    actor: Actor,
    extension_id: int,
    *,
    approve: bool,
    reason: str | None,
    config: Config,
    at: datetime,
) -> Done:
    """同意: the deadline moves, its history kept (old, new, who, why); 不同意: reason goes back."""
    assert actor.person is not None
    async with effect(db) as tx:
        request, problem = await _pending_extension(tx, extension_id)
        old = problem.deadline
        today = at.astimezone(ZoneInfo(config.schedule.timezone)).date()

        def day(value: date | None) -> str:
            return ot.LIMIT_ONGOING if value is None else fmt_day(value, today)

        await reviews.decide_extension(
            tx, extension_id, "approved" if approve else "rejected", actor.person.id, reason, at
        )
        await reviews.record(
            tx,
            problem_id=problem.id,
            reviewer=actor.person.id,
            at=at,
            decision="approved" if approve else "rejected",
            extension_id=extension_id,
            reason=reason,
        )
        if approve:
            await reviews.set_deadline(tx, problem.id, request.requested_deadline, at)
            await ledger.record_deadline_change(
                tx,
                problem.id,
                old,
                request.requested_deadline,
                f"延期申请：{request.reason}",
                actor.person.id,
                at,
                extension_id,
            )
            await audit.record(
                tx,
                at=at,
                actor_id=actor.person.id,
                actor_label=actor.person.signature,
                action="deadline",
                entity="problem",
                entity_id=problem.id,
                before={"整改时限": str(old)},
                after={"整改时限": str(request.requested_deadline)},
                detail=request.reason,
            )
            text = ot.TO_UNIT_EXTENDED.format(
                code=problem.code,
                old=day(old),
                new=day(request.requested_deadline),
                title=_title(problem),
            )
            await notify.to_unit(
                tx, f"extended:{extension_id}", problem.unit_id, "review", text, at, config.schedule
            )
        else:
            requester = await people.tg_id_of(tx, request.person_id)
            text = ot.TO_PERSON_EXTENSION_REJECTED.format(
                code=problem.code, old=day(old), reason=reason
            )
            if requester is not None:
                await notify.to_person(
                    tx,
                    f"extension-rejected:{extension_id}",
                    requester,
                    "review",
                    text,
                    at,
                    config.schedule,
                )
            await audit.record(
                tx,
                at=at,
                actor_id=actor.person.id,
                actor_label=actor.person.signature,
                action="review",
                entity="problem",
                entity_id=problem.id,
                after={"延期申请": "不同意", "理由": reason or ""},
            )
        updated = await ledger.get(tx, problem.id)
        assert updated is not None
        if approve:
            await reply(
                ot.EXTENSION_APPROVED.format(
                    code=problem.code, old=day(old), new=day(updated.deadline)
                )
            )
        else:
            await reply(ot.EXTENSION_REJECTED.format(code=problem.code, reason=reason))
        return Done(updated, request)


async def reopen(
    db: Database, actor: Actor, problem: Problem, reason: str, config: Config, at: datetime
) -> Done:
    """回头看: a closed problem goes back to in progress; its history shows both steps."""
    assert actor.person is not None
    async with effect(db) as tx:
        current = await ledger.get(tx, problem.id)
        if current is None or current.status != "closed":
            raise Stale(
                ot.REOPEN_NOT_CLOSED.format(
                    code=problem.code, status=status_name(current.status if current else "")
                )
            )
        await change_status(tx, actor, current, "in_progress", at, f"回头看：{reason}")
        await reviews.record(
            tx,
            problem_id=problem.id,
            decision="reopened",
            reviewer=actor.person.id,
            at=at,
            reason=reason,
        )
        text = ot.TO_UNIT_REOPENED.format(code=problem.code, reason=reason, title=_title(problem))
        stamp = at.strftime("%Y%m%d%H%M%S")
        await notify.to_unit(
            tx,
            f"reopened:{problem.id}:{stamp}",
            problem.unit_id,
            "review",
            text,
            at,
            config.schedule,
        )
        updated = await ledger.get(tx, problem.id)
        assert updated is not None
        await reply(ot.REOPEN_OK.format(code=problem.code))
        return Done(updated)
