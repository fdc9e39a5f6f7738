"""/review, its rv:/ex: buttons, and /reopen (the dialogs: bot/dialogs/review*.py)."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.adapters.telegram import apply, event_of, on
from bot.context import Context
from bot.core.effects import Effects
from bot.dialogs import review, review_decisions
from bot.dialogs.review_decisions import EXTENSION, PROBLEM

__all__ = ["EXTENSION", "PROBLEM", "handlers", "reason_given"]


async def reason_given(update: Update, ctx: Context, wait: dict[str, object], reason: str) -> None:
    """The reason for 退回 or 不同意延期, from handlers.office_waits (not yet a dialog)."""
    out = Effects()
    await review_decisions.reason_given(event_of(update, ctx), ctx.svc, out, wait, reason)
    await apply(update, ctx, out)


def handlers() -> list[BaseHandler[Update, Context, None]]:
    return [
        CommandHandler("review", on(review.review)),
        CommandHandler("reopen", on(review_decisions.reopen)),
        CallbackQueryHandler(on(review_decisions.problem_pressed), pattern=PROBLEM),
        CallbackQueryHandler(on(review_decisions.extension_pressed), pattern=EXTENSION),
    ]
