"""What the office's handlers share: who may act as the office, and where."""

from __future__ import annotations

import json

from telegram import Update

from bot.context import Context
from bot.services.access import Actor
from bot.texts import office as ot
from handlers.common import actor_of, answer, office_name
from storage import chats, state


async def office_actor(update: Update, ctx: Context, what: str) -> Actor | None:
    """An admin, in a private chat or the office group; anyone else is told why not."""
    actor = await actor_of(update, ctx)
    if not actor.is_admin or actor.person is None:
        await answer(update, ctx, ot.ADMIN_ONLY.format(office=office_name(ctx), what=what))
        return None
    chat = update.effective_chat
    assert chat is not None
    if chat.type != "private":
        known = await chats.get(ctx.svc.db, chat.id)
        if known is None or known.purpose != "office":
            await answer(update, ctx, ot.WHERE_ADMIN)
            return None
    return actor


def wait_key(kind: str, user_id: int, chat_id: int) -> str:
    return f"{kind}_wait:{user_id}:{chat_id}"


async def set_wait(
    ctx: Context, kind: str, user_id: int, chat_id: int, value: dict[str, object]
) -> None:
    async with ctx.svc.db.transaction() as tx:
        await state.put(tx, wait_key(kind, user_id, chat_id), json.dumps(value))


async def read_wait(
    ctx: Context, kind: str, user_id: int, chat_id: int
) -> dict[str, object] | None:
    """The pending question of this kind, if one is open."""
    raw = await state.get(ctx.svc.db, wait_key(kind, user_id, chat_id))
    value = None if raw is None else json.loads(raw)
    return value if isinstance(value, dict) else None


async def take_wait(
    ctx: Context, kind: str, user_id: int, chat_id: int
) -> dict[str, object] | None:
    """The pending question of this kind, removed as it is answered."""
    value = await read_wait(ctx, kind, user_id, chat_id)
    if value is not None:
        async with ctx.svc.db.transaction() as tx:
            await state.delete(tx, wait_key(kind, user_id, chat_id))
    return value


async def peek_wait(ctx: Context, kind: str, user_id: int, chat_id: int) -> bool:
    return await state.get(ctx.svc.db, wait_key(kind, user_id, chat_id)) is not None
