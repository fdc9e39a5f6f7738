"""/units, /unit, /problem, /overdue, /stats and their page buttons (the dialogs:
bot/dialogs/ledger_views.py)."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.adapters.telegram import on
from bot.context import Context
from bot.dialogs import ledger_views
from bot.dialogs.ledger_views import PAGE_CALLBACK


def handlers() -> list[BaseHandler[Update, Context, None]]:
    return [
        CommandHandler("units", on(ledger_views.units_cmd)),
        CommandHandler("unit", on(ledger_views.unit_cmd)),
        CommandHandler("problem", on(ledger_views.problem_cmd)),
        CommandHandler("overdue", on(ledger_views.overdue_cmd)),
        CommandHandler("stats", on(ledger_views.stats_cmd)),
        CallbackQueryHandler(on(ledger_views.turn_page), pattern=PAGE_CALLBACK),
    ]
