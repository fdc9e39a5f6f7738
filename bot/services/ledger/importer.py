"""Importing validated rows: plan what would change, then apply it all in one transaction."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from bot.services.ledger import template as t
from bot.services.ledger.rows import LedgerRow
from storage import audit, ledger, units
from storage.db import Tx
from storage.ledger import Problem, ProblemFields
from storage.reader import Reader

DEADLINE_REASON = "台账导入更新整改时限"


@dataclass(frozen=True)
class FieldChange:
    column: str
    old: str
    new: str


@dataclass(frozen=True)
class ChangedRow:
    row: LedgerRow
    problem_id: int
    changes: tuple[FieldChange, ...]


@dataclass
class ImportPlan:
    rounds: list[str] = field(default_factory=list)
    new_rounds: list[str] = field(default_factory=list)
    new_units: list[str] = field(default_factory=list)
    new_problems: list[LedgerRow] = field(default_factory=list)
    changed: list[ChangedRow] = field(default_factory=list)
    unchanged: int = 0

    @property
    def changes_anything(self) -> bool:
        return bool(self.new_problems or self.changed)


def _show(value: object) -> str:
    if value is None:
        return "（空）"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _diff(problem: Problem, row: LedgerRow) -> tuple[FieldChange, ...]:
    pairs = [
        (t.UNIT, problem.unit_name, row.unit),
        (t.CATEGORY, problem.category, row.category),
        (t.DESCRIPTION, problem.description, row.description),
        (t.MEASURES, problem.measures, row.measures),
        (t.LEADER, problem.leader_name, row.leader_name),
        (t.OWNER, problem.owner_name, row.owner_name),
        (t.DEADLINE, problem.deadline, row.deadline),
        (t.KIND, t.KIND_NAMES[problem.kind], t.KIND_NAMES[row.kind]),  # type: ignore[index]
    ]
    return tuple(FieldChange(col, _show(old), _show(new)) for col, old, new in pairs if old != new)


async def plan_import(db: Reader, rows: list[LedgerRow], default_round: str) -> ImportPlan:
    """What importing these rows would do, without doing it."""
    plan = ImportPlan()
    existing_units = {u.name for u in await units.all_units(db)}
    by_round: dict[str, dict[str, Problem]] = {}
    for row in rows:
        round_name = row.round_name or default_round
        if round_name not in by_round:
            plan.rounds.append(round_name)
            found = await ledger.round_by_name(db, round_name)
            if found is None:
                plan.new_rounds.append(round_name)
            problems = await ledger.problems_of_round(db, found.id) if found else []
            by_round[round_name] = {p.code: p for p in problems}
        if row.unit not in existing_units and row.unit not in plan.new_units:
            plan.new_units.append(row.unit)
        current = by_round[round_name].get(row.code)
        if current is None:
            plan.new_problems.append(row)
            continue
        changes = _diff(current, row)
        if changes:
            plan.changed.append(ChangedRow(row, current.id, changes))
        else:
            plan.unchanged += 1
    return plan


async def apply_import(
    tx: Tx,
    rows: list[LedgerRow],
    default_round: str,
    *,
    by: int | None,
    by_label: str,
    at: datetime,
) -> ImportPlan:
    """Plan again inside the transaction (the ledger may have moved) and apply all of it."""
    plan = await plan_import(tx, rows, default_round)
    round_ids = {}
    for name in plan.rounds:
        found = await ledger.round_by_name(tx, name) or await ledger.create_round(tx, name, at)
        round_ids[name] = found.id
    unit_ids = {u.name: u.id for u in await units.all_units(tx)}
    for name in plan.new_units:
        unit_ids[name] = (await units.create(tx, name, at)).id

    def fields(row: LedgerRow) -> ProblemFields:
        return ProblemFields(
            unit_id=unit_ids[row.unit],
            category=row.category,
            description=row.description,
            measures=row.measures,
            leader_name=row.leader_name,
            owner_name=row.owner_name,
            deadline=row.deadline,
            kind=row.kind,
        )

    for row in plan.new_problems:
        round_id = round_ids[row.round_name or default_round]
        await ledger.insert(tx, round_id, row.code, fields(row), at)
    for changed in plan.changed:
        before = await ledger.get(tx, changed.problem_id)
        assert before is not None
        await ledger.update_fields(tx, changed.problem_id, fields(changed.row), at)
        if before.deadline != changed.row.deadline:
            await ledger.record_deadline_change(
                tx,
                changed.problem_id,
                before.deadline,
                changed.row.deadline,
                DEADLINE_REASON,
                by,
                at,
            )
        await audit.record(
            tx,
            at=at,
            actor_id=by,
            actor_label=by_label,
            action="import_update",
            entity="problem",
            entity_id=changed.problem_id,
            before={c.column: c.old for c in changed.changes},
            after={c.column: c.new for c in changed.changes},
        )
    if plan.changes_anything:
        await audit.record(
            tx,
            at=at,
            actor_id=by,
            actor_label=by_label,
            action="import",
            entity="ledger",
            entity_id=None,
            after={
                "rounds": plan.rounds,
                "new_units": len(plan.new_units),
                "new_problems": len(plan.new_problems),
                "changed": len(plan.changed),
            },
        )
    return plan
