"""/mine, /report, /extend and /withdraw: a contact's commands."""

from __future__ import annotations

from datetime import date

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, filters

from bot.context import Context
from bot.messages import Button
from bot.services.access import Actor
from bot.services.ledger.views import Listing, limit_text, title
from bot.services.lookup import clean
from bot.services.reporting import codes, extension, flow
from bot.services.reporting.prompts import status_name
from bot.texts import reporting as rt
from handlers.common import actor_of, answer, office_name, toast
from handlers.report_flow import show_step, start_on
from storage import ledger

PER_PAGE = 10
MINE_CALLBACK = r"^mine:(\d+)$"


async def _contact(update: Update, ctx: Context) -> Actor | None:
    """The actor when they are a contact; otherwise say why they cannot report."""
    actor = await actor_of(update, ctx)
    why = flow.refusal(actor, None, office_name(ctx))
    if why is not None:
        await answer(update, ctx, why)
        return None
    return actor


async def _mine_page(
    ctx: Context, actor: Actor, page: int
) -> tuple[str, tuple[tuple[Button, ...], ...]]:
    contact = actor.contact_role
    assert contact is not None and contact.unit_id is not None
    problems = await ledger.problems_of_unit(ctx.svc.db, contact.unit_id, open_only=True)
    if not problems:
        return rt.MINE_NONE.format(unit=contact.unit_name), ()
    today = ctx.svc.today()
    lines = [
        rt.MINE_LINE.format(
            code=p.code, status=status_name(p.status), limit=limit_text(p, today), title=title(p)
        )
        for p in problems
    ]
    listing = Listing(rt.MINE_HEAD.format(unit=contact.unit_name, count=len(problems)), lines)
    text, shown, pages = listing.page(page, PER_PAGE)
    chunk = problems[(shown - 1) * PER_PAGE : shown * PER_PAGE]
    buttons: list[tuple[Button, ...]] = [
        (Button(text=rt.REPORT_BUTTON.format(code=p.code), action=f"rp:{p.id}"),) for p in chunk
    ]
    nav = []
    if shown > 1:
        nav.append(Button(text="◀ 上一页", action=f"mine:{shown - 1}"))
    if shown < pages:
        nav.append(Button(text="下一页 ▶", action=f"mine:{shown + 1}"))
    if nav:
        buttons.append(tuple(nav))
    return text, tuple(buttons)


async def mine(update: Update, ctx: Context) -> None:
    """My unit's open problems, each with a 报告进展 button."""
    if actor := await _contact(update, ctx):
        text, buttons = await _mine_page(ctx, actor, 1)
        await answer(update, ctx, text, buttons)


async def mine_page(update: Update, ctx: Context) -> None:
    query = update.callback_query
    assert query is not None and ctx.matches is not None
    actor = await actor_of(update, ctx)
    why = flow.refusal(actor, None, office_name(ctx))
    if why is not None:
        await toast(update, why, alert=True)
        return
    await toast(update)
    text, buttons = await _mine_page(ctx, actor, int(ctx.matches[0].group(1)))
    await answer(update, ctx, text, buttons)


async def report(update: Update, ctx: Context) -> None:
    """Start a report: on the problem named, or pick one; an unfinished draft resumes."""
    actor = await _contact(update, ctx)
    if actor is None or actor.person is None or actor.contact_role is None:
        return
    typed = "".join(ctx.args or [])
    if not typed:
        draft = await flow.current(ctx.svc.db, actor.person.id)
        if draft is not None and draft.has_content:
            await show_step(update, ctx, draft)
            return
        text, buttons = await _mine_page(ctx, actor, 1)
        await answer(update, ctx, text, buttons)
        return
    unit_id = actor.contact_role.unit_id
    assert unit_id is not None
    problems = await ledger.open_of_unit_by_code(ctx.svc.db, unit_id)
    problem = problems.get(codes.normal(typed))
    if problem is None:
        elsewhere = await ledger.by_code(ctx.svc.db, codes.normal(typed))
        why = flow.refusal(actor, elsewhere[0], office_name(ctx)) if elsewhere else None
        await answer(update, ctx, why or rt.NOT_FOUND.format(code=codes.normal(typed)))
        return
    await start_on(update, ctx, actor, problem.id, [])


async def extend(update: Update, ctx: Context) -> None:
    """/extend <code> <YYYY-MM-DD> <reason>: ask the office for a later deadline."""
    actor = await _contact(update, ctx)
    if actor is None or actor.contact_role is None:
        return
    args = list(ctx.args or [])
    if len(args) < 3:
        await answer(update, ctx, rt.EXTEND_USAGE)
        return
    code, when, reason = codes.normal(args[0]), clean(args[1]), " ".join(args[2:])
    try:
        new = date.fromisoformat(when.replace("/", "-"))
    except ValueError:
        await answer(update, ctx, rt.EXTEND_BAD_DATE.format(text=args[1]))
        return
    found = await ledger.by_code(ctx.svc.db, code)
    mine = [p for p in found if p.unit_id == actor.contact_role.unit_id] or found
    if not mine:
        await answer(update, ctx, rt.NOT_FOUND.format(code=code))
        return
    problem, svc, office = mine[0], ctx.svc, office_name(ctx)
    try:
        await extension.request(
            svc.db, actor, problem, new, reason, today=svc.today(), office=office, at=svc.clock()
        )
    except flow.Refused as exc:
        await answer(update, ctx, str(exc))


async def withdraw(update: Update, ctx: Context) -> None:
    """/withdraw <number>: take back one's own report within 24 hours."""
    actor = await _contact(update, ctx)
    if actor is None:
        return
    number = "".join(clean(" ".join(ctx.args or [])).split())
    if not number:
        await answer(update, ctx, rt.WITHDRAW_USAGE)
        return
    try:
        await flow.withdraw(ctx.svc.db, actor, number, ctx.svc.clock())
    except flow.Refused as exc:
        await answer(update, ctx, str(exc))


def handlers() -> list[BaseHandler[Update, Context, None]]:
    private = filters.ChatType.PRIVATE
    return [
        CommandHandler("mine", mine, filters=private),
        CommandHandler("report", report, filters=private),
        CommandHandler("extend", extend, filters=private),
        CommandHandler("withdraw", withdraw, filters=private),
        CallbackQueryHandler(mine_page, pattern=MINE_CALLBACK),
    ]
