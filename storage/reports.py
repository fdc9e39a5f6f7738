"""Progress reports (整改进展) and their evidence; kept forever, withdrawals only marked."""

from __future__ import annotations

from datetime import datetime

from storage.db import Tx
from storage.models import Record
from storage.reader import Reader
from storage.times import iso


class Report(Record):
    id: int
    number: str
    problem_id: int
    person_id: int
    claim: str
    text: str
    recovered_wan_x100: int | None
    rules_count: int | None
    accountable_count: int | None
    status_before: str
    status_after: str
    chat_id: int | None
    created_at: datetime
    withdrawn_at: datetime | None


class NewReport(Record):
    problem_id: int
    person_id: int
    claim: str
    text: str
    recovered_wan_x100: int | None
    rules_count: int | None
    accountable_count: int | None
    source_update_id: int | None
    chat_id: int
    status_before: str
    status_after: str


class NewAttachment(Record):
    kind: str
    file_id: str
    file_unique_id: str
    file_name: str | None
    mime_type: str | None
    size: int | None
    sha256: str | None
    local_path: str | None
    note: str | None


_COLUMNS = (
    "id, number, problem_id, person_id, claim, text, recovered_wan_x100, rules_count,"
    " accountable_count, status_before, status_after, chat_id, created_at, withdrawn_at"
)


async def insert(tx: Tx, report: NewReport, number_of: str, at: datetime) -> Report:
    """Insert a report; its number is `number_of` formatted with the new row's id."""
    # Safe inside the write transaction: writers are serialised (BEGIN IMMEDIATE).
    row = await tx.fetchone("SELECT COALESCE(MAX(id), 0) + 1 FROM reports")
    assert row is not None
    report_id = int(row[0])
    await tx.execute(
        "INSERT INTO reports (id, number, problem_id, person_id, claim, text, recovered_wan_x100,"
        " rules_count, accountable_count, source_update_id, chat_id, status_before,"
        " status_after, created_at) VALUES (:id, :number, :problem_id, :person_id, :claim, :text,"
        " :recovered_wan_x100, :rules_count, :accountable_count, :source_update_id, :chat_id,"
        " :status_before, :status_after, :at)",
        {
            **report.model_dump(),
            "id": report_id,
            "number": number_of.format(id=report_id),
            "at": iso(at),
        },
    )
    await tx.execute(
        "UPDATE problems SET last_report_at = ?, last_report_id = ? WHERE id = ?",
        (iso(at), report_id, report.problem_id),
    )
    found = await get(tx, report_id)
    assert found is not None
    return found


async def add_attachment(tx: Tx, report_id: int, file: NewAttachment, at: datetime) -> None:
    await tx.execute(
        "INSERT INTO attachments (report_id, kind, file_id, file_unique_id, file_name, mime_type,"
        " size, sha256, local_path, note, created_at) VALUES (:report_id, :kind, :file_id,"
        " :file_unique_id, :file_name, :mime_type, :size, :sha256, :local_path, :note, :at)",
        {**file.model_dump(), "report_id": report_id, "at": iso(at)},
    )


async def get(db: Reader, report_id: int) -> Report | None:
    row = await db.fetchone(f"SELECT {_COLUMNS} FROM reports WHERE id = ?", (report_id,))
    return None if row is None else Report.from_row(row)


async def by_number(db: Reader, number: str) -> Report | None:
    row = await db.fetchone(f"SELECT {_COLUMNS} FROM reports WHERE number = ?", (number,))
    return None if row is None else Report.from_row(row)


async def latest_active(db: Reader, problem_id: int) -> Report | None:
    row = await db.fetchone(
        f"SELECT {_COLUMNS} FROM reports WHERE problem_id = ? AND withdrawn_at IS NULL"
        " ORDER BY id DESC LIMIT 1",
        (problem_id,),
    )
    return None if row is None else Report.from_row(row)


async def mark_withdrawn(tx: Tx, report_id: int, at: datetime) -> bool:
    cur = await tx.execute(
        "UPDATE reports SET withdrawn_at = ? WHERE id = ? AND withdrawn_at IS NULL",
        (iso(at), report_id),
    )
    if cur.rowcount != 1:
        return False
    await tx.execute(  # the problem's last report is now the one before it, if any
        "UPDATE problems SET"
        " last_report_at = (SELECT MAX(created_at) FROM reports r"
        "   WHERE r.problem_id = problems.id AND r.withdrawn_at IS NULL),"
        " last_report_id = (SELECT MAX(id) FROM reports r"
        "   WHERE r.problem_id = problems.id AND r.withdrawn_at IS NULL)"
        " WHERE id = (SELECT problem_id FROM reports WHERE id = ?)",
        (report_id,),
    )
    return True
