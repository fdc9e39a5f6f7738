"""The unit of work of one update (a turn): its one effect, and the replies that confirm it.

An update's effect and the message that confirms it (a receipt, a binding, a decision)
are written in one transaction, which also marks the update done when it came from the
inbox. A crash therefore loses both or neither; the reply is an outbox row, sent right
after the commit and, if that fails or the process dies first, by the outbox later.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from bot.clock import Clock, system_clock
from bot.messages import Button, OutMessage
from bot.services import notify
from storage import inbox, state
from storage.db import Database, Tx

Deliver = Callable[[list[int]], Awaitable[None]]


@dataclass
class Turn:
    """One update being handled, as the core sees it: no platform object in here."""

    update_id: int
    chat_id: int | None  # where replies go
    durable: bool = False  # it came from the inbox: its effect marks the inbox row done
    button_message_id: int | None = None  # the message whose button was pressed
    retire_buttons: bool = False  # its effect takes that message's keyboard off
    answered: OutMessage | None = None  # … and shows the answer in its place (text, buttons)
    settles: list[str] = field(default_factory=list)  # open questions its effect answers
    clock: Clock = system_clock
    deliver: Deliver | None = None  # sends outbox rows now; set by the platform adapter
    committed: bool = False
    error: BaseException | None = None
    _replies: int = 0
    _unsent: list[int] = field(default_factory=list)


current_turn: ContextVar[Turn | None] = ContextVar("current_turn", default=None)
_open: ContextVar[tuple[Tx, Turn | None] | None] = ContextVar("open_effect", default=None)


class AlreadyHandledError(Exception):
    """The update's effect is already in the database; doing it again would double it."""


@asynccontextmanager
async def effect(db: Database) -> AsyncIterator[Tx]:
    """Open the transaction that carries an update's effect (and claims the update).

    Replies made with `reply()` inside the block are written in the same transaction and
    delivered once it has committed.
    """
    turn = current_turn.get()
    async with db.transaction() as tx:
        if turn is not None:
            if turn.committed:
                raise RuntimeError("an update may have one effect: its second would not be atomic")
            if turn.durable and not await inbox.claim_done(tx, turn.update_id, turn.clock()):
                raise AlreadyHandledError(turn.update_id)
        token = _open.set((tx, turn))
        try:
            if turn is not None:
                for key in turn.settles:  # the question this effect answers is closed with it
                    await state.delete(tx, key)
                if turn.retire_buttons:
                    await unbutton()  # first, so the next question comes after it
            yield tx
        finally:
            _open.reset(token)
    if turn is not None:
        turn.committed = True
        await flush(turn)


async def reply(message: OutMessage | str) -> None:
    """Answer the update as part of its effect: durable with it, sent after the commit."""
    opened = _open.get()
    if opened is None:
        raise RuntimeError("reply() belongs inside an effect() block")
    tx, turn = opened
    if turn is None or turn.chat_id is None:
        return  # a command-line run: nobody to answer
    value = OutMessage(text=message) if isinstance(message, str) else message
    turn._replies += 1
    ids = await notify.enqueue(
        tx, f"reply:{turn.update_id}:{turn._replies}", turn.chat_id, "reply", value, turn.clock()
    )
    turn._unsent += ids


async def unbutton() -> None:
    """Take the keyboard off the message whose button was pressed (after the commit).

    When the turn says what was answered, the message shows it instead: a prompt keeps the
    answer it was given, a review card the decision and who made it.
    """
    opened = _open.get()
    turn = opened[1] if opened else None
    if turn is not None and turn.button_message_id is not None:
        shown = turn.answered or OutMessage(text="")
        await reply(shown.model_copy(update={"edit_message_id": turn.button_message_id}))


def settle(key: str) -> None:
    """This update answers the open question under `key`: its effect closes it."""
    turn = current_turn.get()
    if turn is not None:
        turn.settles.append(key)


def retire_buttons(
    answered: str | None = None,
    *,
    buttons: tuple[tuple[Button, ...], ...] = (),
    message_id: int | None = None,
) -> None:
    """The pressed message's keyboard comes off with this update's effect (not before it).

    answered: the message's new text, showing the answer (else only the keyboard goes);
    buttons: the ones it keeps; message_id: another message of the bot's in this chat (a
    card whose decision came by a typed reason rather than by its button).
    """
    turn = current_turn.get()
    if turn is not None:
        turn.retire_buttons = True
        if message_id is not None:
            turn.button_message_id = message_id
        if answered:
            turn.answered = OutMessage(text=answered, buttons=buttons)


async def flush(turn: Turn) -> None:
    """Send the turn's committed replies now; what fails stays queued for the outbox."""
    ids, turn._unsent = turn._unsent, []
    if ids and turn.deliver is not None:
        await turn.deliver(ids)
