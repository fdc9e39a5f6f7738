"""/cancel: leave whatever is half done."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler, filters

from bot import texts
from bot.context import Context
from handlers.common import answer


async def cancel(update: Update, ctx: Context) -> None:
    """Nothing is half done yet; conversations register their own /cancel fallbacks."""
    await answer(update, ctx, texts.CANCEL_NOTHING)


def handlers() -> list[BaseHandler[Update, Context, None]]:
    return [CommandHandler("cancel", cancel, filters=filters.ChatType.PRIVATE)]
