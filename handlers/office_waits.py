"""An admin's answer to the bot's question: a notice's content, or the reason for 退回."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ApplicationHandlerStop, BaseHandler, MessageHandler, filters

from bot.context import Context
from bot.services.uow import settle
from handlers import notice, review
from handlers.common import actor_of
from handlers.office_common import read_wait, wait_key


async def route(update: Update, ctx: Context) -> None:
    """Take the message when this admin has a question open in this chat.

    The question is closed by the effect that answers it, so a crash in between keeps it.
    """
    message, user, chat = update.effective_message, update.effective_user, update.effective_chat
    if message is None or user is None or chat is None:
        return
    asked = await read_wait(ctx, "notice", user.id, chat.id)
    kind = "notice"
    if asked is None:
        asked, kind = await read_wait(ctx, "review", user.id, chat.id), "review"
    if asked is None or not (await actor_of(update, ctx)).is_admin:
        return
    settle(wait_key(kind, user.id, chat.id))
    if kind == "notice":
        await notice.content_from(update, ctx, message)
    else:
        await review.reason_given(update, ctx, asked, message.text or "")
    raise ApplicationHandlerStop


def handlers() -> list[BaseHandler[Update, Context, None]]:
    content = (filters.TEXT & ~filters.COMMAND) | filters.PHOTO | filters.Document.ALL
    return [MessageHandler(content, route)]
