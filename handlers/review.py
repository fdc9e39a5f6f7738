"""/review, its rv:/ex: buttons, and /reopen (the dialogs: bot/dialogs/review*.py)."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.adapters.telegram import on
from bot.context import Context
from bot.dialogs import review, review_decisions
from bot.dialogs.review_decisions import EXTENSION, PROBLEM

__all__ = ["EXTENSION", "PROBLEM", "handlers"]


def handlers() -> list[BaseHandler[Update, Context, None]]:
    return [
        CommandHandler("review", on(review.review)),
        CommandHandler("reopen", on(review_decisions.reopen)),
        CallbackQueryHandler(on(review_decisions.problem_pressed), pattern=PROBLEM),
        CallbackQueryHandler(on(review_decisions.extension_pressed), pattern=EXTENSION),
    ]
