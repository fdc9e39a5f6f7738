"""/cancel: leave whatever is half done."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler

from bot import texts
from bot.context import Context
from bot.services.reporting import flow
from handlers.common import actor_of, answer
from handlers.office_common import take_wait


async def cancel(update: Update, ctx: Context) -> None:
    """Leave a half-written report (its draft is deleted) or say there was nothing to leave."""
    actor = await actor_of(update, ctx)
    chat = update.effective_chat
    assert chat is not None
    dropped = actor.person is not None and await flow.discard(ctx.svc.db, actor.person.id)
    for kind in ("notice", "review", "import"):  # an open question of the office's
        dropped = await take_wait(ctx, kind, actor.tg_user_id, chat.id) is not None or dropped
    await answer(update, ctx, texts.CANCEL_DONE if dropped else texts.CANCEL_NOTHING)


def handlers() -> list[BaseHandler[Update, Context, None]]:
    return [CommandHandler("cancel", cancel)]
