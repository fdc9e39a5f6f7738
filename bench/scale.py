"""The bot at a province's scale: 1,000 units, 50,000 problems, 500,000 reports.

    .venv/bin/python bench/scale.py            # everything, ~5 minutes once the file is built
    .venv/bin/python bench/scale.py --quick    # 100 units, 5,000 problems: under a minute
    .venv/bin/python bench/scale.py --only tick --only export

The database is built once (bench/scale_data.py) into bench/.cache, keyed by the schema's
version, and copied before each measurement. Each measurement runs in a process of its own,
so the peak memory (ru_maxrss) beside it is that measurement's; for the live ones (a real
`python -m bot run` against the local Bot API sandbox) it is the bot's. The clock is pinned
to Friday 2026-11-27 (09:00 for the tick, 17:00 for the weekly digest). Nothing here talks
to the internet. Figures beside their targets (issue 10 item 8); "over" is not a failure
of the bench, it is what is left to do.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.scale_data import (  # noqa: E402
    DAILY_AT,
    DAY,
    FULL,
    OFFICE_CHAT,
    QUICK,
    TICK_AT,
    WEEKLY_AT,
    Size,
    cached,
)
from bot.config import Config, parse_config  # noqa: E402
from bot.messages import OutMessage, fit  # noqa: E402
from bot.services.duties.runner import SINCE_KEY, DutyRunner  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.migrations import open_database  # noqa: E402

CACHE = REPO / "bench" / ".cache"
Row = dict[str, Any]  # label, figure, target, ok (None: no target), rss (MB)
OWED_SINCE = TICK_AT - timedelta(days=7)  # duties began a week ago: the last weekly is owed too


def rss_mb(who: int = resource.RUSAGE_SELF) -> float:
    return resource.getrusage(who).ru_maxrss / 1024


def row(label: str, figure: str, target: str = "", ok: bool | None = None, **extra: Any) -> Row:
    return {"label": label, "figure": figure, "target": target, "ok": ok, **extra}


def config_for(path: Path, **telegram: str) -> Config:
    return parse_config(
        {
            "telegram": {"token": "1:BENCH", **telegram},
            "storage": {"path": str(path), "evidence_dir": str(path.parent / "ev")},
            "office": {"admins": [8_000_000]},
        },
        "bench",
    )


def fresh_copy(source: Path, folder: Path) -> Path:
    """A copy to measure on, written out before the clock starts (the copy's 184 MB of dirty
    pages would otherwise be flushed during the measurement)."""
    target = folder / "scale.sqlite3"
    shutil.copyfile(source, target)
    os.sync()
    return target


async def opened(path: Path, since: str | None = None) -> Database:
    db = await open_database(path)
    if since is not None:
        async with db.transaction() as tx:
            await tx.execute(
                "INSERT OR REPLACE INTO bot_state (key, value) VALUES (?, ?)", (SINCE_KEY, since)
            )
    return db


def messages(text: str) -> int:
    return len(fit(OutMessage(text=text)))


# ------------------------------------------------------------------ the measurements


async def weekly(source: Path, folder: Path, size: Size) -> list[Row]:
    db = await opened(fresh_copy(source, folder))
    try:
        runner = DutyRunner(config_for(db.path), db)
        started = time.perf_counter()
        texts = await runner.build_digest("weekly", WEEKLY_AT)
        took = time.perf_counter() - started
    finally:
        await db.close()
    office = texts.get(OFFICE_CHAT, next(iter(texts.values()), ""))
    chars = sum(len(t) for t in texts.values())
    parts = messages(office)
    return [
        row("weekly digest: build", f"{took:.2f} s", "≤ 1 s", took <= 1, rss=rss_mb()),
        row("weekly digest: texts", f"{len(texts):,} texts, {chars:,} chars"),
        row("weekly digest: office's", f"{parts} messages", "≤ 5 + images", parts <= 5),
    ]


async def daily(source: Path, folder: Path, size: Size) -> list[Row]:
    db = await opened(fresh_copy(source, folder))
    try:
        started = time.perf_counter()
        texts = await DutyRunner(config_for(db.path), db).build_digest("daily", DAILY_AT)
        took = time.perf_counter() - started
    finally:
        await db.close()
    office = texts.get(OFFICE_CHAT, next(iter(texts.values()), ""))
    return [
        row("daily digest: build", f"{took:.2f} s", "≤ 1 s", took <= 1, rss=rss_mb()),
        row("daily digest: office's", f"{messages(office)} messages, {len(office):,} chars"),
    ]


async def _ticks(runner: DutyRunner, at: datetime) -> list[tuple[float, int, str]]:
    """Tick as the running bot does (each tick within its budget, the next one while
    something is owed) until nothing is due: (seconds, messages, slots done) per tick."""
    done: list[tuple[float, int, str]] = []
    while True:
        before = await _done_keys(runner.db)
        started = time.perf_counter()
        added = await runner.tick(at)
        took = time.perf_counter() - started
        slots = sorted((await _done_keys(runner.db)) - before)
        done.append((took, added, "+".join(k.split(":")[0] for k in slots) or "nothing"))
        if not runner.owed:
            return done


async def _done_keys(db: Database) -> set[str]:
    return {str(r[0]) for r in await db.fetchall("SELECT key FROM duty_runs")}


async def _run_ticks(
    source: Path, folder: Path, since: datetime, at: datetime
) -> list[tuple[float, int, str]]:
    db = await opened(fresh_copy(source, folder), since.isoformat())
    try:
        return await _ticks(DutyRunner(config_for(db.path), db), at)
    finally:
        await db.close()


def _tick_rows(label: str, ticks: list[tuple[float, int, str]]) -> list[Row]:
    """One row per tick, and for several the longest and the sum."""
    rows = [
        row(
            f"{label}{f' ({n})' if len(ticks) > 1 else ''}",
            f"{took:.2f} s, {added:,} messages: {what}",
            "≤ 1 s",
            took <= 1,
        )
        for n, (took, added, what) in enumerate(ticks, start=1)
    ]
    if len(ticks) > 1:
        total = sum(t for t, _, _ in ticks)
        rows.append(row(f"{label}: all", f"{len(ticks)} ticks, {total:.2f} s of work"))
    return rows


async def tick(source: Path, folder: Path, size: Size) -> list[Row]:
    half_hour = timedelta(minutes=30)
    morning = await _run_ticks(source, folder, TICK_AT - half_hour, TICK_AT)
    weekly = await _run_ticks(source, folder, WEEKLY_AT - half_hour, WEEKLY_AT)
    db = await opened(fresh_copy(source, folder), OWED_SINCE.isoformat())
    try:
        runner = DutyRunner(config_for(db.path), db)
        first = await _ticks(runner, TICK_AT)
        first_rss = rss_mb()
        started = time.perf_counter()
        again = await runner.tick(TICK_AT + timedelta(minutes=1))
        idle = time.perf_counter() - started
    finally:
        await db.close()
    owed = _tick_rows("first ticks (a week owed)", first)
    owed[0]["rss"] = first_rss
    return [
        *_tick_rows("tick: a morning", morning),
        *_tick_rows("tick: the weekly", weekly),
        *owed,
        row("idle tick (a minute later)", f"{idle:.2f} s, {again} new", "≤ 1 s", idle <= 1),
    ]


async def _export_at(problems: int, source: Path | None) -> Row:
    from bot.services.ledger.export import export_xlsx

    if source is None:  # a smaller ledger, for the growth
        people = max(problems // 25, 60)
        grown = Size(problems // 50, problems, problems * 10, admins=5, leaders=5, people=people)
        source = await asyncio.to_thread(cached, CACHE, grown)  # it runs its own event loop
    db = await Database.open(source)  # reads only: no copy needed, nothing migrates
    try:
        before = rss_mb()
        started = time.perf_counter()
        data = await export_xlsx(db, DAY, "Asia/Shanghai")
        took = time.perf_counter() - started
    finally:
        await db.close()
    return row(
        f"export {problems:,} problems",
        f"{took:.1f} s, {len(data) / 1e6:.1f} MB, +{rss_mb() - before:.0f} MB",
        "≤ 30 s" if problems >= 50_000 else "",
        took <= 30 if problems >= 50_000 else None,
        rss=rss_mb(),
    )


async def export_small(source: Path, folder: Path, size: Size) -> list[Row]:
    return [await _export_at(2_000, None)]


async def export_mid(source: Path, folder: Path, size: Size) -> list[Row]:
    return [await _export_at(8_000, None)]


async def export(source: Path, folder: Path, size: Size) -> list[Row]:
    return [await _export_at(size.problems, source)]


async def stats(source: Path, folder: Path, size: Size) -> list[Row]:
    from bot.services.ledger.views import stats_text

    db = await Database.open(source)
    try:
        started = time.perf_counter()
        text = await stats_text(db, DAY)
        took = time.perf_counter() - started
    finally:
        await db.close()
    return [
        row(
            "/stats reply",
            f"{took:.2f} s, {len(text):,} chars, {messages(text)} messages",
            rss=rss_mb(),
        )
    ]


async def reply(source: Path, folder: Path, size: Size) -> list[Row]:
    from bench.scale_live import replies_during_tick

    return await replies_during_tick(fresh_copy(source, folder), OWED_SINCE)


async def reply_idle(source: Path, folder: Path, size: Size) -> list[Row]:
    from bench.scale_live import replies_nothing_owed

    return await replies_nothing_owed(fresh_copy(source, folder))


async def startup(source: Path, folder: Path, size: Size) -> list[Row]:
    from bench.scale_live import start_up

    return await start_up(fresh_copy(source, folder))


Measure = Callable[[Path, Path, Size], Awaitable[list[Row]]]
MEASURES: dict[str, Measure] = {
    "weekly": weekly,
    "daily": daily,
    "tick": tick,
    "export-2k": export_small,
    "export-8k": export_mid,
    "export": export,
    "stats": stats,
    "reply": reply,
    "reply-idle": reply_idle,
    "startup": startup,
}


# ------------------------------------------------------------------ running and printing


def child(name: str, size: Size) -> None:
    source = cached(CACHE, size)
    with tempfile.TemporaryDirectory(prefix="zhenggai-scale-") as folder:
        rows = asyncio.run(MEASURES[name](source, Path(folder), size))
    print("RESULT " + json.dumps(rows, ensure_ascii=False), flush=True)


def run_child(name: str, quick: bool) -> list[Row]:
    args = [sys.executable, __file__, "--child", name] + (["--quick"] if quick else [])
    done = subprocess.run(args, capture_output=True, text=True, cwd=REPO, timeout=3600)
    for line in reversed(done.stdout.splitlines()):
        if line.startswith("RESULT "):
            found: list[Row] = json.loads(line.removeprefix("RESULT "))
            return found
    tail = (done.stderr.strip().splitlines() or ["no output"])[-1]
    return [row(name, f"FAILED: {tail[:70]}", ok=False)]


def show(rows: list[Row]) -> None:
    for r in rows:
        verdict = "" if r["ok"] is None else ("PASS" if r["ok"] else "over")
        rss = f"{r['rss']:.0f} MB" if "rss" in r else ""
        print(
            f"{r['label']:<30} {r['figure']:<44} {r['target']:<13} {verdict:<5} {rss:>8}",
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="100 units, 5,000 problems")
    parser.add_argument("--only", action="append", choices=sorted(MEASURES), help="repeatable")
    parser.add_argument("--child", choices=sorted(MEASURES), help=argparse.SUPPRESS)
    args = parser.parse_args()
    size = QUICK if args.quick else FULL
    if args.child:
        child(args.child, size)
        return
    names = args.only or [n for n in MEASURES if not (args.quick and n == "export-8k")]
    started = time.perf_counter()
    path = cached(CACHE, size)
    print(
        f"{size.units:,} units, {size.problems:,} problems, {size.reports:,} reports,"
        f" {size.people:,} people; {path.name} ready in {time.perf_counter() - started:.1f} s"
    )
    print(f"{'measure':<30} {'figure':<44} {'target':<13} {'':<5} {'peak RSS':>8}")
    for name in names:
        show(run_child(name, args.quick))


if __name__ == "__main__":
    main()
