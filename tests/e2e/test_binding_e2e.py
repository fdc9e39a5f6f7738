"""Start, bind and register over HTTP, as users would."""

from __future__ import annotations

from datetime import timedelta

import pytest
from telegram.error import BadRequest

from bot.runtime import Runtime
from bot.sandbox import Sandbox
from bot.services import binding
from storage import audit, chats, people, units
from tests.e2e.conftest import ADMIN_ID, ask, issue_code

UNIT = "县交通运输局"


async def add_unit(rt: Runtime, name: str = UNIT) -> None:
    async with rt.db.transaction() as tx:
        await units.create(tx, name, rt.services.clock())


async def test_start_is_answered(sandbox: Sandbox, runtime: Runtime) -> None:
    alice = sandbox.user(501, "王芳")
    reply = await ask(sandbox, alice, sandbox.private_chat(alice), "/start")
    assert "还没有绑定身份" in reply
    assert "/bind" in reply


async def test_commands_are_published_per_scope(sandbox: Sandbox, runtime: Runtime) -> None:
    private = [c["command"] for c in sandbox.commands({"type": "all_private_chats"})]
    assert {"start", "help", "bind", "cancel"} <= set(private)
    admin_user = sandbox.user(ADMIN_ID, "王主任")
    await ask(sandbox, admin_user, sandbox.private_chat(admin_user), "/start")
    admin = [c["command"] for c in sandbox.commands({"type": "chat", "chat_id": ADMIN_ID})]
    assert {"code", "setgroup"} <= set(admin)
    assert all(c["description"] for c in sandbox.commands({"type": "all_group_chats"}))


async def test_valid_code_binds_and_used_code_is_refused(
    sandbox: Sandbox, runtime: Runtime
) -> None:
    await add_unit(runtime)
    code = await issue_code(sandbox, UNIT)
    alice, bob = sandbox.user(501, "王芳"), sandbox.user(502, "赵强")
    reply = await ask(sandbox, alice, sandbox.private_chat(alice), f"/bind {code}")
    assert "绑定成功" in reply
    assert UNIT in reply
    reply = await ask(sandbox, alice, sandbox.private_chat(alice), "/start")
    assert f"联络员（{UNIT}）" in reply
    reply = await ask(sandbox, bob, sandbox.private_chat(bob), f"/bind {code}")
    assert "已被使用" in reply
    person = await people.by_tg_id(runtime.db, 502)
    assert person is not None
    assert await people.active_roles(runtime.db, person.id) == []


async def test_expired_code_is_refused_with_its_date(sandbox: Sandbox, runtime: Runtime) -> None:
    await add_unit(runtime)
    past = runtime.services.clock() - timedelta(hours=80)
    async with runtime.db.transaction() as tx:
        unit = await units.by_name(tx, UNIT)
        issued = await binding.issue(
            tx, "contact", unit, by=None, by_label="test", at=past, ttl=timedelta(hours=72)
        )
    alice = sandbox.user(501, "王芳")
    reply = await ask(sandbox, alice, sandbox.private_chat(alice), f"/bind {issued.code}")
    assert "过期" in reply
    assert "重新索取" in reply


async def test_wrong_codes_are_rate_limited(sandbox: Sandbox, runtime: Runtime) -> None:
    await add_unit(runtime)
    good = await issue_code(sandbox, UNIT)
    mallory = sandbox.user(666, "试码者")
    dm = sandbox.private_chat(mallory)
    replies = [await ask(sandbox, mallory, dm, f"/bind ZZZZ-ZZZZ-ZZZ{i}") for i in range(2, 7)]
    assert all("绑定码不正确" in r for r in replies)
    assert "还可再试 0 次" in replies[-1]
    reply = await ask(sandbox, mallory, dm, f"/bind {good}")
    assert "错误次数过多" in reply
    assert len(await audit.entries(runtime.db, "bind")) == 0
    # The locked-out user did not use up the code: its owner still can.
    alice = sandbox.user(501, "王芳")
    assert "绑定成功" in await ask(sandbox, alice, sandbox.private_chat(alice), f"/bind {good}")


async def test_setgroup_from_non_admin_is_refused(sandbox: Sandbox, runtime: Runtime) -> None:
    group = sandbox.group(-100777, "县委巡察办工作群")
    stranger = sandbox.user(503, "张三")
    reply = await ask(sandbox, stranger, group, "/setgroup office")
    assert "只有县委巡察办管理员可以登记群" in reply
    assert await chats.office(runtime.db) is None
    admin = sandbox.user(ADMIN_ID, "王主任")
    assert "巡察办工作群" in await ask(sandbox, admin, group, "/setgroup office")
    office = await chats.office(runtime.db)
    assert office is not None
    assert office.chat_id == -100777
    rows = await audit.entries(runtime.db, "setgroup")
    assert [r.entity_id for r in rows] == [-100777]


async def test_a_deliberately_wrong_call_is_rejected_with_400(
    sandbox: Sandbox, runtime: Runtime
) -> None:
    alice = sandbox.user(501, "王芳")
    dm = sandbox.private_chat(alice)
    with pytest.raises(BadRequest):
        await runtime.app.bot.send_message(dm.id, "长" * 4097)
    rejected = sandbox.rejected()
    assert [(c.method, c.status) for c in rejected] == [("sendMessage", 400)]
