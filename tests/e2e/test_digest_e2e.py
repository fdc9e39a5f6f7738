"""At a weekly moment the office and leaders groups get 一周一汇总 through the strict sandbox."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

from bot.clock import pinned_clock
from bot.runtime import Runtime
from bot.sandbox import Sandbox
from bot.services.duties import runner
from bot.services.duties.runner import SINCE_KEY
from storage import state
from storage.migrations import open_database
from tests.e2e.conftest import sandbox_config
from tests.unit.duty_world import LEADERS, OFFICE, TZ, build

FRIDAY_1701 = datetime(2026, 11, 27, 17, 1, tzinfo=TZ)


@pytest.mark.parametrize("budget", [None, 0.0], ids=["one tick", "a step a tick"])
async def test_weekly_digest_reaches_office_and_leaders(
    sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, budget: float | None
) -> None:
    """Whether a tick does all that is due or (a province's ledger) one step, the next tick
    following a second later, the digest, its chart and each unit's part arrive once."""
    if budget is not None:
        monkeypatch.setattr(runner, "STEP_BUDGET", budget)
    config = sandbox_config(sandbox, tmp_path)
    db = await open_database(config.storage.target)
    await build(db, tmp_path, date(2026, 11, 16))
    async with db.transaction() as tx:  # the bot has been running since Monday
        await state.put(tx, SINCE_KEY, datetime(2026, 11, 23, 8, 0, tzinfo=TZ).isoformat())
    groups = await db.fetchall("SELECT chat_id, title FROM chats WHERE chat_id < 0")
    contacts = await db.fetchall("SELECT chat_id FROM chats WHERE type = 'private'")
    await db.close()
    for row in groups:
        sandbox.group(int(row["chat_id"]), str(row["title"]))
    for row in contacts:
        sandbox.private_chat(sandbox.user(int(row["chat_id"]), "联络员"))

    clock = pinned_clock(FRIDAY_1701)  # Friday 17:01 in the office's time zone, and running
    async with Runtime(config, clock=clock, poll_timeout=1):
        for chat in (OFFICE, LEADERS):
            await sandbox.wait_for(
                lambda c=chat: any("一周一汇总" in str(m.get("text")) for m in sandbox.received(c)),
                timeout=30,
            )
        for chat in (OFFICE, LEADERS):  # the 挂图作战 chart follows the text, as a photo
            await sandbox.wait_for(
                lambda c=chat: any("photo" in m for m in sandbox.received(c)), timeout=30
            )
        unit_group = -100_001
        await sandbox.wait_for(
            lambda: any(
                "一周一汇总】县交通运输局" in str(m.get("text"))
                for m in sandbox.received(unit_group)
            ),
            timeout=60,
        )
    office_digest = next(
        str(m["text"]) for m in sandbox.received(OFFICE) if "一周一汇总" in str(m.get("text"))
    )
    assert "【一周一汇总】第48周（11月23日—11月27日）" in office_digest
    assert "整改率" in office_digest
    assert "【各单位】" in office_digest
    assert [m["text"] for m in sandbox.received(LEADERS) if "一周一汇总" in str(m.get("text"))] == [
        office_digest
    ]
    charts = [m for m in sandbox.received(OFFICE) if "photo" in m]
    assert [m["caption"] for m in charts] == ["挂图作战图｜第48周（11月23日—11月27日）"]
    assert sandbox.rejected() == []
    assert sandbox.flood_violations == []
