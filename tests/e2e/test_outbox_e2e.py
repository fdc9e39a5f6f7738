"""The outbox over HTTP: paced, retried, never doubled; 403 and timeouts handled honestly."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from bot.clock import Clock
from bot.messages import OutMessage
from bot.runtime import Runtime
from bot.sandbox import Sandbox
from bot.services import notify
from storage import chats, outbox
from tests.e2e.conftest import ADMIN_ID, ask, no_duties_yet, sandbox_config


async def queue(rt: Runtime, items: list[tuple[str, int, str]]) -> None:
    now = rt.services.clock()
    async with rt.db.transaction() as tx:
        for key, chat_id, text in items:
            await notify.enqueue(tx, key, chat_id, "test", OutMessage(text=text), now)
    rt.sender.kick()


async def statuses(rt: Runtime) -> dict[str, str]:
    return {item.key: item.status for item in await outbox.all_items(rt.db)}


async def settled(rt: Runtime, within: float = 15) -> None:
    """Wait until no message is pending or on its way."""
    async with asyncio.timeout(within):
        while {"pending", "sending"} & set((await statuses(rt)).values()):
            await asyncio.sleep(0.05)


async def register_office(sb: Sandbox, rt: Runtime) -> int:
    office = sb.group(-100500, "县委巡察办工作群")
    admin = sb.user(ADMIN_ID, "王主任")
    await ask(sb, admin, office, "/setgroup office")
    return office.id


async def test_every_message_arrives_once_in_order_despite_429_and_5xx(
    sandbox: Sandbox, runtime: Runtime
) -> None:
    groups = [sandbox.group(-100600 - i, f"单位群{i}") for i in range(3)]
    dms = [sandbox.private_chat(sandbox.user(700 + i, f"联络员{i}")) for i in range(4)]
    targets = [c.id for c in groups + dms]
    sandbox.faults.every_nth_429(4, retry_after=1)
    sandbox.faults.random_5xx(rate=0.1)
    await queue(runtime, [(f"m:{c}:{n}", c, f"第{n}条") for c in targets for n in range(4)])
    await sandbox.wait_for(
        lambda: sum(len(sandbox.received(c)) for c in targets) >= 4 * len(targets), timeout=60
    )
    await settled(runtime)
    for chat_id in targets:
        assert [m["text"] for m in sandbox.received(chat_id)] == [f"第{n}条" for n in range(4)]
    assert set((await statuses(runtime)).values()) == {"sent"}
    assert sandbox.flood_violations == []


async def test_forbidden_chat_is_marked_inactive_and_the_office_told(
    sandbox: Sandbox, runtime: Runtime
) -> None:
    office_id = await register_office(sandbox, runtime)
    gone = sandbox.group(-100601, "县林业局整改群")
    async with runtime.db.transaction() as tx:
        await chats.remember(tx, gone.id, "supergroup", "县林业局整改群")
    sandbox.faults.forbid(gone.id)
    await queue(runtime, [("a", gone.id, "提醒一"), ("b", gone.id, "提醒二")])
    await sandbox.wait_for(
        lambda: any("县林业局整改群" in m.get("text", "") for m in sandbox.received(office_id)),
        timeout=15,
    )
    chat = await chats.get(runtime.db, gone.id)
    assert chat is not None
    assert not chat.active
    now = await statuses(runtime)
    assert (now["a"], now["b"]) == ("failed", "skipped")
    assert sandbox.received(gone.id) == []


async def test_timed_out_send_is_uncertain_not_resent(
    sandbox: Sandbox, tmp_path: Path, e2e_clock: Clock
) -> None:
    config = sandbox_config(sandbox, tmp_path)
    await no_duties_yet(config, e2e_clock())
    async with Runtime(config, clock=e2e_clock, poll_timeout=1, read_timeout=1.0) as rt:
        office_id = await register_office(sandbox, rt)
        target = sandbox.group(-100602, "县水利局整改群")
        async with rt.db.transaction() as tx:
            await chats.remember(tx, target.id, "supergroup", "县水利局整改群")
        sandbox.faults.slow(2.5, methods={"sendMessage"})
        await queue(rt, [("slow", target.id, "【逾期提醒】可能已送达")])
        await sandbox.wait_for(lambda: len(sandbox.received(target)) == 1, timeout=10)
        await settled(rt)
        assert (await statuses(rt))["slow"] == "uncertain"
        # The office is told to check with them (the alert itself went out slowly too).
        await sandbox.wait_for(
            lambda: any(
                "可能未送达" in str(m.get("text")) and "县水利局整改群" in str(m.get("text"))
                for m in sandbox.received(office_id)
            ),
            timeout=10,
        )
        sandbox.faults.clear()
        await asyncio.sleep(1.5)  # time enough for a blind resend to show up
        assert len(sandbox.received(target)) == 1  # arrived once, never sent again


async def test_a_reply_never_waits_behind_a_busy_group(sandbox: Sandbox, runtime: Runtime) -> None:
    busy = sandbox.group(-100603, "大群")
    await queue(runtime, [(f"d:{n}", busy.id, f"汇总第{n}段") for n in range(12)])
    await sandbox.wait_for(lambda: len(sandbox.received(busy)) >= 3, timeout=10)
    alice = sandbox.user(801, "王芳")
    started = time.monotonic()
    reply = await ask(sandbox, alice, sandbox.private_chat(alice), "/start")
    assert "还没有绑定" in reply
    assert time.monotonic() - started < 3.0
    assert len(sandbox.received(busy)) < 12  # the group was still being paced
