"""/mine, /report, /extend and /withdraw, in a private chat, and /mine's pages (the dialogs:
bot/dialogs/report_commands.py)."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, filters

from bot.adapters.telegram import on
from bot.context import Context
from bot.dialogs import report_commands
from bot.dialogs.report_commands import MINE_CALLBACK


def handlers() -> list[BaseHandler[Update, Context, None]]:
    private = filters.ChatType.PRIVATE
    return [
        CommandHandler("mine", on(report_commands.mine), filters=private),
        CommandHandler("report", on(report_commands.report), filters=private),
        CommandHandler("extend", on(report_commands.extend), filters=private),
        CommandHandler("withdraw", on(report_commands.withdraw), filters=private),
        CallbackQueryHandler(on(report_commands.mine_page), pattern=MINE_CALLBACK),
    ]
