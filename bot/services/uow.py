"""The unit of work of one update: its one effectful transaction also marks it done."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from contextvars import ContextVar

from storage import inbox
from storage.db import Database, Tx
from storage.times import utcnow

# Set by the inbox worker while an update is processed; the handlers run in that task.
current_update_id: ContextVar[int | None] = ContextVar("current_update_id", default=None)
# The update whose effect this task has already committed: a second effect is a bug.
_claimed: ContextVar[int | None] = ContextVar("claimed_update_id", default=None)


class AlreadyHandledError(Exception):
    """The update's effect is already in the database; doing it again would double it."""


@asynccontextmanager
async def effect(db: Database) -> AsyncIterator[Tx]:
    """Open the transaction that carries an update's effect and claims the update.

    Committing the effect and marking the update done together is what makes a
    crash between the two impossible: a restart either redoes both or neither.
    """
    async with db.transaction() as tx:
        update_id = current_update_id.get()
        if update_id is not None and not await inbox.claim_done(tx, update_id, utcnow()):
            if _claimed.get() == update_id:
                raise RuntimeError("an update may have one effect: its second would not be atomic")
            raise AlreadyHandledError(update_id)
        yield tx
    if update_id is not None:
        _claimed.set(update_id)
