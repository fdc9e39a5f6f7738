"""Rendering message values for Telegram."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    Message,
    ReplyParameters,
)
from telegram.error import BadRequest
from telegram.ext import ExtBot

from bot.messages import Attachment, OutMessage


def keyboard(message: OutMessage) -> InlineKeyboardMarkup | None:
    if not message.buttons:
        return None
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(b.text, callback_data=b.action) for b in row]
            for row in message.buttons
        ]
    )


def not_modified(exc: BadRequest) -> bool:
    """Telegram's answer to an edit that changes nothing: the wanted state is already there."""
    return "not modified" in exc.message.lower()


async def edit(bot: ExtBot[dict[str, Any]], chat_id: int, message: OutMessage) -> Message | None:
    """Change a message the bot sent: its text and buttons, or only its buttons."""
    assert message.edit_message_id is not None
    markup = keyboard(message)
    try:
        if message.text:
            result = await bot.edit_message_text(
                message.text, chat_id, message.edit_message_id, reply_markup=markup
            )
        else:
            result = await bot.edit_message_reply_markup(
                chat_id, message.edit_message_id, reply_markup=markup
            )
    except BadRequest as exc:
        if not_modified(exc):
            return None
        raise
    return result if isinstance(result, Message) else None


async def source(attachment: Attachment) -> str | InputFile:
    """The file_id Telegram holds, or the bot's own file read off the event loop to upload."""
    if attachment.path is None:
        assert attachment.file_id is not None
        return attachment.file_id
    path = Path(attachment.path)
    return InputFile(await asyncio.to_thread(path.read_bytes), filename=path.name)


async def send(
    bot: ExtBot[dict[str, Any]],
    chat_id: int,
    message: OutMessage,
    *,
    outbox: bool = False,
    item: int | None = None,
) -> Message | None:
    """Send one message value (text ≤ 4096, or a file with the text as caption), or an edit.

    outbox: the caller handles a 429 itself (the outbox reschedules the message); item: the
    outbox row it carries, which the rate limiter's journal records as it goes out.
    """
    if message.edit_message_id is not None:
        return await edit(bot, chat_id, message)
    markup = keyboard(message)
    rate = {"outbox": outbox, "item": item} if outbox or item is not None else None
    reply = (
        ReplyParameters(message.reply_to_message_id, allow_sending_without_reply=True)
        if message.reply_to_message_id
        else None
    )
    if message.attachment is None:
        return await bot.send_message(
            chat_id, message.text, reply_markup=markup, rate_limit_args=rate, reply_parameters=reply
        )
    file = await source(message.attachment)
    if message.attachment.kind == "photo":
        return await bot.send_photo(
            chat_id,
            file,
            caption=message.text or None,
            reply_markup=markup,
            rate_limit_args=rate,
            reply_parameters=reply,
        )
    return await bot.send_document(
        chat_id,
        file,
        caption=message.text or None,
        reply_markup=markup,
        rate_limit_args=rate,
        reply_parameters=reply,
    )
