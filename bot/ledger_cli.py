"""`zhenggai import` and `zhenggai export`: the same code paths as /import and /export."""

from __future__ import annotations

import sys
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.config import Config
from bot.services.ledger import report_text, session
from bot.services.ledger.export import export_xlsx
from bot.services.ledger.importer import apply_import
from storage.migrations import open_database


async def import_bytes(config: Config, data: bytes, file_name: str, round_hint: str) -> int:
    """Check the whole file; import all of it in one transaction, or nothing (exit 1)."""
    checked = session.check_file(data, file_name, config.office.import_max_rows)
    if checked.errors:
        print(report_text.refusal(checked.errors, shown=None), file=sys.stderr)
        return 1
    db = await open_database(config.storage.target)
    try:
        round_name = await session.default_round(db, round_hint)
        now = datetime.now(ZoneInfo(config.schedule.timezone))
        async with db.transaction() as tx:
            plan = await apply_import(tx, checked.rows, round_name, by=None, by_label="cli", at=now)
    finally:
        await db.close()
    print(report_text.done(plan, round_name))
    return 0


async def export_bytes(config: Config) -> bytes:
    db = await open_database(config.storage.target)
    try:
        zone = ZoneInfo(config.schedule.timezone)
        return await export_xlsx(db, datetime.now(zone).date(), config.schedule.timezone)
    finally:
        await db.close()
