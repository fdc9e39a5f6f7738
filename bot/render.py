"""Rendering message values for Telegram."""

from __future__ import annotations

from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, ReplyParameters
from telegram.ext import ExtBot

from bot.messages import OutMessage


def keyboard(message: OutMessage) -> InlineKeyboardMarkup | None:
    if not message.buttons:
        return None
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(b.text, callback_data=b.action) for b in row]
            for row in message.buttons
        ]
    )


async def send(
    bot: ExtBot[dict[str, Any]], chat_id: int, message: OutMessage, *, outbox: bool = False
) -> Message:
    """Send one message value (text ≤ 4096, or a file with the text as caption)."""
    markup = keyboard(message)
    rate = {"outbox": True} if outbox else None
    reply = (
        ReplyParameters(message.reply_to_message_id, allow_sending_without_reply=True)
        if message.reply_to_message_id
        else None
    )
    if message.attachment is None:
        return await bot.send_message(
            chat_id, message.text, reply_markup=markup, rate_limit_args=rate, reply_parameters=reply
        )
    if message.attachment.kind == "photo":
        return await bot.send_photo(
            chat_id,
            message.attachment.file_id,
            caption=message.text or None,
            reply_markup=markup,
            rate_limit_args=rate,
            reply_parameters=reply,
        )
    return await bot.send_document(
        chat_id,
        message.attachment.file_id,
        caption=message.text or None,
        reply_markup=markup,
        rate_limit_args=rate,
        reply_parameters=reply,
    )
