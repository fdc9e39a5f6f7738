"""/cancel: leave whatever is half done."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler, filters

from bot import texts
from bot.context import Context
from bot.services.reporting import flow
from handlers.common import actor_of, answer


async def cancel(update: Update, ctx: Context) -> None:
    """Leave a half-written report (its draft is deleted) or say there was nothing to leave."""
    actor = await actor_of(update, ctx)
    dropped = actor.person is not None and await flow.discard(ctx.svc.db, actor.person.id)
    await answer(update, ctx, texts.CANCEL_DONE if dropped else texts.CANCEL_NOTHING)


def handlers() -> list[BaseHandler[Update, Context, None]]:
    return [CommandHandler("cancel", cancel, filters=filters.ChatType.PRIVATE)]
