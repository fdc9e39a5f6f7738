"""An admin's answer to the bot's question: a notice's content, or the reason for 退回."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ApplicationHandlerStop, BaseHandler, MessageHandler, filters

from bot.context import Context
from handlers import notice, review
from handlers.common import actor_of
from handlers.office_common import peek_wait, take_wait


async def route(update: Update, ctx: Context) -> None:
    """Take the message when this admin has a question open in this chat."""
    message, user, chat = update.effective_message, update.effective_user, update.effective_chat
    if message is None or user is None or chat is None:
        return
    if not (
        await peek_wait(ctx, "notice", user.id, chat.id)
        or await peek_wait(ctx, "review", user.id, chat.id)
    ):
        return
    if not (await actor_of(update, ctx)).is_admin:
        return
    if await take_wait(ctx, "notice", user.id, chat.id) is not None:
        await notice.content_from(update, ctx, message)
        raise ApplicationHandlerStop
    wait = await take_wait(ctx, "review", user.id, chat.id)
    if wait is not None:
        await review.reason_given(update, ctx, wait, message.text or "")
        raise ApplicationHandlerStop


def handlers() -> list[BaseHandler[Update, Context, None]]:
    content = (filters.TEXT & ~filters.COMMAND) | filters.PHOTO | filters.Document.ALL
    return [MessageHandler(content, route)]
