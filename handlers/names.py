"""The answer to 请回复您的姓名和职务 (asked after /bind): one reply, or 跳过."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ApplicationHandlerStop, BaseHandler, MessageHandler, filters

from bot.context import Context
from bot.services import names
from handlers.common import actor_of


async def route(update: Update, ctx: Context) -> None:
    """Take a private text as the person's 姓名 and 职务 while that question is open.

    A report in progress, a quick report or a reply to a reminder is taken before this
    (an earlier handler group); commands never reach it.
    """
    message, user = update.effective_message, update.effective_user
    if message is None or user is None or not message.text:
        return
    if not await names.waiting(ctx.svc.db, user.id):
        return
    person = (await actor_of(update, ctx)).person
    if person is None:
        return
    await names.give(ctx.svc.db, person, message.text, ctx.svc.clock())
    raise ApplicationHandlerStop


def handlers() -> list[BaseHandler[Update, Context, None]]:
    return [MessageHandler(filters.ChatType.PRIVATE & filters.TEXT & ~filters.COMMAND, route)]
