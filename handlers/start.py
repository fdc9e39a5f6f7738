"""/start and /help: which dialog answers where (the dialogs: bot/dialogs/start.py)."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler, filters

from bot.adapters.telegram import on
from bot.context import Context
from bot.dialogs import start


def handlers() -> list[BaseHandler[Update, Context, None]]:
    private, groups = filters.ChatType.PRIVATE, filters.ChatType.GROUPS
    return [
        CommandHandler("start", on(start.start_private), filters=private),
        CommandHandler("start", on(start.start_group), filters=groups),
        CommandHandler("help", on(start.help_private), filters=private),
        CommandHandler("help", on(start.help_group), filters=groups),
    ]
