"""The inbox worker: updates are stored before they are confirmed, then handled.

Order is kept per lane (chat); different lanes run concurrently, up to a bound. An update
is done when its effect committed or, having none, when it was answered; one that failed
is tried again after a pause (its lane waits, so the chat's order holds), and after the
last attempt the turn parks it and says so.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections import deque
from collections.abc import Sequence
from typing import Any

from telegram import Update

from bot.lanes import lane_of
from bot.redact import redact_update
from bot.turns import TurnApplication
from storage import inbox, state
from storage.db import Database
from storage.models import InboxItem
from storage.times import utcnow

log = logging.getLogger(__name__)

# Seconds to wait before each further attempt: an update gets one more attempt than pauses.
BACKOFF = (2.0, 10.0, 30.0)


class InboxWorker:
    def __init__(
        self,
        app: TurnApplication,
        db: Database,
        *,
        concurrency: int = 32,
        backoff: tuple[float, ...] = BACKOFF,
    ) -> None:
        self._app = app
        self._backoff = backoff
        self._db = db
        self._slots = asyncio.Semaphore(concurrency)
        self._queues: dict[str, deque[InboxItem]] = {}
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._idle = asyncio.Event()
        self._idle.set()
        # Updates the poller parsed already, by id, for their first attempt: parsing the
        # stored JSON again cost a fifth of the event loop (bench/pipeline.py --profile).
        self._parsed: dict[int, Update] = {}

    async def resume(self) -> int:
        """Hand every update that was stored but not finished to its lane again."""
        items = await inbox.pending(self._db)
        self._dispatch(items)
        return len(items)

    async def accept(
        self,
        raws: Sequence[dict[str, Any]],
        next_offset: int | None = None,
        parsed: Sequence[Update] = (),
    ) -> int:
        """Store raw updates (and the offset that will confirm them) in one transaction.

        parsed: the same updates as objects, when the caller has them; one whose stored form
        differs (a binding code hashed) is parsed again from what was stored.
        """
        rows = []
        same: set[int] = set()
        for raw in raws:
            clean = redact_update(raw)  # a binding code never rests in clear
            payload = json.dumps(clean, ensure_ascii=False)
            rows.append((int(clean["update_id"]), lane_of(clean), payload))
            if clean is raw:
                same.add(int(raw["update_id"]))
        async with self._db.transaction() as tx:
            fresh = set(await inbox.store(tx, rows, utcnow()))
            if next_offset is not None:
                await state.put(tx, inbox.OFFSET_KEY, str(next_offset))
        for update in parsed:
            if update.update_id in fresh and update.update_id in same:
                self._parsed[update.update_id] = update
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
                    pause = await self._attempt(item)
                if pause is None:
                    queue.popleft()
                else:
                    queue[0] = item.model_copy(update={"attempts": item.attempts + 1})
                    await asyncio.sleep(pause)  # the chat waits: its order holds
        finally:
            del self._tasks[lane]
            if not queue:
                del self._queues[lane]
            if not self._tasks:
                self._idle.set()

    async def _attempt(self, item: InboxItem) -> float | None:
        """Handle once; None when finished (done or parked), else the pause before retrying."""
        final = item.attempts >= len(self._backoff)  # no pause left: this is the last try
        try:
            try:
                update = self._parsed.pop(item.update_id, None) or Update.de_json(
                    json.loads(item.payload), self._app.bot
                )
            except Exception as exc:  # not an update we can read: it will never be
                log.exception("update %s cannot be read; parked", item.update_id)
                async with self._db.transaction() as tx:
                    await inbox.park(tx, item.update_id, repr(exc)[:500], utcnow())
                return None
            turn = await self._app.run_turn(update, durable=True, final=final)
            if turn.error is None and not turn.committed:
                await inbox.mark_done(self._db, item.update_id, utcnow())
            if turn.error is None or turn.committed or final:
                return None
            async with self._db.transaction() as tx:
                await inbox.record_attempt(tx, item.update_id, repr(turn.error)[:500])
        except Exception:  # the bookkeeping itself failed (the disk, say): try again later
            log.exception("update %s: attempt %d could not finish", item.update_id, item.attempts)
        return self._backoff[min(item.attempts, len(self._backoff) - 1)]

    async def drain(self) -> None:
        """Wait until every dispatched update is handled."""
        await self._idle.wait()

    async def stop(self) -> None:
        """Cancel lanes; unfinished updates stay 'new' in the database for the next start."""
        tasks = list(self._tasks.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._parsed.clear()
