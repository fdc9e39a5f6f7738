"""`zhenggai digest weekly --send` queues what the weekly slot would: its chart included."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from bot.duty_cli import digest
from storage import outbox
from storage.migrations import open_database
from tests.unit.duty_world import LEADERS, OFFICE, at, build, duty_config

FRIDAY = date(2026, 11, 27)


async def test_a_weekly_sent_by_hand_carries_its_chart(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = duty_config(tmp_path)
    db = await open_database(config.storage.target)
    await build(db, tmp_path, FRIDAY)
    await db.close()
    assert await digest(config, "weekly", send=True, now=at(FRIDAY, 16)) == 0
    assert "已放入发件队列" in capsys.readouterr().out
    db = await open_database(config.storage.target)
    items = await outbox.all_items(db)
    await db.close()

    def slot_key(key: str) -> str:  # manual:<moment>:weekly:2026-W48:chart1@chat → weekly:…
        bare = key.split("@")[0]
        return bare[bare.index("weekly:") :]

    payloads = {(i.chat_id, slot_key(i.key)): json.loads(i.payload) for i in items}
    for chat in (OFFICE, LEADERS):
        assert payloads[(chat, "weekly:2026-W48")]["text"].startswith("【一周一汇总】第48周")
        photo = payloads[(chat, "weekly:2026-W48:chart1")]["attachment"]
        assert photo["kind"] == "photo"
        assert Path(photo["path"]).read_bytes().startswith(b"\x89PNG")
    assert all(i.key.startswith("manual:") for i in items)  # not the slot's own keys
    groups = {i.chat_id for i in items if i.chat_id not in (OFFICE, LEADERS)}
    assert len(groups) == 8  # every unit group its own part


async def test_the_weekly_goes_out_without_its_chart_when_it_cannot_be_drawn(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from bot.services.duties import chart
    from bot.services.duties.runner import DutyRunner

    def broken(*args: object, **kwargs: object) -> list[bytes]:
        raise chart.FontMissing("字体包未安装")

    monkeypatch.setattr(chart, "render", broken)
    config = duty_config(tmp_path)
    db = await open_database(config.storage.target)
    await build(db, tmp_path, FRIDAY)
    runner = DutyRunner(config, db)
    await runner.since(at(FRIDAY, 8))
    await runner.catch_up(at(FRIDAY, 17, 1))
    items = await outbox.all_items(db)
    await db.close()
    weekly = [i for i in items if i.kind == "weekly" and i.chat_id in (OFFICE, LEADERS)]
    assert [json.loads(i.payload)["text"][:8] for i in weekly] == ["【一周一汇总】第"] * 2
    assert "weekly chart could not be drawn" in caplog.text


async def test_a_tick_out_of_budget_leaves_the_next_step_to_the_next_tick(
    tmp_path: Path,
) -> None:
    """However large the ledger, a tick ends after the step that used its budget: the rest
    stays due and the following ticks do it, in order, each step once."""
    from bot.services.duties.runner import DutyRunner

    config = duty_config(tmp_path)
    db = await open_database(config.storage.target)
    await build(db, tmp_path, FRIDAY)
    runner = DutyRunner(config, db)
    await runner.since(at(FRIDAY, 16, 59))
    done: list[list[str]] = []
    for _ in range(4):
        await runner.tick(at(FRIDAY, 17, 1), budget=0)  # every step "uses up" the budget
        items = await outbox.all_items(db)
        done.append(sorted({i.key.split("@")[0] for i in items if i.chat_id == OFFICE}))
        if not runner.owed:
            break
    await db.close()
    assert done == [
        ["weekly:2026-W48"],
        ["weekly:2026-W48", "weekly:2026-W48:chart1"],
        ["weekly:2026-W48", "weekly:2026-W48:chart1"],  # the table: only past 30 units
    ]
    assert not runner.owed
