"""Transcripts show what each side of a chat saw, Chinese as is."""

from __future__ import annotations

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest

from bot.sandbox import Sandbox, SimChat, SimUser


async def test_transcript_rows_and_text(
    sb: Sandbox, bot: Bot, alice: SimUser, grp: SimChat
) -> None:
    sb.send_text(alice, grp, "闲聊一句")
    asked = sb.send_text(alice, grp, "/status R6-03-012")
    buttons = InlineKeyboardMarkup([[InlineKeyboardButton("确认", callback_data="ok")]])
    reply = await bot.send_message(
        grp.id, "R6-03-012：整改中", reply_markup=buttons, reply_to_message_id=asked["message_id"]
    )
    await bot.edit_message_text("R6-03-012：已完成", grp.id, reply.message_id, reply_markup=buttons)
    sb.send_document(alice, grp, data=b"%PDF", file_name="整改报告.pdf", caption="附件")
    rows = sb.transcript(grp)
    assert [(r["from"], r["kind"], r["text"]) for r in rows] == [
        ("王芳", "text", "闲聊一句"),
        ("王芳", "text", "/status R6-03-012"),
        ("bot", "text", "R6-03-012：已完成"),
        ("王芳", "document", "附件"),
    ]
    assert rows[2]["buttons"] == [["确认"]]
    assert rows[2]["edited"] is True
    assert rows[2]["reply_to"] == asked["message_id"]
    assert [r["message_id"] for r in rows] == [1, 2, 3, 4]
    text = sb.format_transcript(grp)
    assert text.splitlines()[0] == "== 县委巡察办工作群 (supergroup -100123) =="
    assert "[3] 整改通 (reply to 2) (edited):" in text
    assert "    [确认]" in text
    assert "not delivered to the bot: privacy mode" in text.splitlines()[1]
    assert "    [document 整改报告.pdf]" in text


async def test_wait_for_timeout_says_what_the_bot_did(sb: Sandbox, bot: Bot, dm: SimChat) -> None:
    with pytest.raises(BadRequest):
        await bot.send_message(dm.id, "长" * 4097)
    with pytest.raises(TimeoutError) as caught:
        await sb.wait_for(lambda: len(sb.received(dm)) > 0, timeout=0.05)
    report = str(caught.value)
    assert "len(sb.received(dm)) > 0" in report
    assert "sendMessage 400: Bad Request: message is too long" in report
