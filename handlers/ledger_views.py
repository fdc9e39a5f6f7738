"""/units, /unit, /problem, /overdue and /stats: reading the ledger, each within one's rights."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.context import Context
from bot.messages import Button, OutMessage
from bot.render import edit
from bot.services.access import Actor
from bot.services.ledger import detail, views
from bot.services.lookup import clean
from bot.texts import ledger as lt
from handlers.common import actor_of, answer, office_name, resolve_unit, toast
from storage import chats, ledger, units

PAGE_CALLBACK = r"^pg:(units|unit|overdue):(\d+):(\d+)$"


async def viewer(update: Update, ctx: Context, *, everyone: bool) -> Actor | None:
    """The actor if they may read here; otherwise tell them why not and return None."""
    actor = await actor_of(update, ctx)
    if not actor.is_bound:
        await answer(update, ctx, lt.VIEW_UNBOUND.format(office=office_name(ctx)))
        return None
    sees_all = actor.is_admin or actor.is_leader
    if not sees_all and not everyone:
        await answer(update, ctx, lt.VIEW_ROLE_REFUSED)
        return None
    chat = update.effective_chat
    assert chat is not None
    if chat.type != "private":
        known = await chats.get(ctx.svc.db, chat.id)
        if not sees_all or known is None or known.purpose not in ("office", "leaders"):
            await answer(update, ctx, lt.VIEW_WHERE)
            return None
    return actor


def _other_unit(actor: Actor) -> str:
    contact = actor.contact_role
    return lt.VIEW_OTHER_UNIT.format(unit=contact.unit_name if contact else "")


def _pager(view: str, arg: int, page: int, pages: int) -> tuple[tuple[Button, ...], ...]:
    row = []
    if page > 1:
        row.append(Button(text=lt.PREV, action=f"pg:{view}:{arg}:{page - 1}"))
    if page < pages:
        row.append(Button(text=lt.NEXT, action=f"pg:{view}:{arg}:{page + 1}"))
    return (tuple(row),) if row else ()


async def _listing(ctx: Context, actor: Actor, view: str, arg: int) -> views.Listing | str:
    """Build a paged view, or say why this person may not see it."""
    db, today = ctx.svc.db, ctx.svc.today()
    contact = actor.contact_role
    sees_all = actor.is_admin or actor.is_leader
    if view == "units":
        return await views.units_listing(db, today) if sees_all else lt.VIEW_ROLE_REFUSED
    if view == "overdue":
        if sees_all:
            return await views.overdue_listing(db, today)
        assert contact is not None and contact.unit_id is not None
        return await views.overdue_listing(db, today, contact.unit_id)
    unit = await units.get(db, arg)
    if unit is None:
        return lt.STALE_PAGE
    if not sees_all and (contact is None or contact.unit_id != unit.id):
        return _other_unit(actor)
    return await views.unit_listing(db, unit, today)


async def _show(update: Update, ctx: Context, actor: Actor, view: str, arg: int) -> None:
    listing = await _listing(ctx, actor, view, arg)
    if isinstance(listing, str):
        await answer(update, ctx, listing)
        return
    text, page, pages = listing.page(1)
    await answer(update, ctx, text, _pager(view, arg, page, pages))


async def units_cmd(update: Update, ctx: Context) -> None:
    """Every unit: contacts, open, awaiting acceptance, overdue, 整改率."""
    if actor := await viewer(update, ctx, everyone=False):
        await _show(update, ctx, actor, "units", 0)


async def overdue_cmd(update: Update, ctx: Context) -> None:
    """Overdue problems, most overdue first (a contact sees their own unit's)."""
    if actor := await viewer(update, ctx, everyone=True):
        await _show(update, ctx, actor, "overdue", 0)


async def unit_cmd(update: Update, ctx: Context) -> None:
    """One unit's problems; a contact's own unit when no name is given."""
    actor = await viewer(update, ctx, everyone=True)
    if actor is None:
        return
    typed = " ".join(ctx.args or [])
    contact = actor.contact_role
    if not typed:
        if contact is None or contact.unit_id is None:
            await answer(update, ctx, lt.UNIT_USAGE)
            return
        await _show(update, ctx, actor, "unit", contact.unit_id)
        return
    unit = await resolve_unit(update, ctx, typed)
    if unit is not None:
        await _show(update, ctx, actor, "unit", unit.id)


async def problem_cmd(update: Update, ctx: Context) -> None:
    """One problem with its whole history."""
    actor = await viewer(update, ctx, everyone=True)
    if actor is None:
        return
    code = "".join(clean(" ".join(ctx.args or [])).upper().split())
    if not code:
        await answer(update, ctx, lt.PROBLEM_USAGE)
        return
    found = await ledger.by_code(ctx.svc.db, code)
    contact = actor.contact_role
    if not (actor.is_admin or actor.is_leader):
        mine = [p for p in found if contact is not None and p.unit_id == contact.unit_id]
        if found and not mine:
            await answer(update, ctx, _other_unit(actor))
            return
        found = mine
    if not found:
        await answer(update, ctx, lt.PROBLEM_NOT_FOUND.format(code=code))
        return
    svc = ctx.svc
    text = await detail.problem_text(svc.db, found[0], svc.today(), svc.config.schedule.timezone)
    await answer(update, ctx, text)


async def stats_cmd(update: Update, ctx: Context) -> None:
    """整改率 and 完成率, overall and per unit, category and round."""
    if await viewer(update, ctx, everyone=False):
        await answer(update, ctx, await views.stats_text(ctx.svc.db, ctx.svc.today()))


async def turn_page(update: Update, ctx: Context) -> None:
    """◀ / ▶ on a paged view: re-check rights, then show that page in place."""
    query = update.callback_query
    assert query is not None and ctx.matches is not None
    found = ctx.matches[0]
    view, arg, page = found.group(1), int(found.group(2)), int(found.group(3))
    actor = await actor_of(update, ctx)
    listing: views.Listing | str = lt.VIEW_UNBOUND.format(office=office_name(ctx))
    if actor.is_bound:
        listing = await _listing(ctx, actor, view, arg)
    if isinstance(listing, str):
        await toast(update, listing, alert=True)
        return
    text, shown, pages = listing.page(page)
    await toast(update)
    message = OutMessage(text=text, buttons=_pager(view, arg, shown, pages))
    if query.message is not None:  # pressed twice: "not modified" is no error (render.edit)
        await edit(
            ctx.bot,
            query.message.chat.id,
            message.model_copy(update={"edit_message_id": query.message.message_id}),
        )


def handlers() -> list[BaseHandler[Update, Context, None]]:
    return [
        CommandHandler("units", units_cmd),
        CommandHandler("unit", unit_cmd),
        CommandHandler("problem", problem_cmd),
        CommandHandler("overdue", overdue_cmd),
        CommandHandler("stats", stats_cmd),
        CallbackQueryHandler(turn_page, pattern=PAGE_CALLBACK),
    ]
