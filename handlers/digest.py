"""/digest daily|weekly (the dialog: bot/dialogs/office_tools.py)."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler

from bot.adapters.telegram import on
from bot.context import Context
from bot.dialogs import office_tools


def handlers() -> list[BaseHandler[Update, Context, None]]:
    return [CommandHandler("digest", on(office_tools.digest))]
