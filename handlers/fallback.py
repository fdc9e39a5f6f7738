"""The last word in a private chat: an unknown command or text gets a pointer to /help."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, MessageHandler, filters

from bot import texts
from bot.context import Context
from handlers.common import answer


async def unknown_command(update: Update, ctx: Context) -> None:
    """Say the command does not exist and where the list is."""
    await answer(update, ctx, texts.UNKNOWN_COMMAND)


async def not_understood(update: Update, ctx: Context) -> None:
    """Say the message was not understood rather than staying silent."""
    await answer(update, ctx, texts.NOT_UNDERSTOOD_PRIVATE)


def handlers() -> list[BaseHandler[Update, Context, None]]:
    private = filters.ChatType.PRIVATE
    return [
        MessageHandler(private & filters.COMMAND, unknown_command),
        MessageHandler(private & ~filters.COMMAND, not_understood),
    ]
