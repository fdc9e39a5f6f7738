"""The last word in a chat (the dialogs: bot/dialogs/fallback.py)."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, MessageHandler, filters

from bot.adapters.telegram import on
from bot.context import Context
from bot.dialogs import fallback
from bot.dialogs.fallback import PRIVATE_ONLY

__all__ = ["PRIVATE_ONLY", "handlers"]


def handlers() -> list[BaseHandler[Update, Context, None]]:
    private, groups = filters.ChatType.PRIVATE, filters.ChatType.GROUPS
    return [
        MessageHandler(private & filters.COMMAND, on(fallback.unknown_command)),
        MessageHandler(private & ~filters.COMMAND, on(fallback.not_understood)),
        MessageHandler(groups & filters.COMMAND, on(fallback.private_only_in_group)),
    ]
