"""Reporting as a contact lives it: who may report, the draft, submitting and withdrawing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.config import Config
from bot.messages import Button, OutMessage, shorten
from bot.services import notify
from bot.services.access import Actor
from bot.services.reporting.draft import Draft, DraftFile
from bot.services.reporting.prompts import action, prompt, status_name
from bot.services.reporting.status import after_report, change_status
from bot.services.uow import current_turn, effect, reply
from bot.texts import reporting as rt
from storage import audit, chats, drafts, ledger, reports
from storage.db import Database, Tx
from storage.ledger import Problem
from storage.reader import Reader
from storage.reports import NewAttachment, NewReport, Report

WITHDRAW_WINDOW = timedelta(hours=24)
COPY_TEXT = 1500


class Refused(Exception):
    """Not taken; the message says why, in Chinese."""


def refusal(actor: Actor, problem: Problem | None, office: str) -> str | None:
    """Why this person may not report on this problem, or None when they may."""
    if not actor.is_bound:
        return rt.NOT_BOUND.format(office=office)
    contact = actor.contact_role
    if contact is None:
        return rt.LEADER_READ_ONLY if actor.is_leader else rt.ADMIN_NOT_CONTACT
    if problem is None:
        return None
    if problem.unit_id != contact.unit_id:
        return rt.OTHER_UNIT.format(
            code=problem.code, unit=problem.unit_name, mine=contact.unit_name
        )
    if problem.status == "closed":
        return rt.CLOSED.format(code=problem.code, office=office)
    return None


async def current(db: Reader, person_id: int) -> Draft | None:
    row = await drafts.get(db, person_id)
    return None if row is None or row.problem_id is None else Draft.from_row(row)


def _in_group(draft: Draft) -> bool:
    return draft.chat_id < 0  # groups have negative ids


async def begin(
    db: Database,
    person_id: int,
    chat_id: int,
    problem: Problem,
    texts: list[str],
    at: datetime,
    files: list[DraftFile] | None = None,
) -> Draft:
    """Start a draft and ask its first question; an unfinished one is never replaced."""
    existing = await current(db, person_id)
    if existing is not None and existing.has_content and existing.problem_id != problem.id:
        other = await ledger.get(db, existing.problem_id)
        raise Refused(rt.UNFINISHED.format(code=other.code if other else ""))
    if existing is not None and existing.problem_id == problem.id and existing.has_content:
        if texts or files:
            existing.texts += texts
            existing.files += files or []
            existing.step = "claim"
        existing.chat_id = chat_id
        await save(db, existing, problem, at)
        return existing
    draft = Draft.new(person_id, chat_id, problem.id, texts)
    if files:
        draft.files = list(files)
        draft.step = "claim"
    await save(db, draft, problem, at)
    return draft


async def save(
    db: Database, draft: Draft, problem: Problem, at: datetime, *, note: str | None = None
) -> None:
    """Keep the draft's new state and, in the same effect, ask its next question."""
    async with effect(db) as tx:
        await drafts.put(tx, draft.to_row(), at)
        if note:
            await reply(note)
        await reply(prompt(draft, problem, in_group=_in_group(draft)))


async def hold(db: Database, draft: Draft, other: Problem, text: str, at: datetime) -> None:
    """A message for another problem arrived mid-draft: keep it and ask where it belongs."""
    opened = await ledger.get(db, draft.problem_id)
    code = opened.code if opened else ""
    draft.held_problem_id, draft.held_text = other.id, text
    question = OutMessage(
        text=rt.WHICH_DRAFT.format(new=other.code, open=code),
        buttons=(
            (Button(text=rt.INTO_OPEN.format(code=code), action=action(draft, "into")),),
            (Button(text=rt.START_OTHER.format(code=other.code), action=action(draft, "new")),),
        ),
    )
    async with effect(db) as tx:
        await drafts.put(tx, draft.to_row(), at)
        await reply(question)


async def switch(db: Database, draft: Draft, other: Problem, rest: str, at: datetime) -> Draft:
    """Put the open draft aside, kept as it is, and start one for the other problem."""
    draft.held_problem_id = draft.held_text = None
    new = Draft.new(draft.person_id, draft.chat_id, other.id, [rest] if rest.strip() else [])
    async with effect(db) as tx:
        await drafts.put(tx, draft.to_row(), at)
        await drafts.put(tx, new.to_row(), at)  # the open one is shelved, not lost
        await reply(prompt(new, other, in_group=_in_group(new)))
    return new


async def discard(db: Database, person_id: int, said: str, at: datetime) -> bool:
    """Drop the open draft (saying so); a shelved one becomes the open one again."""
    async with effect(db) as tx:
        await reply(said)
        return await drop(tx, person_id, at)


async def drop(tx: Tx, person_id: int, at: datetime) -> bool:
    """Inside an effect: drop the open draft and take up a shelved one, if any."""
    dropped = await drafts.delete(tx, person_id)
    if dropped:
        await _resume_shelved(tx, person_id, at)
    return dropped


async def _resume_shelved(tx: Tx, person_id: int, at: datetime) -> None:
    """Take up the latest shelved draft again, and say which."""
    for row in await drafts.shelved(tx, person_id):
        draft = Draft.from_row(row)
        problem = await ledger.get(tx, draft.problem_id)
        if problem is None or problem.status == "closed":
            continue
        await drafts.put(tx, row, at)
        await reply(rt.RESUMED.format(code=problem.code))
        return


