"""What the office's handlers share: who may act as the office, and where; open questions."""

from __future__ import annotations

import json

from telegram import Update

from bot.context import Context
from bot.services.access import Actor
from bot.services.uow import effect, reply
from bot.texts import office as ot
from handlers.common import actor_of, answer, office_name
from storage import chats, state

WAITS = ("notice", "review", "import")  # the questions an admin can leave open in a chat


async def office_actor(update: Update, ctx: Context, what: str) -> Actor | None:
    """An admin, in a private chat or the office group; anyone else is told why not."""
    actor = await actor_of(update, ctx)
    if not actor.is_admin or actor.person is None:
        await answer(update, ctx, ot.ADMIN_ONLY.format(office=office_name(ctx), what=what))
        return None
    if not await in_office_place(update, ctx):
        await answer(update, ctx, ot.WHERE_ADMIN)
        return None
    return actor


async def in_office_place(update: Update, ctx: Context) -> bool:
    """A private chat, or the registered office group: where the office decides things."""
    chat = update.effective_chat
    if chat is None:
        return False
    if chat.type == "private":
        return True
    known = await chats.get(ctx.svc.db, chat.id)
    return known is not None and known.purpose == "office"


def wait_key(kind: str, user_id: int, chat_id: int) -> str:
    return f"{kind}_wait:{user_id}:{chat_id}"


async def ask(
    ctx: Context, kind: str, user_id: int, chat_id: int, value: dict[str, object], question: str
) -> None:
    """Open a question (the next message answers it) and ask it, as one effect."""
    async with effect(ctx.svc.db) as tx:
        await state.put(tx, wait_key(kind, user_id, chat_id), json.dumps(value))
        await reply(question)


async def read_wait(
    ctx: Context, kind: str, user_id: int, chat_id: int
) -> dict[str, object] | None:
    """The open question of this kind, if any (the effect that answers it closes it)."""
    raw = await state.get(ctx.svc.db, wait_key(kind, user_id, chat_id))
    value = None if raw is None else json.loads(raw)
    return value if isinstance(value, dict) else None
