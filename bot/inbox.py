"""The inbox worker: updates are stored before they are confirmed, then handled.

Order is kept per lane (chat); different lanes run concurrently, up to a bound. An update
is done when its effect committed or, having none, when it was answered; one that failed
is tried again after a pause (its lane waits, so the chat's order holds), and after the
last attempt the turn parks it and says so.

Among replicas (bot/cluster.py) a worker takes only the lanes of the chats its replica owns,
looks for new ones when the leader says it stored some (and every few seconds), and leaves a
lane whose chat moved to another replica.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections import OrderedDict, deque
from collections.abc import Sequence
from typing import Any

from telegram import Update

from bot.cluster import SOLO, Cluster, Solo, lane_chat
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
FINISHED_KEPT = 4096  # ids of finished updates remembered, so a look at the inbox skips them


class InboxWorker:
    def __init__(
        self,
        app: TurnApplication,
        db: Database,
        *,
        concurrency: int = 32,
        backoff: tuple[float, ...] = BACKOFF,
        cluster: Solo | None = None,
    ) -> None:
        self._app = app
        self._cluster = cluster or SOLO
        # Updates queued or lately finished here: a look at the inbox must not add them again.
        self._queued: set[int] = set()
        self._finished: OrderedDict[int, None] = OrderedDict()
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
        """Hand every update that was stored but not finished to its lane again (among
        replicas: those of the chats this one owns, and not already in hand)."""
        return self._dispatch(await inbox.pending(self._db))

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
        if fresh and self._cluster.replicated:
            await self._cluster.notify("inbox")  # the other replicas take their chats' part
        lanes = {u: lane for u, lane, _ in rows}
        for update in parsed:
            number = update.update_id
            if number in fresh and number in same and self._cluster.owns(lane_chat(lanes[number])):
                self._parsed[number] = update
        self._dispatch(
            [
                InboxItem(update_id=u, lane=lane, payload=p, status="new", attempts=0)
                for u, lane, p in rows
                if u in fresh
            ]
        )
        return len(fresh)

    def _dispatch(self, items: Sequence[InboxItem]) -> int:
        """Queue each update on its lane, unless another replica owns its chat or it is in
        hand here already; how many were queued."""
        queued = 0
        for item in items:
            if not self._cluster.owns(lane_chat(item.lane)):
                continue  # another replica's chat: it takes it
            if item.update_id in self._queued or item.update_id in self._finished:
                continue  # a look at the inbox met it while it was being handed over
            self._queued.add(item.update_id)
            queued += 1
            self._queues.setdefault(item.lane, deque()).append(item)
            if item.lane not in self._tasks:
                self._idle.clear()
                self._tasks[item.lane] = asyncio.create_task(
                    self._run_lane(item.lane), name=f"inbox:{item.lane}"
                )
        return queued

    async def _run_lane(self, lane: str) -> None:
        queue = self._queues[lane]
        try:
            while queue:
                item = queue[0]
                if not self._cluster.owns(lane_chat(lane)):  # the chat moved to another replica
                    for left in queue:
                        self._queued.discard(left.update_id)
                        self._parsed.pop(left.update_id, None)
                    queue.clear()
                    break
                # A chat that just came here: its previous owner may still be finishing a turn.
                if (wait := self._cluster.settle(lane_chat(lane))) > 0:
                    await asyncio.sleep(wait)
                    continue
                async with self._slots:
                    pause = await self._attempt(item)
                if pause is None:
                    queue.popleft()
                    self._queued.discard(item.update_id)
                    self._finished[item.update_id] = None
                    if len(self._finished) > FINISHED_KEPT:
                        self._finished.popitem(last=False)
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

    async def watch(self, every: float = 2.0) -> None:
        """Among replicas: take up what the leader stored for this replica's chats, when told
        (NOTIFY), when chats change hands, and every few seconds whatever happens."""
        assert isinstance(self._cluster, Cluster)
        wake = asyncio.Event()
        self._cluster.listen("inbox", wake.set)
        self._cluster.on_members.append(lambda _members: wake.set())
        while True:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(every):
                    await wake.wait()
            wake.clear()
            try:
                await self.resume()
            except Exception:  # the database is away: the next look tries again
                log.exception("could not look for stored updates")

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
