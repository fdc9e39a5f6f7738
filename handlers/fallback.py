"""The last word in a private chat: an unknown command or text gets a pointer to /help."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, MessageHandler, filters

from bot import texts
from bot.context import Context
from handlers.common import answer


async def unknown_command(update: Update, ctx: Context) -> None:
    """Say the command does not exist and where the list is."""
    await answer(update, ctx, texts.UNKNOWN_COMMAND)


async def not_understood(update: Update, ctx: Context) -> None:
    """Say the message was not understood rather than staying silent."""
    await answer(update, ctx, texts.NOT_UNDERSTOOD_PRIVATE)


# Commands that only make sense between a person and the bot.
PRIVATE_ONLY = {"mine", "report", "extend", "withdraw"}


async def private_only_in_group(update: Update, ctx: Context) -> None:
    """A contact's command sent to a group: say where it works; other bots' commands: silence."""
    message = update.effective_message
    if message is None or not message.text:
        return
    command, _, addressee = message.text.split()[0].lstrip("/").partition("@")
    if addressee and addressee.lower() != (ctx.bot.username or "").lower():
        return
    if command.lower() in PRIVATE_ONLY:
        await answer(update, ctx, texts.PRIVATE_ONLY.format(command=command.lower()))


def handlers() -> list[BaseHandler[Update, Context, None]]:
    private, groups = filters.ChatType.PRIVATE, filters.ChatType.GROUPS
    return [
        MessageHandler(private & filters.COMMAND, unknown_command),
        MessageHandler(private & ~filters.COMMAND, not_understood),
        MessageHandler(groups & filters.COMMAND, private_only_in_group),
    ]
