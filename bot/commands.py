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
from bot.services.access import Actor, load_actor
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
    # Each bound person's own list; bootstrap admins get theirs when they first /start.
    for tg_user_id in await people.bound_user_ids(services.db):
        actor = await load_actor(services.db, tg_user_id, services.config.office.admins)
        await publish_personal_commands(bot, actor)


def commands_for(actor: Actor) -> list[tuple[str, str]]:
    """The commands this person may use, as /help lists them and their menu shows them."""
    if actor.is_admin:
        return list(texts.COMMANDS_ADMIN)
    if actor.is_leader:
        return [*texts.COMMANDS_PRIVATE, *texts.COMMANDS_LEADER]
    if actor.contact_role is not None:
        return [*texts.COMMANDS_PRIVATE, *texts.COMMANDS_CONTACT]
    return list(texts.COMMANDS_PRIVATE)


async def publish_personal_commands(bot: ExtBot[dict[str, Any]], actor: Actor) -> None:
    """Give one bound person their role's command list in their private chat."""
    commands = [BotCommand(name, desc) for name, desc in commands_for(actor)]
    try:
        await bot.set_my_commands(commands, scope=BotCommandScopeChat(actor.tg_user_id))
    except (BadRequest, Forbidden) as exc:  # someone who never opened a chat with the bot
        log.info("commands for %s not published: %s", actor.tg_user_id, exc.message)
