"""getUpdates: long polling, confirmation by offset, privacy mode, webhook conflicts."""

from __future__ import annotations

import asyncio

import pytest
from telegram import Bot, Update
from telegram.error import Conflict
from telegram.ext import ApplicationBuilder, CommandHandler, ContextTypes

from bot.sandbox import Sandbox, SimChat, SimUser
from tests.sandbox.conftest import TOKEN


async def test_long_poll_wakes_when_a_user_writes(
    sb: Sandbox, bot: Bot, alice: SimUser, dm: SimChat
) -> None:
    loop = asyncio.get_running_loop()
    started = loop.time()
    poll = asyncio.create_task(bot.get_updates(timeout=5))
    await asyncio.sleep(0.2)
    assert not poll.done()  # nothing to return yet: it waits
    sb.send_text(alice, dm, "/bind ABCD-EFGH-JKLM")
    updates = await poll
    assert loop.time() - started < 2
    message = updates[0].message
    assert message is not None
    assert message.text == "/bind ABCD-EFGH-JKLM"
    assert message.from_user is not None
    assert message.from_user.id == alice.id
    # CommandHandler needs a bot_command entity at offset 0 covering "/bind".
    assert [(e.type, e.offset, e.length) for e in message.entities] == [("bot_command", 0, 5)]


async def test_short_poll_times_out_empty(bot: Bot) -> None:
    assert await bot.get_updates(timeout=0) == ()


async def test_offset_confirms_and_drops_updates(
    sb: Sandbox, bot: Bot, alice: SimUser, dm: SimChat
) -> None:
    for text in ("一", "二", "三"):
        sb.send_text(alice, dm, text)
    first = await bot.get_updates()
    assert [u.message.text for u in first if u.message] == ["一", "二", "三"]
    # Fetching alone confirms nothing: the same updates come again.
    assert [u.update_id for u in await bot.get_updates()] == [u.update_id for u in first]
    assert sb.pending_updates() == 3
    rest = await bot.get_updates(offset=first[1].update_id + 1)
    assert [u.message.text for u in rest if u.message] == ["三"]
    assert sb.pending_updates() == 1
    assert await bot.get_updates(offset=rest[-1].update_id + 1) == ()
    assert sb.pending_updates() == 0


async def test_limit_and_allowed_updates(
    sb: Sandbox, bot: Bot, alice: SimUser, dm: SimChat
) -> None:
    sb.send_text(alice, dm, "一")
    sb.send_text(alice, dm, "二")
    assert len(await bot.get_updates(limit=1)) == 1
    await bot.get_updates(offset=-1, allowed_updates=["callback_query"])
    assert sb.pending_updates() == 1  # a negative offset keeps only the last ones
    sb.send_text(alice, dm, "不会送达")  # message updates are no longer wanted
    assert sb.pending_updates() == 1


async def test_privacy_mode_in_groups(sb: Sandbox, bot: Bot, alice: SimUser, grp: SimChat) -> None:
    chatter = sb.send_text(alice, grp, "大家好")
    sb.send_text(alice, grp, "/status")
    sb.send_text(alice, grp, "/status@other_bot")
    sb.send_text(alice, grp, "请 @zhenggai_bot 看一下")
    texts = [u.message.text for u in await bot.get_updates() if u.message]
    assert texts == ["/status", "请 @zhenggai_bot 看一下"]
    rows = sb.transcript(grp)
    assert len(rows) == 4  # the transcript still shows every message
    assert rows[0]["delivered"] is False
    assert rows[0]["message_id"] == chatter["message_id"]


async def test_reply_to_the_bot_reaches_it_in_a_group(
    sb: Sandbox, bot: Bot, alice: SimUser, grp: SimChat
) -> None:
    notice = await bot.send_message(grp.id, "R6-03-012 请回复进展")
    sb.send_text(alice, grp, "R6-03-012 已完成", reply_to=notice.message_id)
    updates = await bot.get_updates()
    message = updates[0].message
    assert message is not None
    assert message.reply_to_message is not None
    assert message.reply_to_message.message_id == notice.message_id
    assert message.reply_to_message.text == "R6-03-012 请回复进展"


async def test_add_to_group_emits_my_chat_member(sb: Sandbox, bot: Bot, alice: SimUser) -> None:
    new_group = sb.group(-100456, "整改群")
    await sb.add_to_group(new_group, by=alice)
    updates = await bot.get_updates()
    member = updates[0].my_chat_member
    assert member is not None
    assert (member.old_chat_member.status, member.new_chat_member.status) == ("left", "member")
    assert member.new_chat_member.user.id == sb.bot_user["id"]


async def test_webhook_blocks_get_updates(
    sb: Sandbox, bot: Bot, alice: SimUser, dm: SimChat
) -> None:
    sb.send_text(alice, dm, "一")
    await bot.set_webhook("https://example.invalid/hook", secret_token="s3cret_-X")
    with pytest.raises(Conflict, match="webhook is active"):
        await bot.get_updates()
    info = await bot.get_webhook_info()
    assert (info.url, info.pending_update_count) == ("https://example.invalid/hook", 1)
    await bot.delete_webhook(drop_pending_updates=True)
    assert await bot.get_updates() == ()


async def test_second_instance_terminates_the_first_poll(sb: Sandbox, bot: Bot) -> None:
    first = asyncio.create_task(bot.get_updates(timeout=5))
    await asyncio.sleep(0.2)
    async with Bot(TOKEN, base_url=sb.base_url) as second:
        assert await second.get_updates(timeout=0) == ()
    with pytest.raises(Conflict, match="terminated by other getUpdates"):
        await first


async def test_stop_releases_a_waiting_long_poll() -> None:
    sandbox = await Sandbox(token=TOKEN).start()
    async with Bot(TOKEN, base_url=sandbox.base_url) as ptb:
        poll = asyncio.create_task(ptb.get_updates(timeout=30))
        await asyncio.sleep(0.2)
        started = asyncio.get_running_loop().time()
        await sandbox.stop()
        assert await poll == ()
        assert asyncio.get_running_loop().time() - started < 2


async def test_ptb_application_answers_a_command(sb: Sandbox, alice: SimUser, dm: SimChat) -> None:
    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        assert update.effective_user is not None
        await update.effective_message.reply_text(f"你好，{update.effective_user.first_name}")

    app = (
        ApplicationBuilder()
        .token(TOKEN)
        .base_url(sb.base_url)
        .base_file_url(sb.base_file_url)
        .build()
    )
    app.add_handler(CommandHandler("start", start))
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0, timeout=1)
        sb.send_text(alice, dm, "/start")
        await sb.wait_for(lambda: len(sb.received(dm)) == 1)
        await app.updater.stop()
        await app.stop()
    reply = sb.received(dm)[0]
    assert reply["text"] == "你好，王芳"
    assert sb.rejected() == []


async def test_a_poll_the_client_abandons_is_not_a_rejection(sb: Sandbox, bot: Bot) -> None:
    poll = asyncio.create_task(bot.get_updates(timeout=5))
    await asyncio.sleep(0.2)
    poll.cancel()
    await sb.wait_for(lambda: sb.calls("getUpdates")[-1].error is not None, timeout=2)
    call = sb.calls("getUpdates")[-1]
    assert (call.status, call.error) == (0, "the client hung up before the answer")
    assert sb.rejected() == []
