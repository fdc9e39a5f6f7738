"""The one place that wires the house: the Application, its handlers and their order."""

from __future__ import annotations

from typing import cast

from telegram.ext import ApplicationBuilder, ContextTypes
from telegram.request import BaseRequest

from bot.context import App, Context
from bot.delivery import Courier
from bot.http import AiohttpRequest
from bot.ratelimit import ChatRateLimiter
from bot.services.container import BotData, Services
from bot.turns import TurnApplication
from handlers import (
    binding,
    cancel,
    common,
    digest,
    errors,
    fallback,
    groups,
    guard,
    ledger_export,
    ledger_import,
    ledger_views,
    names,
    notice,
    office_waits,
    report_commands,
    report_flow,
    review,
    start,
    transfer,
)

# Handler groups: lower runs first, and one handler at most fires per group.
GUARD = -2  # a button pressed where it was not offered goes no further
REMEMBER = -1  # record people and chats before anything reads them
CONVERSATIONS = 0  # a contact's draft, reply or quick report; stops the update when it takes it
OFFICE_ANSWERS = 1  # an admin's answer to an open question (notice content, a reason)
NAME_ANSWERS = 2  # 姓名 and 职务 after /bind: after a report, so a quick report is never a name
COMMANDS = 3  # every feature's commands and buttons, then the fallback


def build_application(
    services: Services,
    *,
    limiter: ChatRateLimiter | None = None,
    request: BaseRequest | None = None,
    updates_request: BaseRequest | None = None,
) -> App:
    """Build the Application; no Updater: the inbox fetches updates (see bot.polling)."""
    config = services.config
    limiter = limiter or ChatRateLimiter()
    context_types = ContextTypes(context=Context, bot_data=BotData)
    builder = (
        ApplicationBuilder()
        .application_class(TurnApplication)
        .token(config.token())
        .base_url(config.telegram.base_url)
        .base_file_url(config.telegram.file_url)
        .updater(None)
        .context_types(context_types)
        .rate_limiter(limiter)
        .request(request or AiohttpRequest(connection_pool_size=64))
        .get_updates_request(updates_request or AiohttpRequest(connection_pool_size=1))
    )
    app = cast(App, builder.build())
    app.bot_data.services = services
    app.courier = Courier(app, services.db, clock=services.clock, limiter=limiter)
    services.kick_outbox = app.courier.kick.set

    app.add_handlers(guard.handlers(), group=GUARD)
    app.add_handler(common.handlers()[0], group=REMEMBER)
    app.add_handlers(report_flow.handlers(), group=CONVERSATIONS)
    app.add_handlers(office_waits.handlers(), group=OFFICE_ANSWERS)
    app.add_handlers(names.handlers(), group=NAME_ANSWERS)
    features = (
        start,
        binding,
        groups,
        cancel,
        ledger_import,
        ledger_views,
        ledger_export,
        report_commands,
        notice,
        review,
        transfer,
        digest,
    )
    for module in features:
        app.add_handlers(module.handlers(), group=COMMANDS)
    # Last in its group: it fires only when no command above matched.
    app.add_handlers(fallback.handlers(), group=COMMANDS)
    app.add_error_handler(errors.on_error)
    return app