@dataclass(frozen=True)
class Submitted:
    report: Report
    problem: Problem


async def submit(
    db: Database, draft: Draft, actor: Actor, config: Config, at: datetime
) -> Submitted:
    """Store the report, its evidence and the problem's new status in one transaction."""
    office = config.office.name
    async with effect(db) as tx:
        problem = await ledger.get(tx, draft.problem_id)
        why = refusal(actor, problem, office)
        if why is not None or problem is None or draft.claim is None:
            raise Refused(why or rt.STALE_BUTTON)
        new_status = after_report(problem.status, draft.claim)
        assert new_status is not None and actor.person is not None
        number = f"{at.astimezone(ZoneInfo(config.schedule.timezone)):%Y%m%d}-{{id:05d}}"
        report = await reports.insert(
            tx,
            NewReport(
                problem_id=problem.id,
                person_id=actor.person.id,
                claim=draft.claim,
                text=draft.text,
                recovered_wan_x100=draft.money,
                rules_count=draft.rules,
                accountable_count=draft.people,
                source_update_id=_update_id(),
                chat_id=draft.chat_id,
                status_before=problem.status,
                status_after=new_status,
            ),
            number,
            at,
        )
        for file in draft.files:
            await reports.add_attachment(tx, report.id, NewAttachment(**file.model_dump()), at)
        if new_status != problem.status:
            await change_status(tx, actor, problem, new_status, at, f"report {report.number}")
        await drafts.delete(tx, actor.person.id)
        await _copies(tx, config, problem, report, actor, len(draft.files), at)
        updated = await ledger.get(tx, problem.id)
        assert updated is not None
        completed = report.claim == "completed"
        await reply(
            rt.RECEIPT.format(
                number=report.number,
                code=updated.code,
                status=status_name(updated.status),
                next=rt.NEXT_COMPLETED.format(office=office) if completed else rt.NEXT_PROGRESS,
            )
        )
        await _resume_shelved(tx, actor.person.id, at)
        return Submitted(report, updated)


def _update_id() -> int | None:
    """The update that carries the report, when it came through the inbox."""
    turn = current_turn.get()
    return turn.update_id if turn is not None and turn.durable else None


async def _copies(
    tx: Tx,
    config: Config,
    problem: Problem,
    report: Report,
    actor: Actor,
    files: int,
    at: datetime,
) -> None:
    """五方报备: a copy to the unit's group, and to the office group when configured."""
    assert actor.person is not None
    body = report.text if len(report.text) <= COPY_TEXT else report.text[:COPY_TEXT] + "…"
    text = rt.COPY.format(
        unit=problem.unit_name,
        code=problem.code,
        title=shorten(problem.description, 60),
        author=actor.person.signature,
        claim=rt.CLAIM_COMPLETED if report.claim == "completed" else rt.CLAIM_PROGRESS,
        text=body or rt.NONE_TEXT,
        files=files,
        number=report.number,
    )
    targets = [c.chat_id for c in await chats.unit_groups(tx, problem.unit_id) if c.active]
    office = await chats.office(tx)
    if config.office.copy_reports and office is not None and office.active:
        targets.append(office.chat_id)
    for chat_id in targets:
        if chat_id == report.chat_id:
            continue  # reported in that group: everyone there has seen it
        await notify.enqueue(
            tx, f"copy:{report.id}:{chat_id}", chat_id, "copy", OutMessage(text=text), at
        )


async def withdraw(db: Database, actor: Actor, number: str, at: datetime) -> tuple[Report, Problem]:
    """Withdraw one's own report within 24 h; undo its status step if nothing came after."""
    async with effect(db) as tx:
        report = await reports.by_number(tx, number)
        if report is None:
            raise Refused(rt.WITHDRAW_NOT_FOUND.format(number=number))
        if actor.person is None or report.person_id != actor.person.id:
            raise Refused(rt.WITHDRAW_NOT_YOURS)
        if report.withdrawn_at is not None:
            raise Refused(rt.WITHDRAW_ALREADY.format(number=number))
        if at - report.created_at > WITHDRAW_WINDOW:
            raise Refused(rt.WITHDRAW_TOO_LATE.format(number=number))
        await reports.mark_withdrawn(tx, report.id, at)
        problem = await ledger.get(tx, report.problem_id)
        assert problem is not None
        latest = await reports.latest_active(tx, problem.id)
        later = latest is not None and latest.id > report.id
        if problem.status == report.status_after and not later:
            await change_status(
                tx, actor, problem, report.status_before, at, f"withdraw {report.number}"
            )
        await audit.record(
            tx,
            at=at,
            actor_id=actor.person.id,
            actor_label=actor.person.signature,
            action="withdraw",
            entity="problem",
            entity_id=problem.id,
            before={"报告": report.number},
            after={"报告": f"{report.number} 已撤回"},
        )
        updated = await ledger.get(tx, problem.id)
        assert updated is not None
        await reply(
            rt.WITHDRAW_OK.format(
                number=report.number, code=updated.code, status=status_name(updated.status)
            )
        )
        return report, updated
