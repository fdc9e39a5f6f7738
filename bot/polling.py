"""Our own getUpdates loop: an update is in the inbox before its offset is confirmed."""

from __future__ import annotations

import asyncio
import logging

from telegram import Update
from telegram.error import Conflict, InvalidToken, NetworkError, RetryAfter

from bot.context import App
from bot.inbox import InboxWorker
from bot.ratelimit import retry_seconds
from storage import inbox, state
from storage.db import Database

log = logging.getLogger(__name__)

ALLOWED_UPDATES = [
    Update.MESSAGE,
    Update.EDITED_MESSAGE,
    Update.CALLBACK_QUERY,
    Update.MY_CHAT_MEMBER,
]


class Poller:
    def __init__(
        self, app: App, db: Database, worker: InboxWorker, *, timeout: int = 25, limit: int = 100
    ) -> None:
        self._app = app
        self._db = db
        self._worker = worker
        self._timeout = timeout
        self._limit = limit

    async def run(self) -> None:
        """Poll until cancelled; network trouble only delays, it never loses an update."""
        bot = self._app.bot
        await bot.delete_webhook(drop_pending_updates=False)
        stored = await state.get(self._db, inbox.OFFSET_KEY)
        offset = int(stored) if stored else None
        backoff = 1.0
        while True:
            try:
                updates = await bot.get_updates(
                    offset=offset,
                    timeout=self._timeout,
                    limit=self._limit,
                    allowed_updates=ALLOWED_UPDATES,
                )
            except RetryAfter as exc:
                await asyncio.sleep(retry_seconds(exc))
                continue
            except InvalidToken:
                raise
            except (NetworkError, Conflict) as exc:
                log.warning("getUpdates failed (%s); retrying in %.0fs", exc, backoff)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 30.0)
                continue
            backoff = 1.0
            if not updates:
                continue
            next_offset = max(u.update_id for u in updates) + 1
            # Stored and committed first; the next getUpdates(offset=…) then confirms them.
            try:
                await self._worker.accept([u.to_dict() for u in updates], next_offset, updates)
            except Exception:  # the database cannot take them now (disk full, …): ask again
                log.exception("could not store %d update(s); retrying in %.0fs", len(updates), 5)
                await asyncio.sleep(5.0)
                continue
            offset = next_offset
