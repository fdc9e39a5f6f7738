"""The one error handler: log with context, tell the office, apologise to the user."""

from __future__ import annotations

import html
import logging
import traceback
from typing import Any

from telegram import Update
from telegram.error import TelegramError

from bot import texts
from bot.context import Context
from bot.messages import OutMessage
from bot.render import send
from bot.services import notify
from bot.services.uow import AlreadyHandledError

log = logging.getLogger(__name__)

OFFICE_TRACE_CHARS = 1500


async def on_error(update: object, ctx: Context) -> None:
    """Handle what no handler caught; never let it reach the user as a traceback."""
    error = ctx.error
    if isinstance(error, AlreadyHandledError):
        log.info("update %s was already handled; skipped", error)
        return
    where = _describe(update)
    log.error("error while handling %s", where, exc_info=error)
    svc = ctx.svc
    now = svc.clock()
    trace = "".join(traceback.format_exception(error)) if error else "?"
    trimmed = html.unescape(trace[-OFFICE_TRACE_CHARS:])
    # One office notice per kind of error per ten minutes, so a storm does not flood the group.
    bucket = int(now.timestamp() // 600)
    key = f"error:{type(error).__name__}:{bucket}"
    async with svc.db.transaction() as tx:
        await notify.to_office(
            tx, key, "alert", texts.ERROR_OFFICE.format(where=where, error=trimmed), now
        )
    svc.kick_outbox()
    if isinstance(update, Update) and update.effective_chat is not None:
        try:
            await send(
                ctx.bot,
                update.effective_chat.id,
                OutMessage(text=texts.ERROR_USER.format(office=svc.config.office.name)),
            )
        except TelegramError:
            log.warning("could not tell chat %s about the error", update.effective_chat.id)


def _describe(update: object) -> str:
    if not isinstance(update, Update):
        return "（后台任务）"
    parts: list[Any] = [f"update {update.update_id}"]
    if update.effective_chat is not None:
        parts.append(f"chat {update.effective_chat.id}")
    if update.effective_user is not None:
        parts.append(f"user {update.effective_user.id}")
    if update.effective_message is not None and update.effective_message.text:
        parts.append(repr(update.effective_message.text[:80]))
    return " · ".join(str(p) for p in parts)
