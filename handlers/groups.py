"""/setgroup: an admin registers the group they are in."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler, filters

from bot import texts
from bot.context import Context
from bot.services import groups
from handlers.common import actor_of, answer, office_name, resolve_unit
from storage.models import ChatPurpose

PURPOSES: dict[str, ChatPurpose] = {
    "office": "office",
    "巡察办": "office",
    "leaders": "leaders",
    "领导": "leaders",
    "unit": "unit",
    "单位": "unit",
}


async def setgroup(update: Update, ctx: Context) -> None:
    """Register this group as the office group, a leaders group or a unit's group."""
    actor = await actor_of(update, ctx)
    office = office_name(ctx)
    if not actor.is_admin:
        await answer(update, ctx, texts.SETGROUP_NOT_ADMIN.format(office=office))
        return
    args = list(ctx.args or [])
    purpose = PURPOSES.get(args[0].lower()) if args else None
    if purpose is None or (purpose == "unit") != (len(args) > 1):
        await answer(update, ctx, texts.SETGROUP_USAGE)
        return
    unit = None
    if purpose == "unit":
        unit = await resolve_unit(update, ctx, " ".join(args[1:]))
        if unit is None:
            return
    chat = update.effective_chat
    assert chat is not None
    person = actor.person
    await groups.register(
        ctx.svc.db,
        chat_id=chat.id,
        chat_type=chat.type,
        title=chat.title or "",
        purpose=purpose,
        unit=unit,
        by_person=person.id if person else 0,
        by_label=person.signature if person else str(actor.tg_user_id),
        at=ctx.svc.clock(),
    )


async def setgroup_private(update: Update, ctx: Context) -> None:
    """Explain that /setgroup belongs in the group to be registered."""
    await answer(update, ctx, texts.SETGROUP_PRIVATE)


def handlers() -> list[BaseHandler[Update, Context, None]]:
    return [
        CommandHandler("setgroup", setgroup, filters=filters.ChatType.GROUPS),
        CommandHandler("setgroup", setgroup_private, filters=filters.ChatType.PRIVATE),
    ]
