"""The office's shared checks for handlers not yet ported to dialogs (bot/dialogs/office.py
holds the rules; these run them on an Update through the Telegram adapter)."""

from __future__ import annotations

from telegram import Update

from bot.adapters.telegram import apply, event_of
from bot.context import Context
from bot.core.effects import Effects
from bot.dialogs import office
from bot.dialogs.office import WAITS, wait_key
from bot.services.access import Actor

__all__ = ["WAITS", "ask", "in_office_place", "office_actor", "read_wait", "wait_key"]


async def office_actor(update: Update, ctx: Context, what: str) -> Actor | None:
    """An admin, in a private chat or the office group; anyone else is told why not."""
    out = Effects()
    found = await office.office_actor(event_of(update, ctx), ctx.svc, out, what)
    await apply(update, ctx, out)
    return found


async def in_office_place(update: Update, ctx: Context) -> bool:
    return await office.in_office_place(event_of(update, ctx), ctx.svc)


async def ask(
    ctx: Context, kind: str, user_id: int, chat_id: int, value: dict[str, object], question: str
) -> None:
    await office.ask(ctx.svc, kind, user_id, chat_id, value, question)


async def read_wait(
    ctx: Context, kind: str, user_id: int, chat_id: int
) -> dict[str, object] | None:
    return await office.read_wait(ctx.svc, kind, user_id, chat_id)
