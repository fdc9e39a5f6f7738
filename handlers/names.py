"""The answer to 请回复您的姓名和职务 (the dialog: bot/dialogs/names.py)."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, MessageHandler, filters

from bot.adapters.telegram import on
from bot.context import Context
from bot.dialogs import names


def handlers() -> list[BaseHandler[Update, Context, None]]:
    private_text = filters.ChatType.PRIVATE & filters.TEXT & ~filters.COMMAND
    return [MessageHandler(private_text, on(names.answer_names))]
