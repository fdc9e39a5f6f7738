"""/transfer <code> <to whom> [note]: 移交纪检监察, an admin's decision."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler

from bot.context import Context
from bot.services import transfer as service
from bot.services.reporting import codes
from bot.texts import office as ot
from bot.texts import transfer as tt
from handlers.common import answer
from handlers.office_common import office_actor
from storage import ledger


async def transfer_cmd(update: Update, ctx: Context) -> None:
    actor = await office_actor(update, ctx, tt.WHAT)
    if actor is None:
        return
    args = list(ctx.args or [])
    if len(args) < 2:
        await answer(update, ctx, tt.USAGE)
        return
    code, to_whom, note = codes.normal(args[0]), args[1].strip(), " ".join(args[2:]).strip()
    svc = ctx.svc
    found = await ledger.by_code(svc.db, code)
    if not found:
        await answer(update, ctx, ot.PROBLEM_NOT_FOUND.format(code=code))
        return
    try:
        await service.transfer(
            svc.db, actor, found[0], to_whom, note, svc.clock(), svc.config.schedule.timezone
        )
    except service.Refused as exc:
        await answer(update, ctx, str(exc))


def handlers() -> list[BaseHandler[Update, Context, None]]:
    return [CommandHandler("transfer", transfer_cmd)]
