"""The report conversation: which dialog answers a contact's message or a draft's button
(the dialogs: bot/dialogs/report_flow.py, report_press.py, report_files.py).

Registered before the commands; a dialog stops the update when it took it.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, MessageHandler, filters

from bot.adapters.telegram import on
from bot.context import Context
from bot.dialogs import report_flow, report_press
from bot.dialogs.report_press import DRAFT_CALLBACK, START_CALLBACK


def handlers() -> list[BaseHandler[Update, Context, None]]:
    content = (filters.TEXT & ~filters.COMMAND) | filters.PHOTO | filters.Document.ALL
    by_a_person = filters.USER  # a channel's post has no sender to report as
    return [
        MessageHandler(content & by_a_person, on(report_flow.route)),
        CallbackQueryHandler(on(report_press.press), pattern=DRAFT_CALLBACK),
        CallbackQueryHandler(on(report_press.start_button), pattern=START_CALLBACK),
    ]
