"""/export (the dialog: bot/dialogs/ledger_export.py)."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler

from bot.adapters.telegram import on
from bot.context import Context
from bot.dialogs import ledger_export


def handlers() -> list[BaseHandler[Update, Context, None]]:
    return [CommandHandler("export", on(ledger_export.export))]
