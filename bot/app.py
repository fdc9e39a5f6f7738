"""The one place that wires the house: the Application, its handlers and their order."""

from __future__ import annotations

import logging

from telegram import (
    BotCommand,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
)
from telegram.error import BadRequest, Forbidden
from telegram.ext import ApplicationBuilder, ContextTypes
from telegram.request import BaseRequest, HTTPXRequest

from bot import texts
from bot.context import App, Context
from bot.ratelimit import ChatRateLimiter
from bot.services.container import BotData, Services
from handlers import binding, cancel, common, errors, fallback, groups, start
from storage import people

log = logging.getLogger(__name__)

# Handler groups: lower runs first, and one handler at most fires per group.
REMEMBER = -1  # record people and chats before anything reads them
COMMANDS = 0  # every feature's commands and conversations, then the fallback


def build_application(
    services: Services,
    *,
    limiter: ChatRateLimiter | None = None,
    request: BaseRequest | None = None,
) -> App:
    """Build the Application; no Updater: the inbox fetches updates (see bot.polling)."""
    config = services.config
    context_types = ContextTypes(context=Context, bot_data=BotData)
    builder = (
        ApplicationBuilder()
        .token(config.token())
        .base_url(config.telegram.base_url)
        .base_file_url(config.telegram.file_url)
        .updater(None)
        .context_types(context_types)
        .rate_limiter(limiter or ChatRateLimiter())
    )
    builder = (
        builder.request(request)
        if request
        else builder.request(
            HTTPXRequest(connection_pool_size=64, read_timeout=15, write_timeout=30)
        )
    )
    app: App = builder.build()
    app.bot_data.services = services

    app.add_handler(common.handlers()[0], group=REMEMBER)
    for module in (start, binding, groups, cancel):
        app.add_handlers(module.handlers(), group=COMMANDS)
    # Last in its group: it fires only when no command above matched.
    app.add_handlers(fallback.handlers(), group=COMMANDS)
    app.add_error_handler(errors.on_error)
    return app


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
        try:
            await bot.set_my_commands(
                commands(texts.COMMANDS_ADMIN), scope=BotCommandScopeChat(admin_id)
            )
        except (BadRequest, Forbidden) as exc:  # an admin who never opened a chat with the bot
            log.info("admin commands for %s not published: %s", admin_id, exc.message)
