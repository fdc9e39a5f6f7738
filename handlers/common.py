"""What every handler shares: who is acting, and how to answer."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import BaseHandler, TypeHandler

from bot.context import Context
from bot.core.effects import Effects
from bot.dialogs.common import unit_named
from bot.messages import Button, OutMessage, fit
from bot.render import send
from bot.services.access import Actor, load_actor
from storage import chats, people
from storage.models import Unit


async def actor_of(update: Update, ctx: Context) -> Actor:
    user = update.effective_user
    if user is None:  # pragma: no cover - our handlers only see updates from users
        raise RuntimeError("update without a user")
    return await load_actor(ctx.svc.db, user.id, ctx.svc.config.office.admins)


log = logging.getLogger(__name__)


async def answer(
    update: Update, ctx: Context, text: str, buttons: tuple[tuple[Button, ...], ...] = ()
) -> None:
    """Reply in the chat the update came from, when the answer confirms no effect.

    (An answer that confirms an effect is `bot.services.uow.reply`, inside the effect.)
    Long texts go out in parts.
    """
    await send_out(update, ctx, OutMessage(text=text, buttons=buttons))


async def toast(update: Update, text: str | None = None, *, alert: bool = False) -> None:
    """Answer a button press (the small notice on the user's screen); best effort.

    A press replayed after a restart is too old to answer: that must never cost its effect.
    """
    query = update.callback_query
    if query is None:
        return
    try:
        await query.answer(text[:200] if text else None, show_alert=alert)
    except TelegramError as exc:
        log.info("button press %s not answered: %s", query.id, exc)


async def resolve_unit(update: Update, ctx: Context, typed: str) -> Unit | None:
    """The unit the user meant, or None after telling them why none matched."""
    out = Effects()
    unit = await unit_named(ctx.svc, out, typed)  # the dialogs' own rule
    for message in out.said:
        await send_out(update, ctx, message)
    return unit


async def send_out(update: Update, ctx: Context, message: OutMessage) -> None:
    """Reply with a prepared message value (text, buttons, a file), in Telegram's parts."""
    chat = update.effective_chat
    if chat is None:  # pragma: no cover
        return
    for part in fit(message):
        await send(ctx.bot, chat.id, part)


def office_name(ctx: Context) -> str:
    return ctx.svc.config.office.name


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
