"""/setgroup (the dialog: bot/dialogs/groups.py)."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler, filters

from bot.adapters.telegram import on
from bot.context import Context
from bot.dialogs import groups


def handlers() -> list[BaseHandler[Update, Context, None]]:
    return [
        CommandHandler("setgroup", on(groups.setgroup), filters=filters.ChatType.GROUPS),
        CommandHandler("setgroup", on(groups.setgroup_private), filters=filters.ChatType.PRIVATE),
    ]
