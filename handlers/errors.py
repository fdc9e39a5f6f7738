"""The one error handler: log with context, stop the update, let its turn decide what next."""

from __future__ import annotations

import logging

from telegram.ext import ApplicationHandlerStop

from bot.context import Context
from bot.services.uow import AlreadyHandledError, current_turn
from bot.turns import describe, report_trace

log = logging.getLogger(__name__)


async def on_error(update: object, ctx: Context) -> None:
    """Handle what no handler caught; never let it reach the user as a traceback.

    For an update, no later handler group may answer it too (one update, one answer): the
    error is kept on the turn, which retries it or, at the last attempt, says it was not
    taken (bot.turns). For a background job, the office is told.
    """
    error = ctx.error
    turn = current_turn.get()
    if isinstance(error, AlreadyHandledError):
        log.info("update %s was already handled; skipped", error)
        raise ApplicationHandlerStop
    log.error("error while handling %s", describe(update), exc_info=error)
    if turn is not None:
        turn.error = error
        raise ApplicationHandlerStop
    await report_trace(ctx.svc, update, error)
