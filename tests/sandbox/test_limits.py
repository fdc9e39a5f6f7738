"""Flood limits and injected faults reach PTB as the errors Telegram would cause."""

from __future__ import annotations

import pytest
from telegram import Bot
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.sandbox import FloodLimits, Sandbox, SimChat
from bot.sandbox.faults import Faults
from tests.sandbox.conftest import TOKEN, FakeClock


def retry_after(exc: RetryAfter) -> int:
    # PTB 22 may give an int or a timedelta depending on its settings; compare seconds.
    value = exc.retry_after
    return value if isinstance(value, int) else int(value.total_seconds())


async def test_sixth_quick_send_to_a_chat_is_429(
    sb: Sandbox, bot: Bot, dm: SimChat, clock: FakeClock
) -> None:
    for i in range(5):
        await bot.send_message(dm.id, f"第{i + 1}条")
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(dm.id, "第6条")
    assert retry_after(caught.value) == 1
    [violation] = sb.flood_violations
    assert (violation.chat_id, violation.rule, violation.retry_after) == (dm.id, "chat", 1)
    assert sb.rejected()[-1].status == 429
    assert len(sb.received(dm)) == 5  # a 429 has no effect
    clock.advance(1.0)
    await bot.send_message(dm.id, "第6条")
    with pytest.raises(RetryAfter):
        await bot.send_message(dm.id, "第7条")  # one second refilled one message, no more


async def test_rejected_sends_do_not_use_up_budget(bot: Bot, dm: SimChat, clock: FakeClock) -> None:
    for _ in range(5):
        await bot.send_message(dm.id, "x")
    for _ in range(3):
        with pytest.raises(RetryAfter):
            await bot.send_message(dm.id, "x")
    clock.advance(1.0)
    await bot.send_message(dm.id, "x")


async def test_21st_group_send_within_a_minute_is_429(
    sb: Sandbox, bot: Bot, grp: SimChat, clock: FakeClock
) -> None:
    for i in range(20):
        await bot.send_message(grp.id, f"通报{i}")
        clock.advance(2.0)  # slow enough for the per-chat bucket, not for the group minute
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(grp.id, "通报20")
    # The first send was 40 s ago; the window frees it 20 s from now.
    assert retry_after(caught.value) == 20
    assert sb.flood_violations[-1].rule == "group"
    clock.advance(20.0)
    await bot.send_message(grp.id, "通报20")


async def test_31st_send_in_a_second_is_429_overall(sb: Sandbox, bot: Bot) -> None:
    chats = [sb.private_chat(sb.user(1000 + i, f"用户{i}")) for i in range(31)]
    for chat in chats[:30]:
        await bot.send_message(chat.id, "全员通知")
    with pytest.raises(RetryAfter):
        await bot.send_message(chats[30].id, "全员通知")
    assert sb.flood_violations[-1].rule == "global"


async def test_limits_can_be_switched_off(dm: SimChat) -> None:
    async with Sandbox(token=TOKEN, limits=FloodLimits(enabled=False)) as free:
        chat = free.private_chat(free.user(dm.id, "王芳"))
        async with Bot(TOKEN, base_url=free.base_url) as ptb:
            for _ in range(8):
                await ptb.send_message(chat.id, "x")
        assert free.flood_violations == []


async def test_every_nth_429(sb: Sandbox, bot: Bot, dm: SimChat, clock: FakeClock) -> None:
    sb.faults.every_nth_429(3, retry_after=7)
    outcomes: list[str | int] = []
    for _ in range(6):
        clock.advance(1.0)
        try:
            await bot.send_message(dm.id, "x")
            outcomes.append("ok")
        except RetryAfter as exc:
            outcomes.append(retry_after(exc))
    assert outcomes == ["ok", "ok", 7, "ok", "ok", 7]
    assert sb.flood_violations == []  # injected, not the bot's fault
    assert len(sb.received(dm)) == 4
    sb.faults.clear()
    await bot.send_message(dm.id, "x")


async def test_random_5xx_is_a_network_error_without_effect(
    sb: Sandbox, bot: Bot, dm: SimChat
) -> None:
    sb.faults.random_5xx(rate=1.0, status=500)
    with pytest.raises(NetworkError, match="Internal Server Error") as caught:
        await bot.send_message(dm.id, "x")
    assert not isinstance(caught.value, TimedOut)
    assert sb.received(dm) == []
    assert sb.rejected()[-1].status == 500


async def test_validation_comes_before_faults(sb: Sandbox, bot: Bot, dm: SimChat) -> None:
    sb.faults.every_nth_5xx(1)
    with pytest.raises(BadRequest):
        await bot.send_message(dm.id, "长" * 4097)
    with pytest.raises(NetworkError, match="Bad Gateway"):
        await bot.send_message(dm.id, "x")


async def test_slow_answer_times_out_but_the_message_was_sent(
    sb: Sandbox, bot: Bot, dm: SimChat
) -> None:
    sb.faults.slow(2.0)
    with pytest.raises(TimedOut):
        await bot.send_message(dm.id, "慢", read_timeout=0.2)
    assert [m["text"] for m in sb.received(dm)] == ["慢"]


async def test_forbid_gives_telegram_wording(
    sb: Sandbox, bot: Bot, dm: SimChat, grp: SimChat
) -> None:
    sb.faults.forbid(dm.id)
    sb.faults.forbid(grp.id)
    with pytest.raises(Forbidden, match=r"(?i)bot was blocked by the user"):
        await bot.send_message(dm.id, "x")
    with pytest.raises(Forbidden, match=r"(?i)bot was kicked from the group chat"):
        await bot.send_message(grp.id, "x")
    assert sb.received(dm) == []
    assert sb.received(grp) == []


def test_random_faults_repeat_with_the_same_seed() -> None:
    def pattern(seed: int) -> list[bool]:
        faults = Faults(seed)
        faults.random_429(rate=0.3)
        return [faults.check("sendMessage", 1, None) is not None for _ in range(200)]

    assert pattern(7) == pattern(7)
    assert pattern(7) != pattern(8)
    assert 30 < sum(pattern(7)) < 90
    other = Faults(7)
    other.random_429(rate=0.3)
    assert other.check("getMe", 1, None) is None  # methods outside the set are never hit


def test_forbidden_user_does_not_block_other_chats() -> None:
    faults = Faults()
    faults.forbid(101)
    assert faults.check("sendMessage", 101, None) is not None
    assert faults.check("sendMessage", 102, None) is None
    assert faults.check("getChat", 101, None) is None
