"""/notice, 已阅 and /receipts (the dialogs: bot/dialogs/notice.py, notice_receipts.py)."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.adapters.telegram import on
from bot.context import Context
from bot.dialogs import notice, notice_receipts
from bot.dialogs.notice import COMPOSE
from bot.dialogs.notice_receipts import ACK, REMIND

__all__ = ["ACK", "COMPOSE", "REMIND", "handlers"]


def handlers() -> list[BaseHandler[Update, Context, None]]:
    return [
        CommandHandler("notice", on(notice.notice)),
        CommandHandler("receipts", on(notice_receipts.receipts)),
        CallbackQueryHandler(on(notice.compose_button), pattern=COMPOSE),
        CallbackQueryHandler(on(notice_receipts.ack), pattern=ACK),
        CallbackQueryHandler(on(notice_receipts.remind), pattern=REMIND),
    ]
