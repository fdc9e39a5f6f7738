"""Running the bot: database, application, inbox, outbox, and polling or webhook.

On PostgreSQL several processes may run on one database (bot/cluster.py): each handles
updates and sends for the chats it owns; the leader alone also polls, runs the duty clock,
the command sweep and the group robots, and another takes these up when it dies.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Awaitable, Callable, Coroutine
from types import TracebackType
from typing import Any

from telegram.error import TelegramError

from bot.app import build_application
from bot.clock import Clock, system_clock
from bot.cluster import SOLO, Cluster, Solo
from bot.command_sweep import CommandSweep
from bot.commands import publish_defaults
from bot.config import Config
from bot.context import App
from bot.delivery import OutboxSender
from bot.http import AiohttpRequest
from bot.inbox import BACKOFF, InboxWorker
from bot.polling import Poller
from bot.ratelimit import ChatRateLimiter, Pace
from bot.robots.outbox import RobotSender
from bot.services.container import Services
from bot.services.duties.runner import DutyRunner
from storage import sends
from storage.db import Database
from storage.migrations import open_database

log = logging.getLogger(__name__)


SWITCH_INTERVAL = 0.001  # seconds
OWED_AFTER = 1.0  # seconds between a tick that left a due step and the one that does it
RECOVER_EVERY = 30.0  # seconds between looks for a dead replica's half-done sends


class Runtime:
    """The running bot; `async with Runtime(config):` starts it and stops it cleanly."""

    def __init__(
        self,
        config: Config,
        *,
        clock: Clock = system_clock,
        pace: Pace | None = None,
        poll_timeout: int = 25,
        read_timeout: float = 15.0,
        retry_backoff: tuple[float, ...] = BACKOFF,
    ) -> None:
        self.config = config
        self._retry_backoff = retry_backoff
        self._clock = clock
        self._ticking = asyncio.Lock()
        self._pace = pace or Pace()
        self._poll_timeout = poll_timeout
        self._read_timeout = read_timeout
        self._tasks: list[asyncio.Task[None]] = []
        self.chores: list[asyncio.Task[None]] = []  # may end without ending the bot (tests wait)
        self._closers: list[Callable[[], Awaitable[None]]] = []
        self.db: Database
        self.app: App
        self.worker: InboxWorker
        self.sender: OutboxSender
        self.robots: RobotSender
        self.services: Services
        self.duties: DutyRunner

    async def start(self) -> None:
        # The duty clock builds a morning's thousand to-dos and draws the weekly chart in
        # worker threads; handing the interpreter back to the event loop every millisecond
        # (not every 5) keeps users' replies quick meanwhile.
        sys.setswitchinterval(SWITCH_INTERVAL)
        self.db = await open_database(self.config.storage.target)
        self.cluster = self._cluster_on(self.db)
        self.services = Services(config=self.config, db=self.db, clock=self._clock)
        # The pace outlives the process: the last minute's sends are in a journal of their own,
        # a local file on SQLite; among replicas, the table they share (chat_sends) is it.
        self._sends = (
            None if self.cluster.replicated else sends.open_at(self.config.storage.journal_path)
        )
        limiter = ChatRateLimiter(self._pace, journal=self._sends, cluster=self.cluster)
        self._limiter = limiter
        if isinstance(self.cluster, Cluster):  # after the limiter: it hears of others' sends
            await self.cluster.join()
        request = AiohttpRequest(connection_pool_size=64, read_timeout=self._read_timeout)
        updates = AiohttpRequest(connection_pool_size=1)
        self.app = build_application(
            self.services, limiter=limiter, request=request, updates_request=updates
        )
        self.worker = InboxWorker(
            self.app, self.db, backoff=self._retry_backoff, cluster=self.cluster
        )
        assert self.app.courier is not None
        self.sender = OutboxSender(self.app.courier, self.db, limiter, clock=self._clock)
        try:
            await self.app.initialize()  # asks Telegram who we are: a bad token fails here
        except BaseException:
            # PTB leaves its requests open when getMe fails; close them, or their sessions
            # complain on the way out after the one line that says what went wrong.
            await request.shutdown()
            await updates.shutdown()
            raise
        await self.app.start()
        await self.sender.recover()
        resumed = await self.worker.resume()
        if resumed:
            log.info("resuming %d update(s) stored before the last stop", resumed)
        self._spawn(self.sender.run(), "outbox")
        if isinstance(self.cluster, Cluster):
            cluster = self.cluster
            self._spawn(cluster.run(), "cluster")
            self._spawn(self.worker.watch(), "inbox-watch")
            cluster.listen("outbox", self.sender.kick)
            local_kick = self.services.kick_outbox

            def kick_all() -> None:  # what a turn queued may be for another replica's chats
                local_kick()
                self._later(cluster.notify("outbox"), "notify")

            self.services.kick_outbox = kick_all
            # A replica that died left sends half done in the chats that are this one's now.
            cluster.on_members.append(lambda _m: self._later(self.sender.recover(), "recover"))
            # …and a look that failed (the database away for a moment) is made again.
            self._spawn(self._recover_every(RECOVER_EVERY), "recover")
            if cluster.leader:  # elected at join, as the first or only replica is
                await self._lead()
            else:
                self._spawn(self._lead_when_elected(cluster), "leader")
        else:
            await self._lead()
        if self.config.telegram.mode == "webhook":  # last: Telegram posts its backlog at once
            from bot.webhook import WebhookServer

            server = WebhookServer(self.app, self.config.telegram, self.worker)
            await server.start()  # every replica may take Telegram's posts
            self._closers.append(server.stop)

    async def _recover_every(self, seconds: float) -> None:
        while True:
            await asyncio.sleep(seconds)
            try:
                await self.sender.recover()
            except Exception:
                log.warning("could not look for a dead replica's sends", exc_info=True)

    def _cluster_on(self, db: Database) -> Solo:
        """On PostgreSQL this process is a replica among others; on SQLite it is alone."""
        if db.dialect != "postgresql":
            return SOLO
        from storage.postgres import PostgresDatabase

        assert isinstance(db, PostgresDatabase)
        return Cluster(db)

    async def _lead_when_elected(self, cluster: Cluster) -> None:
        """Wait to be elected; then lead until the process ends (or a leader's loop fails:
        that ends the process, as it would alone)."""
        await cluster.became_leader.wait()
        before = len(self._tasks)
        await self._lead()
        await asyncio.gather(*self._tasks[before:], asyncio.Event().wait())

    def _later(self, work: Coroutine[Any, Any, Any], name: str) -> None:
        """A small job in the background; forgotten once done."""
        task = asyncio.create_task(work, name=name)
        self.chores.append(task)
        task.add_done_callback(self._forget)

    def _forget(self, task: asyncio.Task[Any]) -> None:
        if task in self.chores:
            self.chores.remove(task)
        if not task.cancelled() and task.exception() is not None:
            log.warning("%s failed", task.get_name(), exc_info=task.exception())

    async def _lead(self) -> None:
        """What exactly one process does: poll, run the duty clock, sweep, push to robots."""
        # Two calls at most; each person's own list follows in the background (below).
        try:
            await publish_defaults(self.app.bot, self.db)
        except TelegramError as exc:  # the menus are a nicety: start anyway, retry next start
            log.warning("default command lists not published: %s", exc)
        # Group robots in other platforms (push only), when configured: their own sender.
        self.robots = RobotSender(
            self.db,
            self.config.channels,
            clock=self._clock,
            tz=self.config.schedule.timezone,
        )
        await self.robots.recover()
        if self.robots.on:
            self._spawn(self.robots.run(), "robots")
            telegram_kick = self.services.kick_outbox

            def kick_both() -> None:  # a turn that queued a notice wakes both senders
                telegram_kick()
                self.robots.kick()

            self.services.kick_outbox = kick_both
        self.duties = DutyRunner(self.config, self.db)
        assert self.app.job_queue is not None
        # The JobQueue is only a clock here: what is due lives in the database.
        self.app.job_queue.run_repeating(self._tick, interval=60, first=1, name="duties")
        if self.config.telegram.mode != "webhook":  # Telegram allows one getUpdates consumer
            poller = Poller(self.app, self.db, self.worker, timeout=self._poll_timeout)
            self._spawn(poller.run(), "poller")
        sweep = CommandSweep(
            self.app.bot,
            self.db,
            self.config.office.admins,
            self._limiter,
            per_second=self._pace.background_per_second,
        )
        self.chores.append(asyncio.create_task(sweep.run(), name="commands"))

    def _spawn(self, coro: Coroutine[Any, Any, None], name: str) -> None:
        self._tasks.append(asyncio.create_task(coro, name=name))

    async def wait(self) -> None:
        """Return when a background loop ends; re-raise what ended it (a bad token, say)."""
        done, _ = await asyncio.wait(self._tasks, return_when=asyncio.FIRST_COMPLETED)
        for task in done:
            if not task.cancelled() and task.exception() is not None:
                raise task.exception()  # type: ignore[misc]

    async def _tick(self, _context: object) -> None:
        if self._ticking.locked():  # the minute's tick and a follow-up met: one is enough
            return
        async with self._ticking:
            try:
                if await self.duties.tick(self._clock()):
                    self.services.kick_outbox()  # and, among replicas, the others
                    self.sender.kick()
                    self.robots.kick()
            except Exception:  # a bad tick must not stop the clock; the next one tries again
                log.exception("duty tick failed")
                return
        if self.duties.owed:  # a long step left the next for later: after a breath, not a minute
            assert self.app.job_queue is not None
            self.app.job_queue.run_once(self._tick, when=OWED_AFTER, name="duties-owed")

    async def stop(self) -> None:
        tasks = [*self.chores, *self._tasks]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        for close in self._closers:
            await close()
        await self.worker.stop()
        await self.sender.stop()
        await self.app.stop()
        await self.app.shutdown()
        # Last: while its lock is held no other replica takes over this one's chats, so none
        # sends again what this one still had in flight.
        if isinstance(self.cluster, Cluster):
            await self.cluster.leave()
        await self.db.close()
        if self._sends is not None:
            self._sends.close()

    async def __aenter__(self) -> Runtime:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()
