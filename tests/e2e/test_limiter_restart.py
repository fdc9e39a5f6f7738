"""A restart does not reset the pace: a group's minute spans the old and the new process."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from bot.messages import OutMessage
from bot.runtime import Runtime
from bot.sandbox import Sandbox
from bot.services import notify
from tests.e2e.conftest import no_duties_yet, sandbox_config

TOTAL = 24  # more than Telegram's 20 a minute for one group …
BEFORE = 15  # … of which the first process sends this many before it stops


async def test_a_restart_keeps_the_group_within_20_a_minute(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    config = sandbox_config(sandbox, tmp_path)
    await no_duties_yet(config)
    group = sandbox.group(-100800, "县审计局整改群")
    first = Runtime(config, poll_timeout=1)
    await first.start()
    async with first.db.transaction() as tx:
        now = datetime.now(UTC)
        for n in range(TOTAL):
            await notify.enqueue(tx, f"r:{n}", group.id, "test", OutMessage(text=f"第{n}条"), now)
    first.sender.kick()
    await sandbox.wait_for(lambda: len(sandbox.received(group)) >= BEFORE, timeout=30)
    await first.stop()  # stops without draining what is still queued
    assert len(sandbox.received(group)) < TOTAL

    async with Runtime(config, poll_timeout=1):
        # Without the journal the new process sends at once; with it, it waits for the
        # first process's sends to leave the minute (about 61 s after the first one).
        await sandbox.wait_for(lambda: len(sandbox.received(group)) >= TOTAL, timeout=100)
        await asyncio.sleep(1.5)  # time enough for a duplicate to show up

    texts = Counter(m["text"] for m in sandbox.received(group))
    assert texts == Counter(f"第{n}条" for n in range(TOTAL))
    assert sandbox.flood_violations == []
