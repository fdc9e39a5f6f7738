"""/notice, 已阅 and /receipts (the dialogs: bot/dialogs/notice.py, notice_receipts.py)."""

from __future__ import annotations

from telegram import Message, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.adapters.telegram import apply, event_of, on
from bot.context import Context
from bot.core.effects import Effects
from bot.dialogs import notice, notice_receipts
from bot.dialogs.notice import COMPOSE
from bot.dialogs.notice_receipts import ACK, REMIND

__all__ = ["ACK", "COMPOSE", "REMIND", "content_from", "handlers"]


async def content_from(update: Update, ctx: Context, message: Message) -> None:
    """The message that answered /notice, for office_waits (not yet a dialog): `message`
    is the update's own, which the event is made from."""
    out = Effects()
    await notice.content(event_of(update, ctx), ctx.svc, out)
    await apply(update, ctx, out)


def handlers() -> list[BaseHandler[Update, Context, None]]:
    return [
        CommandHandler("notice", on(notice.notice)),
        CommandHandler("receipts", on(notice_receipts.receipts)),
        CallbackQueryHandler(on(notice.compose_button), pattern=COMPOSE),
        CallbackQueryHandler(on(notice_receipts.ack), pattern=ACK),
        CallbackQueryHandler(on(notice_receipts.remind), pattern=REMIND),
    ]
