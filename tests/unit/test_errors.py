"""A failing handler: the user is told plainly it was not taken, the office a notice, no trace."""

from __future__ import annotations

import pytest

from bot.context import App
from storage import audit, outbox
from storage.db import Database
from tests.conftest import ADMIN_ID
from tests.factory import group_chat, private_chat, text_update, user
from tests.recording import RecordingRequest


async def test_error_reaches_office_not_user(
    app: App, db: Database, recorder: RecordingRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    office = group_chat(-1009, "巡察办工作群")
    await app.process_update(text_update(app.bot, user(ADMIN_ID), office, "/setgroup office"))

    async def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr("bot.services.binding.bind", broken)
    await app.process_update(text_update(app.bot, user(31), private_chat(31), "/bind ABCD"))
    said = recorder.sent(31)[-1]
    assert "没有处理成功" in said
    assert "重新发送" in said
    assert "Traceback" not in said
    assert "disk on fire" not in said
    alerts = [i for i in await outbox.all_items(db) if i.kind == "alert"]
    assert len(alerts) == 1
    assert alerts[0].chat_id == -1009
    assert "disk on fire" in alerts[0].payload
    assert await audit.entries(db, "bind") == []


async def test_error_storm_sends_one_office_notice(
    app: App, db: Database, recorder: RecordingRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    office = group_chat(-1009, "巡察办工作群")
    await app.process_update(text_update(app.bot, user(ADMIN_ID), office, "/setgroup office"))

    async def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("again")

    monkeypatch.setattr("bot.services.binding.bind", broken)
    for uid in range(40, 50):
        await app.process_update(text_update(app.bot, user(uid), private_chat(uid), "/bind X"))
    assert len([i for i in await outbox.all_items(db) if i.kind == "alert"]) == 1
    assert all("没有处理成功" in recorder.sent(uid)[-1] for uid in range(40, 50))


async def test_one_update_gets_one_answer(
    app: App, recorder: RecordingRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Finding 2: after an error no later handler group answers the same update too."""

    async def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr("bot.dialogs.report_flow.actor", broken)
    await app.process_update(text_update(app.bot, user(31), private_chat(31), "你好"))
    said = recorder.sent(31)
    assert len(said) == 1
    assert "没有处理成功" in said[0]
