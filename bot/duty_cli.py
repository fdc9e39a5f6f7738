"""`zhenggai tick` and `zhenggai digest`: the scheduler's engine, by hand."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

from bot.config import Config
from bot.services.duties.runner import DutyRunner
from bot.texts import chart as tc
from storage.migrations import open_database


async def tick(config: Config, moment: datetime) -> int:
    """Queue what is due at `moment` (idempotent: a second run adds nothing)."""
    db = await open_database(config.storage.target)
    try:
        added = await DutyRunner(config, db).catch_up(moment)
    finally:
        await db.close()
    print(f"{moment.isoformat()}：新增 {added} 条待发消息（已在发件队列中的不会重复）")
    return 0


async def digest(
    config: Config,
    kind: str,
    *,
    send: bool,
    chart: Path | None = None,
    now: datetime | None = None,
) -> int:
    """Print what the digest would say now; with --send, queue it for the running bot.

    chart: also write the weekly 挂图作战 chart there (FILE, FILE-2.png … if several).
    """
    if chart is not None and kind != "weekly":
        print(tc.CLI_WEEKLY_ONLY, file=sys.stderr)
        return 2
    db = await open_database(config.storage.target)
    try:
        runner = DutyRunner(config, db)
        now = now or datetime.now(runner.settings.tz)
        texts = await runner.build_digest(kind, now)
        for chat_id, text in texts.items():
            print(f"== 发往 {chat_id or '（未登记巡察办工作群）'} ==\n{text}\n")
        if send:
            await runner.send_now(kind, now)
            print("已放入发件队列，运行中的机器人会按 Telegram 的频率限制发出。")
        if chart is not None:
            await _chart(runner, now, chart)
    finally:
        await db.close()
    return 0


async def _chart(runner: DutyRunner, now: datetime, first: Path) -> None:
    """Draw the chart as the weekly digest of `now` would, comparing with last week's."""
    slot = runner.slot_now("weekly", now)
    paths, left_out = await runner.draw_chart(slot, first)
    print(tc.CLI_WROTE.format(files="、".join(str(p) for p in paths)))
    if left_out:
        print(tc.CLI_LEFT_OUT.format(count=left_out))
