"""An admin's answer to an open question (the dialog: bot/dialogs/office_waits.py)."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, MessageHandler, filters

from bot.adapters.telegram import on
from bot.context import Context
from bot.dialogs import office_waits


def handlers() -> list[BaseHandler[Update, Context, None]]:
    content = (filters.TEXT & ~filters.COMMAND) | filters.PHOTO | filters.Document.ALL
    return [MessageHandler(content, on(office_waits.answer))]
