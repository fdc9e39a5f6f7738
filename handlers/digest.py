"""/digest daily|weekly: an admin asks for a digest now, in the chat where they ask."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler

from bot.context import Context
from bot.services.duties.runner import DutyRunner
from bot.texts import office as ot
from handlers.common import answer
from handlers.office_common import office_actor


async def digest_cmd(update: Update, ctx: Context) -> None:
    """Build 一日一小结 or 一周一汇总 as of now and show it here (nothing is sent elsewhere)."""
    if await office_actor(update, ctx, "生成汇总") is None:
        return
    kind = (ctx.args or [""])[0].lower()
    if kind not in ("daily", "weekly"):
        await answer(update, ctx, ot.DIGEST_USAGE)
        return
    runner = DutyRunner(ctx.svc.config, ctx.svc.db)
    texts = await runner.build_digest(kind, ctx.svc.clock())
    office_text = next(iter(texts.values()), "")
    await answer(update, ctx, office_text)


def handlers() -> list[BaseHandler[Update, Context, None]]:
    return [CommandHandler("digest", digest_cmd)]
