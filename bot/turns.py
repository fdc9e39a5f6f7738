"""Each update handled as one turn: one effect, one answer, and a plain word when it fails.

PTB's Application routes a handler's exception to the error handler and then goes on to
the next handler group; here the error handler records the error on the turn and stops the
update (one update, one answer), and the turn decides: an update whose effect committed
keeps it; one that failed before is tried again by the inbox, and after the last attempt
it is parked, the office is told which update and why, and the user that it was not taken.
"""

from __future__ import annotations

import logging
import traceback
from typing import Any

from telegram import Message, Update
from telegram.ext import Application, ExtBot

from bot import texts
from bot.context import Context
from bot.delivery import Courier
from bot.messages import OutMessage, shorten
from bot.services import notify
from bot.services.container import BotData, Services
from bot.services.uow import Turn, current_turn, flush
from storage import inbox
from storage.db import Tx

log = logging.getLogger(__name__)

OFFICE_TRACE_CHARS = 1500


class TurnApplication(
    Application[ExtBot[dict[str, Any]], Context, dict[Any, Any], dict[Any, Any], BotData, Any]
):
    """The Application, with every update run as a turn (see bot.services.uow)."""

    courier: Courier | None = None

    async def process_update(self, update: object) -> None:
        """One update from outside the inbox (tests, PTB internals): a single attempt."""
        if isinstance(update, Update):
            await self.run_turn(update, durable=False, final=True)
        else:
            await super().process_update(update)

    async def run_turn(self, update: Update, *, durable: bool, final: bool) -> Turn:
        """Handle the update; return the turn, which says whether it committed or failed."""
        services = self.bot_data.services
        assert services is not None
        query = update.callback_query
        pressed = query.message if query is not None else None
        turn = Turn(
            update_id=update.update_id,
            chat_id=update.effective_chat.id if update.effective_chat else None,
            durable=durable,
            button_message_id=pressed.message_id if isinstance(pressed, Message) else None,
            clock=services.clock,
            deliver=self.courier.deliver_now if self.courier else None,
        )
        token = current_turn.set(turn)
        try:
            await super().process_update(update)
            if turn.error is not None and turn.committed:
                await self._after_commit_failure(update, turn)
            elif turn.error is not None and final:
                await self.give_up(update, turn)
        finally:
            current_turn.reset(token)
        return turn

    async def give_up(self, update: Update, turn: Turn) -> None:
        """The last attempt failed: park it, tell the office which and why, tell the user."""
        services = self.bot_data.services
        assert services is not None
        error = turn.error
        now = services.clock()
        reason = f"{type(error).__name__}: {shorten(str(error), 200)}" if error else "?"
        async with services.db.transaction() as tx:
            if turn.durable:
                await inbox.park(tx, turn.update_id, reason, now)
            if turn.chat_id is not None:
                snippet = shorten(_text_of(update), 20)
                await _queue_reply(
                    tx,
                    turn,
                    f"giveup:{turn.update_id}",
                    texts.NOT_TAKEN_USER.format(
                        what=f"“{snippet}”" if snippet else "", office=services.config.office.name
                    ),
                )
            # Which update and why; one notice per kind of error per ten minutes, so a
            # storm of one fault does not flood the group (each user is told anyway).
            bucket = int(now.timestamp() // 600)
            text = texts.NOT_TAKEN_OFFICE.format(where=describe(update), error=reason)
            key = f"parked:{type(error).__name__}:{bucket}"
            await notify.to_office(tx, key, "alert", text, now)
        services.kick_outbox()
        await flush(turn)

    async def _after_commit_failure(self, update: Update, turn: Turn) -> None:
        """The effect is kept and confirmed; what failed after it is a bug for the office."""
        services = self.bot_data.services
        assert services is not None
        await report_trace(services, update, turn.error)


async def report_trace(services: Services, update: object, error: BaseException | None) -> None:
    """A trimmed trace to the office group: one per kind of error per ten minutes."""
    now = services.clock()
    trace = "".join(traceback.format_exception(error)) if error else "?"
    bucket = int(now.timestamp() // 600)
    text = texts.ERROR_OFFICE.format(where=describe(update), error=trace[-OFFICE_TRACE_CHARS:])
    async with services.db.transaction() as tx:
        await notify.to_office(tx, f"error:{type(error).__name__}:{bucket}", "alert", text, now)
    services.kick_outbox()


async def _queue_reply(tx: Tx, turn: Turn, key: str, text: str) -> None:
    assert turn.chat_id is not None
    turn._unsent += await notify.enqueue(
        tx, key, turn.chat_id, "reply", OutMessage(text=text), turn.clock()
    )


def _text_of(update: Update) -> str:
    message = update.effective_message
    if update.callback_query is not None:
        return ""
    if message is None:
        return ""
    return message.text or message.caption or ""


def describe(update: object) -> str:
    """Which update, where and from whom, for a log line or the office (no message text)."""
    if not isinstance(update, Update):
        return "（后台任务）"
    parts: list[str] = [f"update {update.update_id}"]
    if update.effective_chat is not None:
        parts.append(f"chat {update.effective_chat.id}")
    if update.effective_user is not None:
        parts.append(f"user {update.effective_user.id}")
    message = update.effective_message
    if update.callback_query is not None:
        parts.append(f"button {update.callback_query.data!r}"[:60])
    elif message is not None and message.text and message.text.startswith("/"):
        parts.append(message.text.split()[0][:30])
    return " · ".join(parts)
