"""The running bot pushes the weekly digest to the office's Telegram group and, configured
beside it, to its DingTalk group robot: signed, once each, with no call the sandbox refuses."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from bot.clock import pinned_clock
from bot.runtime import Runtime
from bot.sandbox import Sandbox
from bot.sandbox.robots import DingTalkReceiver
from bot.services.duties.runner import SINCE_KEY
from storage import state
from storage.migrations import open_database
from tests.e2e.conftest import sandbox_config
from tests.unit.duty_world import OFFICE, TZ, build

FRIDAY_1701 = datetime(2026, 11, 27, 17, 1, tzinfo=TZ)
SECRET = "SECding-e2e"


async def test_the_weekly_reaches_the_office_on_telegram_and_in_dingtalk(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    clock = pinned_clock(FRIDAY_1701)
    async with DingTalkReceiver(secret=SECRET, clock=lambda: clock().timestamp()) as ding:
        base = sandbox_config(sandbox, tmp_path)
        channels = {"dingtalk": {"office": {"webhook": ding.webhook_url, "secret": SECRET}}}
        config = base.model_copy(update={"channels": type(base.channels).model_validate(channels)})
        db = await open_database(config.storage.target)
        await build(db, tmp_path, date(2026, 11, 16))
        async with db.transaction() as tx:
            await state.put(tx, SINCE_KEY, datetime(2026, 11, 27, 16, 0, tzinfo=TZ).isoformat())
        groups = await db.fetchall("SELECT chat_id, title FROM chats WHERE chat_id < 0")
        await db.close()
        for row in groups:
            sandbox.group(int(row["chat_id"]), str(row["title"]))

        async with Runtime(config, clock=clock, poll_timeout=1):
            await sandbox.wait_for(
                lambda: any(t.startswith("【一周一汇总】") for t in ding.texts), timeout=30
            )
            await sandbox.wait_for(
                lambda: any("一周一汇总" in str(m.get("text")) for m in sandbox.received(OFFICE)),
                timeout=30,
            )
        on_telegram = [
            str(m["text"]) for m in sandbox.received(OFFICE) if "一周一汇总" in str(m.get("text"))
        ]
        in_dingtalk = [t for t in ding.texts if t.startswith("【一周一汇总】")]
        assert len(on_telegram) == 1
        assert in_dingtalk == on_telegram  # the same words, once, one piece (under 20,000 bytes)
        assert all(a.signed for a in ding.arrivals)
        assert sandbox.rejected() == []
