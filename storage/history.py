"""A problem's history: reports with their evidence, reviews, deadline changes, audit trail."""

from __future__ import annotations

from datetime import date, datetime

from storage.models import AuditEntry, Record
from storage.people import signature_sql
from storage.reader import Reader


class ReportRecord(Record):
    id: int
    number: str
    author: str
    claim: str
    text: str
    recovered_wan_x100: int | None
    rules_count: int | None
    accountable_count: int | None
    created_at: datetime
    withdrawn_at: datetime | None


class AttachmentRecord(Record):
    report_id: int
    kind: str
    file_name: str | None
    size: int | None
    sha256: str | None


class ReviewRecord(Record):
    reviewer: str
    decision: str
    reason: str | None
    created_at: datetime


class DeadlineChange(Record):
    old_deadline: date | None
    new_deadline: date | None
    reason: str
    changed_at: datetime


async def reports(db: Reader, problem_id: int) -> list[ReportRecord]:
    rows = await db.fetchall(
        f"SELECT r.id, r.number, {signature_sql()} AS author, r.claim, r.text,"
        " r.recovered_wan_x100, r.rules_count, r.accountable_count, r.created_at, r.withdrawn_at"
        " FROM reports r JOIN people p ON p.id = r.person_id WHERE r.problem_id = ? ORDER BY r.id",
        (problem_id,),
    )
    return [ReportRecord.from_row(r) for r in rows]


async def attachments(db: Reader, problem_id: int) -> list[AttachmentRecord]:
    rows = await db.fetchall(
        "SELECT a.report_id, a.kind, a.file_name, a.size, a.sha256 FROM attachments a"
        " JOIN reports r ON r.id = a.report_id WHERE r.problem_id = ? ORDER BY a.id",
        (problem_id,),
    )
    return [AttachmentRecord.from_row(r) for r in rows]


async def reviews(db: Reader, problem_id: int) -> list[ReviewRecord]:
    rows = await db.fetchall(
        f"SELECT {signature_sql()} AS reviewer, v.decision, v.reason, v.created_at FROM reviews v"
        " JOIN people p ON p.id = v.reviewer_id WHERE v.problem_id = ? ORDER BY v.id",
        (problem_id,),
    )
    return [ReviewRecord.from_row(r) for r in rows]


async def deadline_changes(db: Reader, problem_id: int) -> list[DeadlineChange]:
    rows = await db.fetchall(
        "SELECT old_deadline, new_deadline, reason, changed_at FROM deadline_changes"
        " WHERE problem_id = ? ORDER BY id",
        (problem_id,),
    )
    return [DeadlineChange.from_row(r) for r in rows]


async def trail(db: Reader, problem_id: int) -> list[AuditEntry]:
    rows = await db.fetchall(
        "SELECT * FROM audit_log WHERE entity = 'problem' AND entity_id = ? ORDER BY id",
        (problem_id,),
    )
    return [AuditEntry.from_row(r) for r in rows]


async def report_files(db: Reader, report_id: int) -> list[tuple[str, str]]:
    """(kind, file id) of a report's attachments, in the order they came."""
    rows = await db.fetchall(
        "SELECT kind, file_id FROM attachments WHERE report_id = ? ORDER BY id", (report_id,)
    )
    return [(str(r[0]), str(r[1])) for r in rows]
