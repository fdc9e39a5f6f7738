"""Publishing the command lists per scope, with Chinese descriptions."""

from __future__ import annotations

import logging
from typing import Any

from telegram import (
    BotCommand,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
)
from telegram.error import BadRequest, Forbidden
from telegram.ext import ExtBot

from bot import texts
from bot.context import App
from storage import people

log = logging.getLogger(__name__)


async def publish_commands(app: App) -> None:
    """Publish the command lists per scope, with Chinese descriptions."""
    services = app.bot_data.services
    assert services is not None
    bot = app.bot

    def commands(pairs: list[tuple[str, str]]) -> list[BotCommand]:
        return [BotCommand(name, desc) for name, desc in pairs]

    await bot.set_my_commands(
        commands(texts.COMMANDS_PRIVATE), scope=BotCommandScopeAllPrivateChats()
    )
    await bot.set_my_commands(commands(texts.COMMANDS_GROUP), scope=BotCommandScopeAllGroupChats())
    admin_ids = set(services.config.office.admins)
    admin_ids |= {p.tg_user_id for p in await people.with_role(services.db, "admin")}
    for admin_id in sorted(admin_ids):
        await publish_admin_commands(bot, admin_id)


async def publish_admin_commands(bot: ExtBot[dict[str, Any]], admin_id: int) -> None:
    """Give one admin the admin command list in their private chat."""
    commands = [BotCommand(name, desc) for name, desc in texts.COMMANDS_ADMIN]
    try:
        await bot.set_my_commands(commands, scope=BotCommandScopeChat(admin_id))
    except (BadRequest, Forbidden) as exc:  # an admin who never opened a chat with the bot
        log.info("admin commands for %s not published: %s", admin_id, exc.message)
