"""Delivering outbox rows: one row at a time through a courier, paced within Telegram's limits.

The sender keeps at most one message in flight per chat, so a chat's messages keep their
order and a slow or paused chat never holds up another. A turn's replies are delivered
by the same courier right after their commit, at the reply pace; what fails there stays
queued and the sender takes it up.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging

from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from bot import texts
from bot.clock import Clock, system_clock
from bot.cluster import SOLO, Solo
from bot.context import App
from bot.messages import OutMessage, shorten
from bot.ratelimit import ChatRateLimiter, retry_seconds
from bot.render import send
from bot.services import notify
from storage import chats, outbox
from storage.db import Database, Tx
from storage.models import OutboxItem

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
BACKOFF_CAP = 300.0


class Courier:
    """Sends one outbox row and records what became of it."""

    def __init__(
        self,
        app: App,
        db: Database,
        *,
        clock: Clock = system_clock,
        limiter: ChatRateLimiter | None = None,
    ) -> None:
        self._app = app
        self._db = db
        self._clock = clock
        self._limiter = limiter
        self.kick: asyncio.Event = asyncio.Event()

    @property
    def cluster(self) -> Solo:
        return self._limiter.cluster if self._limiter is not None else SOLO

    async def deliver_now(self, ids: list[int]) -> None:
        """A turn's replies, right after their commit; never raises (the sender retries).
        A reply to a chat another replica owns is left to it, and it is woken."""
        for item_id in ids:
            try:
                item = await outbox.get(self._db, item_id)
                if item is not None and not self.cluster.owns(item.chat_id):
                    await self.cluster.notify("outbox")
                elif item is not None and item.status == "pending":
                    await self.deliver(item, outbox_pace=False)
            except Exception:
                log.exception("reply %s could not be delivered now; the outbox will retry", item_id)
                self.kick.set()

    async def deliver(self, item: OutboxItem, *, outbox_pace: bool) -> None:
        """Claim the row (it must be next in its chat), send it, record the outcome."""
        message = OutMessage.model_validate_json(item.payload)
        if self._limiter is not None and message.edit_message_id is None:
            await self._limiter.ready(item.chat_id, outbox=outbox_pace)
        async with self._db.transaction() as tx:
            if not await outbox.start_sending(tx, item.id, self.cluster.me):
                self.kick.set()  # something before it in that chat goes first
                return
        try:
            sent = await send(
                self._app.bot, item.chat_id, message, outbox=outbox_pace, item=item.id
            )
        except RetryAfter as exc:
            wait = retry_seconds(exc)
            await self._later(item, wait, f"429 retry after {wait:.0f}s", count=False)
        except Forbidden as exc:
            await self._unreachable(item, exc.message)
        except TimedOut as exc:
            # It may have arrived: sending again could double it. An admin decides.
            await self._uncertain(item, f"timed out: {exc.message}")
        except BadRequest as exc:
            await self._refused(item, message, exc.message)
        except NetworkError as exc:
            if item.attempts + 1 >= MAX_ATTEMPTS:
                await self._finish(item, "failed", f"gave up: {exc.message}")
            else:
                backoff = min(2.0 ** (item.attempts + 1), BACKOFF_CAP)
                await self._later(item, backoff, exc.message, count=True)
        except Exception as exc:
            log.exception("outbox %s failed", item.key)
            await self._finish(item, "failed", repr(exc)[:300])
        else:
            async with self._db.transaction() as tx:
                message_id = sent.message_id if sent is not None else None
                await outbox.mark_sent(tx, item.id, message_id, self._clock())

    async def _later(self, item: OutboxItem, seconds: float, error: str, *, count: bool) -> None:
        async with self._db.transaction() as tx:
            due = self._clock().timestamp() + seconds
            await outbox.retry_later(tx, item.id, due, error, count)
        self.kick.set()

    async def _finish(self, item: OutboxItem, status: str, error: str) -> None:
        async with self._db.transaction() as tx:
            await outbox.finish(tx, item.id, status, error)

    async def _refused(self, item: OutboxItem, message: OutMessage, reason: str) -> None:
        """A permanent 400: it will never go. The office hears why, once per batch and reason."""
        log.error("outbox %s refused by Telegram: %s", item.key, reason)
        async with self._db.transaction() as tx:
            await outbox.finish(tx, item.id, "failed", f"400: {reason}")
            if message.edit_message_id is not None or item.kind == "alert":
                return  # an edit of an old message, or an alert about an alert: only noise
            title = await _title(tx, item.chat_id)
            head = shorten(message.text.split("\n", 1)[0], 40)
            text = texts.REFUSED_OFFICE.format(title=title, head=head, reason=reason)
            batch = item.key.split("@", 1)[0].split("#", 1)[0]
            await notify.to_office(
                tx, f"refused:{batch}:{reason[:60]}", "alert", text, self._clock()
            )
        self.kick.set()

    async def _unreachable(self, item: OutboxItem, reason: str) -> None:
        """403: the bot was blocked or removed. Stop writing there and tell the office."""
        now = self._clock()
        async with self._db.transaction() as tx:
            await outbox.finish(tx, item.id, "failed", f"403: {reason}")
            newly = await chats.deactivate(tx, item.chat_id, reason, now)
            await outbox.skip_chat(tx, item.chat_id, f"chat inactive: {reason}")
            office = await chats.office(tx)
            if newly and office is not None and office.chat_id != item.chat_id:
                title = await _title(tx, item.chat_id)
                await notify.to_office(
                    tx,
                    f"inactive:{item.chat_id}:{item.id}",
                    "alert",
                    texts.CHAT_INACTIVE_OFFICE.format(title=title, reason=reason),
                    now,
                )
        self.kick.set()

    async def _uncertain(self, item: OutboxItem, error: str) -> None:
        """A timed-out send may have arrived: not sent again; the office is told to check."""
        async with self._db.transaction() as tx:
            await outbox.finish(tx, item.id, "uncertain", error)
            await self.tell_office(tx, [item], texts.UNCERTAIN_TIMEOUT)
        warn_uncertain([item], error)

    async def tell_office(self, tx: Tx, items: list[OutboxItem], why: str) -> None:
        for item in items:
            if item.kind == "alert":
                continue  # an alert about an alert would only add noise
            message = OutMessage.model_validate_json(item.payload)
            if message.edit_message_id is not None:
                continue  # a keyboard that may still be on an old message: nothing to check
            head = message.text.split("\n", 1)[0][:40]
            title = await _title(tx, item.chat_id)
            text = texts.UNCERTAIN_OFFICE.format(why=why, title=title, head=head)
            await notify.to_office(tx, f"uncertain:{item.id}", "alert", text, self._clock())


async def _title(tx: Tx, chat_id: int) -> str:
    """A chat as the office reads it: its title, or its id when it has none."""
    chat = await chats.get(tx, chat_id)
    return chat.title if chat and chat.title else str(chat_id)


def warn_uncertain(items: list[OutboxItem], error: str) -> int:
    if items:
        log.warning("%d outbox message(s) may not have arrived (%s)", len(items), error)
    return len(items)


class OutboxSender:
    """The loop that sends what is due, one message in flight per chat."""

    def __init__(
        self,
        courier: Courier,
        db: Database,
        limiter: ChatRateLimiter,
        *,
        clock: Clock = system_clock,
        concurrency: int = 16,
    ) -> None:
        self._courier = courier
        self._clock = clock
        self._db = db
        self._limiter = limiter
        self._slots = asyncio.Semaphore(concurrency)
        self._in_flight: dict[int, asyncio.Task[None]] = {}

    @property
    def busy(self) -> bool:
        """A send is in flight."""
        return bool(self._in_flight)

    def kick(self) -> None:
        """Something was queued: look now rather than at the next timed check."""
        self._courier.kick.set()

    async def run(self) -> None:
        """Send until cancelled; a failing database or network only delays, never stops it."""
        wake = self._courier.kick
        while True:
            wake.clear()
            try:
                pause = await self._dispatch_due()
            except Exception:
                log.exception("outbox check failed; trying again shortly")
                pause = 5.0
            # asyncio.timeout, not wait_for: on 3.11 wait_for can swallow a cancellation.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(pause):
                    await wake.wait()

    async def _dispatch_due(self) -> float:
        """Start a send for each chat that is ready; return how long to sleep."""
        now = self._clock().timestamp()
        cluster = self._courier.cluster
        # Among replicas most due chats are others': look far enough to find this one's.
        items = await outbox.due(self._db, now, limit=int(200 / cluster.share))
        pause = 1.0
        for item in items:
            if item.chat_id in self._in_flight or not cluster.owns(item.chat_id):
                continue
            wait = self._limiter.delay(item.chat_id, outbox=True)
            if wait > 0:
                pause = min(pause, wait)
                continue
            task = asyncio.create_task(self._send(item), name=f"outbox:{item.id}")
            self._in_flight[item.chat_id] = task
            task.add_done_callback(functools.partial(self._done, item.chat_id))
        upcoming = await outbox.next_due_ts(self._db)
        if upcoming is not None and upcoming > now:
            pause = min(pause, upcoming - now)
        return max(pause, 0.01)

    def _done(self, chat_id: int, task: asyncio.Task[None]) -> None:
        self._in_flight.pop(chat_id, None)
        if not task.cancelled() and task.exception() is not None:
            log.error("outbox send failed", exc_info=task.exception())
        self.kick()

    async def _send(self, item: OutboxItem) -> None:
        async with self._slots:
            await self._courier.deliver(item, outbox_pace=True)

    async def recover(self) -> int:
        """At start: sort out the sends a crash cut off.

        One that never left the process (it was waiting for its turn under the pace: the
        send journal has no record of it going out) is simply queued again. One that went
        out may have arrived: Telegram offers no way to ask, so it is marked uncertain, never
        resent blindly, and the office is told to check.
        """
        cluster = self._courier.cluster
        async with self._db.transaction() as tx:
            items = await outbox.interrupted(tx)
            if cluster.replicated:  # a dead replica's, in the chats this one owns now
                items = [
                    i for i in items if not cluster.alive(i.claimed_by) and cluster.owns(i.chat_id)
                ]
                went = await cluster.went_out([i.id for i in items])
            else:
                went = self._limiter.went_out([i.id for i in items])
            doubtful = [i for i in items if went is None or i.id in went]
            for item in items:
                if item in doubtful:
                    await outbox.finish(tx, item.id, "uncertain", "interrupted while sending")
                else:
                    await outbox.retry_later(tx, item.id, 0.0, "interrupted before it went", False)
            await self._courier.tell_office(tx, doubtful, texts.UNCERTAIN_CRASH)
        if items:
            self.kick()
        return warn_uncertain(doubtful, "interrupted while sending")

    async def stop(self, grace: float = 10.0) -> None:
        """Let sends in flight finish (cancelling one would leave its fate unknown)."""
        tasks = list(self._in_flight.values())
        if tasks:
            _done, pending = await asyncio.wait(tasks, timeout=grace)
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
