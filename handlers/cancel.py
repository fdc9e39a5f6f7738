"""/cancel (the dialog: bot/dialogs/cancel.py)."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler

from bot.adapters.telegram import on
from bot.context import Context
from bot.dialogs import cancel


def handlers() -> list[BaseHandler[Update, Context, None]]:
    return [CommandHandler("cancel", on(cancel.cancel))]
