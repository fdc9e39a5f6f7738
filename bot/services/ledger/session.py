"""One import as an admin lives it: read and check the file, preview, then confirm or cancel."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, replace
from datetime import datetime

from pydantic import TypeAdapter

from bot.messages import Button, OutMessage
from bot.services.ledger import report_text
from bot.services.ledger.importer import ImportPlan, apply_import, plan_import
from bot.services.ledger.reading import DEFAULT_MAX_ROWS, LedgerFileError, read_table
from bot.services.ledger.rows import LedgerRow, Parsed, RowError, parse_rows
from bot.services.uow import effect, reply, unbutton
from bot.texts import ledger as lt
from storage import imports, ledger
from storage.db import Database
from storage.reader import Reader

_ROWS = TypeAdapter(list[LedgerRow])


@dataclass(frozen=True)
class Refused:
    errors: list[RowError]


@dataclass(frozen=True)
class Preview:
    import_id: int | None  # None when the file changes nothing
    file_name: str
    default_round: str
    plan: ImportPlan
    sheet: str | None = None  # the worksheet that was read; None for a CSV


@dataclass(frozen=True)
class Decided:
    outcome: str  # applied, cancelled, not_yours, stale
    plan: ImportPlan | None = None
    round_name: str = ""


def file_errors(exc: LedgerFileError) -> list[RowError]:
    return [RowError(row=1, column="文件", reason=str(exc))]


def check_file(data: bytes, file_name: str, max_rows: int = DEFAULT_MAX_ROWS) -> Parsed:
    """The validated rows and every error; a file with any error is refused whole."""
    try:
        table = read_table(data, file_name, max_rows)
    except LedgerFileError as exc:
        return Parsed([], file_errors(exc))
    return replace(parse_rows(table.rows), sheet=table.sheet)


async def default_round(db: Reader, hint: str) -> str:
    """The round named by the admin, else the latest round, else the first."""
    if hint.strip():
        return hint.strip()
    latest = await ledger.latest_round(db)
    return latest.name if latest else lt.DEFAULT_ROUND


async def prepare(
    db: Database,
    data: bytes,
    file_name: str,
    round_hint: str,
    *,
    by: int,
    chat_id: int,
    at: datetime,
    max_rows: int = DEFAULT_MAX_ROWS,
) -> Refused | Preview:
    """Check the whole file and keep it for confirmation; nothing in the ledger changes yet."""
    # Parsing a big workbook takes a while: off the event loop, so other chats go on.
    checked = await asyncio.to_thread(check_file, data, file_name, max_rows)
    if checked.errors:
        return Refused(checked.errors)
    rows = checked.rows
    round_name = await default_round(db, round_hint)
    plan = await plan_import(db, rows, round_name)
    async with effect(db) as tx:
        import_id = None
        if plan.changes_anything:
            import_id = await imports.create(
                tx, round_name, file_name, _ROWS.dump_json(rows).decode(), by, chat_id, at
            )
        preview = Preview(import_id, file_name, round_name, plan, checked.sheet)
        await reply(_preview_message(preview))
    return preview


def _preview_message(preview: Preview) -> OutMessage:
    """The preview the admin confirms or cancels (no buttons when nothing would change)."""
    text = report_text.preview(
        preview.file_name, preview.default_round, preview.plan, preview.sheet
    )
    if preview.import_id is None:
        return OutMessage(text=text)
    buttons = (
        (
            Button(text=lt.IMPORT_CONFIRM, action=f"imp:ok:{preview.import_id}"),
            Button(text=lt.IMPORT_CANCEL, action=f"imp:no:{preview.import_id}"),
        ),
    )
    return OutMessage(text=text, buttons=buttons)


async def decide(
    db: Database,
    import_id: int,
    *,
    confirm: bool,
    by: int,
    by_label: str,
    at: datetime,
    chat_id: int | None = None,
) -> Decided:
    """Apply (all or nothing, in one transaction) or cancel; only its admin may, and only in
    the chat where the preview was offered."""
    async with effect(db) as tx:
        pending = await imports.get(tx, import_id)
        if pending is None or pending.status != "pending":
            return Decided("stale")
        if chat_id is not None and pending.chat_id != chat_id:
            return Decided("stale")
        if pending.created_by != by:
            return Decided("not_yours")
        await imports.decide(tx, import_id, "applied" if confirm else "cancelled", at)
        await unbutton()
        if not confirm:
            await reply(lt.IMPORT_CANCELLED)
            return Decided("cancelled")
        rows = _ROWS.validate_python(json.loads(pending.rows))
        plan = await apply_import(tx, rows, pending.round_name, by=by, by_label=by_label, at=at)
        await reply(report_text.done(plan, pending.round_name))
        return Decided("applied", plan, pending.round_name)
