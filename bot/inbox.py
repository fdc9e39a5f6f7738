"""The inbox worker: updates are stored before they are confirmed, then handled.

Order is kept per lane (chat); different lanes run concurrently, up to a bound.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections import deque
from collections.abc import Sequence
from typing import Any

from telegram import Update

from bot.context import App
from bot.lanes import lane_of
from bot.services.uow import current_update_id
from storage import inbox, state
from storage.db import Database
from storage.models import InboxItem
from storage.times import utcnow

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 3


class InboxWorker:
    def __init__(self, app: App, db: Database, *, concurrency: int = 32) -> None:
        self._app = app
        self._db = db
        self._slots = asyncio.Semaphore(concurrency)
        self._queues: dict[str, deque[InboxItem]] = {}
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._idle = asyncio.Event()
        self._idle.set()

    async def resume(self) -> int:
        """Hand every update that was stored but not finished to its lane again."""
        items = await inbox.pending(self._db)
        self._dispatch(items)
        return len(items)

    async def accept(self, raws: Sequence[dict[str, Any]], next_offset: int | None = None) -> int:
        """Store raw updates (and the offset that will confirm them) in one transaction."""
        rows = [(int(r["update_id"]), lane_of(r), json.dumps(r, ensure_ascii=False)) for r in raws]
        async with self._db.transaction() as tx:
            fresh = set(await inbox.store(tx, rows, utcnow()))
            if next_offset is not None:
                await state.put(tx, inbox.OFFSET_KEY, str(next_offset))
        self._dispatch(
            [
                InboxItem(update_id=u, lane=lane, payload=p, status="new", attempts=0)
                for u, lane, p in rows
                if u in fresh
            ]
        )
        return len(fresh)

    def _dispatch(self, items: Sequence[InboxItem]) -> None:
        for item in items:
            self._queues.setdefault(item.lane, deque()).append(item)
            if item.lane not in self._tasks:
                self._idle.clear()
                self._tasks[item.lane] = asyncio.create_task(
                    self._run_lane(item.lane), name=f"inbox:{item.lane}"
                )

    async def _run_lane(self, lane: str) -> None:
        queue = self._queues[lane]
        try:
            while queue:
                item = queue[0]
                async with self._slots:
                    await self._handle(item)
                queue.popleft()
        finally:
            del self._tasks[lane]
            if not queue:
                del self._queues[lane]
            if not self._tasks:
                self._idle.set()

    async def _handle(self, item: InboxItem) -> None:
        token = current_update_id.set(item.update_id)
        try:
            update = Update.de_json(json.loads(item.payload), self._app.bot)
            await self._app.process_update(update)
        except Exception as exc:  # a poison update must not stop its lane or others
            log.exception("update %s could not be handled", item.update_id)
            async with self._db.transaction() as tx:
                await inbox.record_attempt(
                    tx, item.update_id, repr(exc)[:500], item.attempts + 1 >= MAX_ATTEMPTS, utcnow()
                )
            return
        finally:
            current_update_id.reset(token)
        # Handlers that changed something already claimed the update in their transaction.
        async with self._db.transaction() as tx:
            await inbox.claim_done(tx, item.update_id, utcnow())

    async def drain(self) -> None:
        """Wait until every dispatched update is handled."""
        await self._idle.wait()

    async def stop(self) -> None:
        """Cancel lanes; unfinished updates stay 'new' in the database for the next start."""
        tasks = list(self._tasks.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
