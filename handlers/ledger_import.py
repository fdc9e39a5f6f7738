"""/import, the ledger file, and 确认导入/取消 (the dialogs: bot/dialogs/ledger_import.py)."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.adapters.telegram import on
from bot.context import Context
from bot.dialogs import ledger_import
from bot.dialogs.ledger_import import CALLBACK


def handlers() -> list[BaseHandler[Update, Context, None]]:
    return [
        CommandHandler("import", on(ledger_import.start_import)),
        MessageHandler(filters.Document.ALL, on(ledger_import.receive_file)),
        CallbackQueryHandler(on(ledger_import.decide), pattern=CALLBACK),
    ]
