"""/export: the ledger as an .xlsx file."""

from __future__ import annotations

from telegram import InputFile, Update
from telegram.ext import BaseHandler, CommandHandler

from bot import texts
from bot.context import Context
from bot.services.ledger.export import export_xlsx
from bot.texts import ledger as lt
from handlers.ledger_views import viewer


async def export(update: Update, ctx: Context) -> None:
    """Send the ledger workbook (admins and leaders)."""
    # The same rights and places as /units: never into a unit's group.
    if await viewer(update, ctx, everyone=False) is None:
        return
    chat = update.effective_chat
    assert chat is not None
    svc = ctx.svc
    data = await export_xlsx(svc.db, svc.today(), svc.config.schedule.timezone)
    now = texts.fmt_time(svc.clock(), svc.config.schedule.timezone)
    name = lt.EXPORT_FILE.format(date=svc.today().isoformat())
    await ctx.bot.send_document(
        chat.id, InputFile(data, name), caption=lt.EXPORT_CAPTION.format(at=now)
    )


def handlers() -> list[BaseHandler[Update, Context, None]]:
    return [CommandHandler("export", export)]
