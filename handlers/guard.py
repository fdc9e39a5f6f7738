"""A button acts only where it was offered: its data must be on the message it came from."""

from __future__ import annotations

from telegram import Message, Update
from telegram.ext import ApplicationHandlerStop, BaseHandler, CallbackQueryHandler

from bot import texts
from bot.adapters.telegram import toast
from bot.context import Context


def offered(update: Update) -> bool:
    """False when the pressed data is not among the buttons of the message it came from.

    Telegram clients can send any callback data for any message with a keyboard; only a
    press whose data the bot really put on that message is a press of its button. When
    Telegram no longer shows us the message (too old), the handlers' own checks decide.
    """
    query = update.callback_query
    if query is None or not isinstance(query.message, Message):
        return True
    markup = query.message.reply_markup
    if markup is None:
        return False
    return any(b.callback_data == query.data for row in markup.inline_keyboard for b in row)


async def refuse_forged(update: Update, ctx: Context) -> None:
    """Stop a press of data the message never offered."""
    if offered(update):
        return
    await toast(update, texts.BUTTON_NOT_OFFERED, alert=True)
    raise ApplicationHandlerStop


def handlers() -> list[BaseHandler[Update, Context, None]]:
    return [CallbackQueryHandler(refuse_forged)]
