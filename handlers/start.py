"""/start and /help: who am I here, and what can I do."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler, filters

from bot import texts
from bot.commands import commands_for, publish_personal_commands
from bot.context import Context
from handlers.common import actor_of, answer, office_name
from storage import chats, units


async def start_private(update: Update, ctx: Context) -> None:
    """Greet the user and say what they are bound as, or how to bind."""
    actor = await actor_of(update, ctx)
    office = office_name(ctx)
    if actor.is_bound:  # Telegram takes a chat's command list only once the chat exists
        await publish_personal_commands(ctx, actor.tg_user_id)
    if not actor.is_bound:
        await answer(update, ctx, texts.START_UNBOUND.format(office=office))
        return
    name = update.effective_user.full_name if update.effective_user else ""
    await answer(
        update, ctx, texts.START_BOUND.format(name=name, office=office, roles=actor.describe())
    )


async def start_group(update: Update, ctx: Context) -> None:
    """Tell a group what the bot is and how to register it."""
    await answer(update, ctx, texts.START_GROUP.format(office=office_name(ctx)))


async def help_private(update: Update, ctx: Context) -> None:
    """List the commands this person may use."""
    actor = await actor_of(update, ctx)
    commands = commands_for(actor)
    lines = [texts.HELP_HEADER.format(roles=actor.describe())]
    lines += [f"/{name} — {desc}" for name, desc in commands]
    if not actor.is_bound:
        lines += ["", texts.START_UNBOUND.format(office=office_name(ctx))]
    await answer(update, ctx, "\n".join(lines))


async def help_group(update: Update, ctx: Context) -> None:
    """Say what this group is registered as; admins also read how to change it."""
    chat = update.effective_chat
    db = ctx.svc.db
    known = await chats.get(db, chat.id) if chat else None
    registered = texts.GROUP_NOT_REGISTERED
    if known is not None and known.purpose is not None:
        what = texts.PURPOSE_NAMES[known.purpose]
        unit = await units.get(db, known.unit_id) if known.unit_id is not None else None
        what += f"（{unit.name}）" if unit else ""
        registered = texts.GROUP_REGISTERED.format(what=what)
    actor = await actor_of(update, ctx)
    if actor.is_admin:
        await answer(update, ctx, texts.HELP_GROUP.format(registered=registered))
        return
    lines = [texts.HELP_GROUP_HEAD.format(registered=registered)]
    if known is not None and known.purpose == "unit":
        lines.append(texts.HELP_GROUP_REPLY)
    lines.append(texts.HELP_GROUP_PRIVATE)
    if not actor.is_bound:
        lines.append(texts.HELP_GROUP_UNBOUND.format(office=office_name(ctx)))
    await answer(update, ctx, "\n".join(lines))


def handlers() -> list[BaseHandler[Update, Context, None]]:
    private, groups = filters.ChatType.PRIVATE, filters.ChatType.GROUPS
    return [
        CommandHandler("start", start_private, filters=private),
        CommandHandler("start", start_group, filters=groups),
        CommandHandler("help", help_private, filters=private),
        CommandHandler("help", help_group, filters=groups),
    ]
