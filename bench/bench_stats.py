"""Median time of /stats (views.stats_text) over 50,000 problems in a fresh SQLite file.

Run from the repo root: .venv/bin/python bench/bench_stats.py   (target: ≤ 200 ms)
"""

from __future__ import annotations

import asyncio
import random
import statistics
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from bot.services.ledger.views import stats_text
from storage.db import Database
from storage.migrations import open_database
from storage.times import iso

PROBLEMS = 50_000
UNITS = 120
ROUNDS = (
    "十四届县委第四轮巡察",
    "十四届县委第五轮巡察",
    "十四届县委第六轮巡察",
    "提级巡察",
    "回头看",
)
CATEGORIES = (
    "主体责任落实",
    "监督责任落实",
    "工作任务推进",
    "资金项目落实",
    "作风建设",
    "选人用人",
)
STATUSES = ("imported", "in_progress", "awaiting_acceptance", "closed")
KINDS = ("immediate", "deadline", "deadline", "deadline", "ongoing")
RUNS = 20
TARGET_MS = 200.0
TODAY = date(2026, 11, 23)


async def fill(db: Database) -> None:
    rng = random.Random(0)
    now = iso(datetime.now(UTC))
    async with db.transaction() as tx:
        await tx.executemany(
            "INSERT INTO rounds (id, name, created_at) VALUES (?, ?, ?)",
            [(i + 1, name, now) for i, name in enumerate(ROUNDS)],
        )
        await tx.executemany(
            "INSERT INTO units (id, name, created_at) VALUES (?, ?, ?)",
            [(i + 1, f"第{i + 1}号被巡察单位", now) for i in range(UNITS)],
        )
        rows = []
        for n in range(PROBLEMS):
            kind = rng.choice(KINDS)
            status = rng.choices(STATUSES, weights=(3, 3, 1, 3))[0]
            deadline = (
                None
                if kind == "ongoing"
                else (TODAY + timedelta(days=rng.randint(-120, 240))).isoformat()
            )
            rows.append(
                (
                    rng.randint(1, len(ROUNDS)),
                    f"P-{n + 1:06d}",
                    rng.randint(1, UNITS),
                    rng.choice(CATEGORIES),
                    f"问题描述 {n + 1}",
                    "整改措施",
                    deadline,
                    kind,
                    status,
                    now,
                    now,
                    now if status == "closed" else None,
                )
            )
        await tx.executemany(
            "INSERT INTO problems (round_id, code, unit_id, category, description, measures,"
            " deadline, kind, status, created_at, updated_at, closed_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )


async def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        db = await open_database(Path(folder) / "bench.sqlite3")
        try:
            await fill(db)
            assert await db.scalar("SELECT COUNT(*) FROM problems") == PROBLEMS
            text = await stats_text(db, TODAY)  # warm-up, and a sanity check
            assert f"问题 {PROBLEMS} 个" in text, text[:200]
            times = []
            for _ in range(RUNS):
                started = time.perf_counter()
                await stats_text(db, TODAY)
                times.append((time.perf_counter() - started) * 1000)
        finally:
            await db.close()
    median = statistics.median(times)
    verdict = "OK" if median <= TARGET_MS else "TOO SLOW"
    print(
        f"stats_text over {PROBLEMS:,} problems ({UNITS} units, {len(ROUNDS)} rounds,"
        f" {len(CATEGORIES)} categories): median {median:.1f} ms"
        f" (min {min(times):.1f}, max {max(times):.1f}) over {RUNS} runs"
        f" (target ≤ {TARGET_MS:.0f} ms) {verdict}"
    )


if __name__ == "__main__":
    asyncio.run(main())
