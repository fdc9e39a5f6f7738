"""Inline buttons, callback answers, edits and deletions, as a user's client sees them."""

from __future__ import annotations

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest

from bot.sandbox import Sandbox, SandboxError, SimChat, SimUser


def keyboard(*pairs: tuple[str, str]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(text, callback_data=data)] for text, data in pairs]
    )


async def test_press_button_round_trip(sb: Sandbox, bot: Bot, alice: SimUser, dm: SimChat) -> None:
    await bot.send_message(dm.id, "请确认收到", reply_markup=keyboard(("已阅", "ack:7")))
    query = sb.press_button(alice, sb.received(dm)[0], "ack:7")
    updates = await bot.get_updates()
    received = updates[0].callback_query
    assert received is not None
    assert (received.id, received.data, received.from_user.id) == (query["id"], "ack:7", alice.id)
    assert received.message is not None
    assert received.message.chat.id == dm.id
    assert sb.callback_answer(query["id"]) is None
    assert await received.answer("已记录") is True
    assert sb.callback_answer(query["id"]) == {"text": "已记录"}
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await bot.answer_callback_query(query["id"])
    with pytest.raises(BadRequest, match=r"(?i)query id is invalid"):
        await bot.answer_callback_query("42")


async def test_pressing_a_button_that_is_not_there_fails(
    sb: Sandbox, bot: Bot, alice: SimUser, dm: SimChat
) -> None:
    sent = await bot.send_message(dm.id, "请选择", reply_markup=keyboard(("甲", "a"), ("乙", "b")))
    with pytest.raises(SandboxError, match="no button with callback_data 'c'"):
        sb.press_button(alice, sb.received(dm)[0], "c")
    # The button goes away with an edit; an old copy of the message does not bring it back.
    old = sb.received(dm)[0]
    await bot.edit_message_reply_markup(dm.id, sent.message_id, reply_markup=keyboard(("乙", "b")))
    with pytest.raises(SandboxError):
        sb.press_button(alice, old, "a")
    sb.press_button(alice, old, "b")


async def test_answer_text_over_200_is_rejected(
    sb: Sandbox, bot: Bot, alice: SimUser, dm: SimChat
) -> None:
    await bot.send_message(dm.id, "请确认", reply_markup=keyboard(("好", "ok")))
    query = sb.press_button(alice, sb.received(dm)[0], "ok")
    with pytest.raises(BadRequest):
        await bot.answer_callback_query(query["id"], text="长" * 201)
    assert sb.callback_answer(query["id"]) is None


async def test_edit_text_replaces_and_drops_the_keyboard(
    sb: Sandbox, bot: Bot, dm: SimChat
) -> None:
    sent = await bot.send_message(dm.id, "待确认", reply_markup=keyboard(("确认", "ok")))
    edited = await bot.edit_message_text("已确认", chat_id=dm.id, message_id=sent.message_id)
    assert not isinstance(edited, bool)
    assert edited.edit_date is not None
    [now] = sb.received(dm)
    assert now["text"] == "已确认"
    assert "reply_markup" not in now  # Telegram drops the keyboard unless it is sent again
    assert sb.transcript(dm)[0]["edited"] is True


async def test_edit_with_same_content_is_not_modified(sb: Sandbox, bot: Bot, dm: SimChat) -> None:
    markup = keyboard(("确认", "ok"))
    sent = await bot.send_message(dm.id, "待确认", reply_markup=markup)
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_text("待确认", dm.id, sent.message_id, reply_markup=markup)
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_reply_markup(dm.id, sent.message_id, reply_markup=markup)
    await bot.edit_message_text(
        "待确认", dm.id, sent.message_id
    )  # dropping the keyboard is a change


async def test_edit_and_delete_of_missing_messages(
    sb: Sandbox, bot: Bot, alice: SimUser, dm: SimChat
) -> None:
    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await bot.edit_message_text("新", dm.id, 77)
    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await bot.edit_message_reply_markup(dm.id, 77)
    with pytest.raises(BadRequest, match=r"(?i)message to delete not found"):
        await bot.delete_message(dm.id, 77)
    mine = sb.send_text(alice, dm, "用户的话")
    with pytest.raises(BadRequest, match=r"(?i)can't be edited"):
        await bot.edit_message_text("改", dm.id, mine["message_id"])


async def test_delete_hides_from_received_but_not_transcript(
    sb: Sandbox, bot: Bot, dm: SimChat
) -> None:
    sent = await bot.send_message(dm.id, "撤回我")
    assert await bot.delete_message(dm.id, sent.message_id) is True
    assert sb.received(dm) == []
    [row] = sb.transcript(dm)
    assert (row["text"], row["deleted"]) == ("撤回我", True)
    with pytest.raises(BadRequest, match=r"(?i)message to delete not found"):
        await bot.delete_message(dm.id, sent.message_id)


async def test_reply_parameters_nest_the_replied_message(
    sb: Sandbox, bot: Bot, alice: SimUser, dm: SimChat
) -> None:
    asked = sb.send_text(alice, dm, "整改期限是哪天？")
    answer = await bot.send_message(dm.id, "10月8日", reply_to_message_id=asked["message_id"])
    assert answer.reply_to_message is not None
    assert answer.reply_to_message.text == "整改期限是哪天？"
    assert sb.received(dm)[0]["reply_to_message"]["message_id"] == asked["message_id"]
    with pytest.raises(BadRequest, match=r"(?i)message to be replied not found"):
        await bot.send_message(dm.id, "?", reply_to_message_id=999)
    await bot.send_message(dm.id, "ok", reply_to_message_id=999, allow_sending_without_reply=True)


async def test_user_edit_reaches_the_bot(
    sb: Sandbox, bot: Bot, alice: SimUser, dm: SimChat
) -> None:
    first = sb.send_text(alice, dm, "R6-03-012 已完成")
    sb.edit_text(alice, first, "R6-03-012 已完成（附件见后）")
    updates = await bot.get_updates()
    assert updates[-1].edited_message is not None
    assert updates[-1].edited_message.text == "R6-03-012 已完成（附件见后）"
