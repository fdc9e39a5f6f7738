"""/bind, /code and /link: which dialog answers where (the dialogs: bot/dialogs/binding.py)."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler, filters

from bot.adapters.telegram import on
from bot.context import Context
from bot.dialogs import binding
from bot.dialogs.binding import parse_code_args, render_code

__all__ = ["handlers", "parse_code_args", "render_code"]


def handlers() -> list[BaseHandler[Update, Context, None]]:
    private, groups = filters.ChatType.PRIVATE, filters.ChatType.GROUPS
    return [
        CommandHandler("bind", on(binding.bind), filters=private),
        CommandHandler("bind", on(binding.bind_in_group), filters=groups),
        CommandHandler("code", on(binding.code), filters=private),
        CommandHandler("code", on(binding.code_in_group), filters=groups),
        CommandHandler("link", on(binding.link), filters=private),
        CommandHandler("link", on(binding.link_in_group), filters=groups),
    ]
