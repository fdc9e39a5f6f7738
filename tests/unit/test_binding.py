"""Binding and registration through real Updates and a real database."""

from __future__ import annotations

from datetime import timedelta

from bot.context import App
from bot.services import binding
from bot.services.uow import effect
from storage import audit, chats, people, units
from storage.db import Database
from storage.times import utcnow
from tests.conftest import ADMIN_ID
from tests.factory import group_chat, private_chat, text_update, user
from tests.recording import RecordingRequest


async def make_code(db: Database, unit_name: str = "县交通运输局", hours: int = 72) -> str:
    now = utcnow()
    async with db.transaction() as tx:
        unit = await units.by_name(tx, unit_name) or await units.create(tx, unit_name, now)
        issued = await binding.issue(
            tx, "contact", unit, by=None, by_label="test", at=now, ttl=timedelta(hours=hours)
        )
    return issued.code


async def say(app: App, uid: int, text: str, chat: dict[str, object] | None = None) -> None:
    await app.process_update(text_update(app.bot, user(uid), chat or private_chat(uid), text))


async def test_start_tells_unbound_user_how_to_bind(app: App, recorder: RecordingRequest) -> None:
    await say(app, 55, "/start")
    assert "/bind" in recorder.sent(55)[-1]
    assert "还没有绑定" in recorder.sent(55)[-1]


async def test_valid_code_binds_once(app: App, db: Database, recorder: RecordingRequest) -> None:
    code = await make_code(db)
    await say(app, 55, f"/bind {code.lower()}")  # typed in lower case: still the code
    assert "绑定成功" in recorder.sent(55)[-1]
    assert "县交通运输局" in recorder.sent(55)[-1]
    person = await people.by_tg_id(db, 55)
    assert person is not None
    roles = await people.active_roles(db, person.id)
    assert [(r.role, r.unit_name) for r in roles] == [("contact", "县交通运输局")]
    assert len(await audit.entries(db, "bind")) == 1
    await say(app, 56, f"/bind {code}")
    assert "已被使用" in recorder.sent(56)[-1]
    assert await people.active_roles(db, (await people.by_tg_id(db, 56)).id) == []  # type: ignore[union-attr]


async def test_expired_code_is_refused(app: App, db: Database, recorder: RecordingRequest) -> None:
    code = await make_code(db, hours=-1)
    await say(app, 57, f"/bind {code}")
    assert "过期" in recorder.sent(57)[-1]
    assert len(await audit.entries(db, "bind")) == 0


async def test_five_wrong_codes_lock_the_user_for_an_hour(
    app: App, db: Database, recorder: RecordingRequest
) -> None:
    good = await make_code(db)
    for left in (4, 3, 2, 1, 0):
        await say(app, 58, "/bind AAAA-BBBB-CCCC")
        assert f"还可再试 {left} 次" in recorder.sent(58)[-1]
    await say(app, 58, f"/bind {good}")  # even the right code waits out the hour
    assert "错误次数过多" in recorder.sent(58)[-1]
    assert len(await audit.entries(db, "bind")) == 0


async def test_setgroup_by_non_admin_is_refused(
    app: App, db: Database, recorder: RecordingRequest
) -> None:
    group = group_chat(-1001, "巡察办工作群")
    await say(app, 77, "/setgroup office", group)
    assert "只有县委巡察办管理员可以登记群" in recorder.sent(-1001)[-1]
    assert await chats.office(db) is None
    await say(app, ADMIN_ID, "/setgroup office", group)
    assert "已将本群登记为巡察办工作群" in recorder.sent(-1001)[-1]
    office = await chats.office(db)
    assert office is not None
    assert office.chat_id == -1001
    assert [e.action for e in await audit.entries(db, "setgroup")] == ["setgroup"]


async def test_effect_claims_update_once(db: Database) -> None:
    """A second handling of an update finds it claimed; two effects in one handling is a bug."""
    import asyncio
    import contextvars

    import pytest

    from bot.services.uow import AlreadyHandledError, Turn, current_turn
    from storage import inbox

    async with db.transaction() as tx:
        await inbox.store(tx, [(9, "chat:1", "{}")], utcnow())

    async def handle(second_effect: bool) -> None:
        current_turn.set(Turn(update_id=9, chat_id=None, durable=True))
        async with effect(db):
            pass
        if second_effect:
            async with effect(db):
                pass

    await asyncio.get_running_loop().create_task(handle(False), context=contextvars.Context())
    with pytest.raises(AlreadyHandledError):  # handled again, e.g. after a crash: no effect
        await asyncio.get_running_loop().create_task(handle(False), context=contextvars.Context())
    async with db.transaction() as tx:
        await inbox.store(tx, [(10, "chat:1", "{}")], utcnow())

    async def twice() -> None:
        current_turn.set(Turn(update_id=10, chat_id=None, durable=True))
        async with effect(db):
            pass
        async with effect(db):
            raise AssertionError("a second effect must not run")

    with pytest.raises(RuntimeError, match="one effect"):
        await asyncio.get_running_loop().create_task(twice(), context=contextvars.Context())


def test_code_arguments_name_the_unit_and_role() -> None:
    from handlers.binding import parse_code_args

    assert parse_code_args(["县交通运输局"]) == ("县交通运输局", "contact")
    assert parse_code_args(["县", "交通运输局"]) == ("县 交通运输局", "contact")
    assert parse_code_args(["县交通运输局", "leader"]) == ("县交通运输局", "leader")
    assert parse_code_args(["admin"]) == ("", "admin")
    assert parse_code_args(["contact"]) == parse_code_args([])  # a contact needs a unit
