"""/cancel: leave whatever is half done."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler

from bot import texts
from bot.context import Context
from bot.services import names
from bot.services.reporting import flow
from bot.services.uow import effect, reply
from handlers.common import actor_of
from handlers.office_common import WAITS, wait_key
from storage import drafts, state


async def cancel(update: Update, ctx: Context) -> None:
    """Leave a half-written report and any open question (the office's, 姓名职务), in one effect."""
    actor = await actor_of(update, ctx)
    chat = update.effective_chat
    assert chat is not None
    svc = ctx.svc
    async with effect(svc.db) as tx:
        dropped = False
        for kind in WAITS:  # an open question of the office's
            dropped = await state.delete(tx, wait_key(kind, actor.tg_user_id, chat.id)) or dropped
        if chat.type == "private":  # 姓名 and 职务 not given: the Telegram name serves
            dropped = await state.delete(tx, names.wait_key(actor.tg_user_id)) or dropped
        person = actor.person
        has_draft = person is not None and await drafts.get(tx, person.id) is not None
        await reply(texts.CANCEL_DONE if dropped or has_draft else texts.CANCEL_NOTHING)
        if person is not None and has_draft:
            await flow.drop(tx, person.id, svc.clock())  # says so when a shelved one resumes


def handlers() -> list[BaseHandler[Update, Context, None]]:
    return [CommandHandler("cancel", cancel)]
