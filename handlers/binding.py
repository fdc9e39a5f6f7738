"""/bind a code, and /code to issue one (admins)."""

from __future__ import annotations

import contextlib
from datetime import timedelta

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import BaseHandler, CommandHandler, filters

from bot import texts
from bot.commands import publish_personal_commands
from bot.context import Context
from bot.services import binding
from bot.services.binding import BindOutcome
from bot.services.uow import effect
from handlers.common import actor_of, answer, office_name, resolve_unit
from storage.models import Role

ROLE_WORDS: dict[str, Role] = {
    "contact": "contact",
    "联络员": "contact",
    "leader": "leader",
    "领导": "leader",
    "admin": "admin",
    "管理员": "admin",
}


async def bind(update: Update, ctx: Context) -> None:
    """Bind the sender with the code they sent (the inbox keeps only its hash)."""
    user = update.effective_user
    assert user is not None
    office = office_name(ctx)
    code = " ".join(ctx.args or [])
    if not code.strip():
        await answer(update, ctx, texts.BIND_USAGE.format(office=office))
        return
    svc = ctx.svc
    result = await binding.bind(
        svc.db,
        user.id,
        user.full_name,
        user.username,
        code,
        svc.clock(),
        office=office,
        tz=svc.config.schedule.timezone,
    )
    if result.outcome is BindOutcome.BOUND:
        await publish_personal_commands(ctx, user.id)  # the binding stands whatever it meets


async def bind_in_group(update: Update, ctx: Context) -> None:
    """A code shown to a group is no longer secret: burn it, and say where /bind belongs."""
    user, message = update.effective_user, update.effective_message
    assert user is not None and message is not None
    code = " ".join(ctx.args or [])
    if not code.strip():
        await answer(update, ctx, texts.BIND_IN_GROUP)
        return
    await binding.burn(ctx.svc.db, code, user.id, ctx.svc.clock(), office_name(ctx))
    with contextlib.suppress(TelegramError):  # without delete rights the message stays
        await message.delete()


def parse_code_args(args: list[str]) -> tuple[str, Role] | str:
    """`<unit> [role]` or `<role>` alone; returns (unit text, role) or an error text."""
    if not args:
        return texts.CODE_USAGE
    if len(args) == 1 and args[0].lower() in ROLE_WORDS:
        role = ROLE_WORDS[args[0].lower()]
        return ("", role) if role != "contact" else texts.CODE_USAGE
    if len(args) > 1 and args[-1].lower() in ROLE_WORDS:
        return (" ".join(args[:-1]), ROLE_WORDS[args[-1].lower()])
    return (" ".join(args), "contact")  # every word is part of the unit's name


async def code(update: Update, ctx: Context) -> None:
    """Issue a single-use binding code (admins only)."""
    actor = await actor_of(update, ctx)
    office = office_name(ctx)
    if not actor.is_admin:
        await answer(update, ctx, texts.CODE_NOT_ADMIN.format(office=office))
        return
    parsed = parse_code_args(list(ctx.args or []))
    if isinstance(parsed, str):
        await answer(update, ctx, parsed)
        return
    unit_text, role = parsed
    svc = ctx.svc
    unit = None
    if role == "contact":
        unit = await resolve_unit(update, ctx, unit_text)
        if unit is None:
            return
    now = svc.clock()
    person = actor.person
    async with effect(svc.db) as tx:
        issued = await binding.issue(
            tx,
            role,
            unit,
            by=person.id if person else None,
            by_label=person.signature if person else str(actor.tg_user_id),
            at=now,
            ttl=timedelta(hours=svc.config.office.code_ttl_hours),
        )
    # Sent directly, not as a durable reply: an outbox row would keep a live code in clear.
    # Should this answer be lost, the unused code is harmless and the admin asks again.
    await answer(update, ctx, render_code(issued, svc.config.schedule.timezone))


def render_code(issued: binding.IssuedCode, tz: str) -> str:
    unit = f"（{issued.unit.name}）" if issued.unit else ""
    return texts.CODE_ISSUED.format(
        code=issued.code,
        role=texts.ROLE_NAMES[issued.role],
        unit=unit,
        expires=texts.fmt_time(issued.expires_at, tz),
    )


async def code_in_group(update: Update, ctx: Context) -> None:
    """Refuse /code in a group: a code seen by a group is no longer secret."""
    await answer(update, ctx, texts.CODE_PRIVATE_ONLY)


def handlers() -> list[BaseHandler[Update, Context, None]]:
    private, groups = filters.ChatType.PRIVATE, filters.ChatType.GROUPS
    return [
        CommandHandler("bind", bind, filters=private),
        CommandHandler("bind", bind_in_group, filters=groups),
        CommandHandler("code", code, filters=private),
        CommandHandler("code", code_in_group, filters=groups),
    ]
