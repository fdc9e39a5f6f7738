"""Time to check and import 10,000 ledger rows (an .xlsx) into a fresh SQLite file.

Run from the repo root: .venv/bin/python bench/bench_import.py   (target: ≤ 10 s)
"""

from __future__ import annotations

import asyncio
import io
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

from openpyxl import Workbook

from bot.sample import ROUND, sample_rows
from bot.services.ledger.importer import apply_import
from bot.services.ledger.session import check_file
from storage.migrations import open_database

ROWS = 10_000
TARGET_S = 10.0
TODAY = date(2026, 11, 23)


def ledger_xlsx(count: int) -> bytes:
    """The sample's rows over and over, each with a new code, spread over 40 units."""
    header, *sample = sample_rows(TODAY)
    book = Workbook(write_only=True)
    sheet = book.create_sheet("问题台账")
    sheet.append(header)
    for n in range(count):
        cells = list(sample[n % len(sample)])
        cells[0] = f"R6-{n // 250 + 1:02d}-{n + 1:05d}"
        cells[1] = f"{cells[1]}{n % 5 + 1}" if n % 5 else cells[1]
        cells[3] = f"{cells[3]}（第{n + 1}项）"
        sheet.append(cells)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


async def main() -> None:
    data = ledger_xlsx(ROWS)
    with tempfile.TemporaryDirectory() as folder:
        db = await open_database(Path(folder) / "bench.sqlite3")
        try:
            started = time.perf_counter()
            checked = check_file(data, "台账.xlsx")
            checked_at = time.perf_counter()
            assert not checked.errors, checked.errors[:3]
            assert len(checked.rows) == ROWS
            async with db.transaction() as tx:
                plan = await apply_import(
                    tx, checked.rows, ROUND, by=None, by_label="bench", at=datetime.now(UTC)
                )
            applied_at = time.perf_counter()
            stored = await db.scalar("SELECT COUNT(*) FROM problems")
        finally:
            await db.close()
    assert len(plan.new_problems) == ROWS == stored
    check_s, apply_s = checked_at - started, applied_at - checked_at
    total = check_s + apply_s
    verdict = "OK" if total <= TARGET_S else "TOO SLOW"
    print(
        f"import {ROWS:,} rows ({len(data) / 1e6:.1f} MB .xlsx, {len(plan.new_units)} units):"
        f" check {check_s:.2f} s + apply {apply_s:.2f} s = {total:.2f} s"
        f" (target ≤ {TARGET_S:.0f} s) {verdict}"
    )


if __name__ == "__main__":
    asyncio.run(main())
