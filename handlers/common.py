"""What Telegram tells us about people and chats on every update, kept current."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, TypeHandler

from bot.context import Context
from storage import chats, people


async def _remember(update: Update, ctx: Context) -> None:
    """Keep people and chats current: names change, and a chat that writes is reachable."""
    user, chat = update.effective_user, update.effective_chat
    if user is None or user.is_bot:
        return
    db = ctx.svc.db
    title = (chat.title or chat.full_name or "") if chat is not None else ""
    person = await people.by_tg_id(db, user.id)
    same_person = person is not None and (person.name, person.username) == (
        user.full_name,
        user.username,
    )
    known = await chats.get(db, chat.id) if chat is not None else None
    same_chat = chat is None or (
        known is not None and known.active and (known.type, known.title) == (chat.type, title)
    )
    if same_person and same_chat:
        return  # nothing new: two reads, and the single write lock stays free for effects
    now = ctx.svc.clock()
    async with db.transaction() as tx:
        await people.upsert(tx, user.id, user.full_name, user.username, now)
        if chat is not None:
            await chats.remember(tx, chat.id, chat.type, title)
            await chats.reactivate(tx, chat.id)


def handlers() -> list[BaseHandler[Update, Context, None]]:
    return [TypeHandler(Update, _remember)]
