"""`zhenggai tick` and `zhenggai digest`: the scheduler's engine, by hand."""

from __future__ import annotations

from datetime import datetime

from bot.config import Config
from bot.messages import OutMessage
from bot.services import notify
from bot.services.duties.runner import DutyRunner
from storage.migrations import open_database


async def tick(config: Config, moment: datetime) -> int:
    """Queue what is due at `moment` (idempotent: a second run adds nothing)."""
    db = await open_database(config.storage.path)
    try:
        added = await DutyRunner(config, db).tick(moment)
    finally:
        await db.close()
    print(f"{moment.isoformat()}：新增 {added} 条待发消息（已在发件队列中的不会重复）")
    return 0


async def digest(config: Config, kind: str, *, send: bool) -> int:
    """Print what the digest would say now; with --send, queue it for the running bot."""
    db = await open_database(config.storage.path)
    try:
        runner = DutyRunner(config, db)
        now = datetime.now(runner.settings.tz)
        texts = await runner.build_digest(kind, now)
        for chat_id, text in texts.items():
            print(f"== 发往 {chat_id or '（未登记巡察办工作群）'} ==\n{text}\n")
        if send:
            async with db.transaction() as tx:
                for chat_id, text in texts.items():
                    if chat_id:
                        key = f"manual-{kind}:{now.isoformat()}@{chat_id}"
                        await notify.enqueue(tx, key, chat_id, kind, OutMessage(text=text), now)
            print("已放入发件队列，运行中的机器人会按 Telegram 的频率限制发出。")
    finally:
        await db.close()
    return 0
