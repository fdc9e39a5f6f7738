"""Sending the outbox's rows for the group robots (WeCom, DingTalk, Feishu): push only.

A row was cut to one piece the robot can carry when it was queued (`pieces`), so a send is
one row. Each robot sends its rows in order, one at a time, within its vendor's pace; the
vendor's answer decides: sent; again later (a rate limit, a timeout, a 5xx: the row keeps
its place, and only failures that are not rate limits count towards giving up); or refused
for good (a wrong secret, a removed robot, a flagged text): the row fails with the vendor's
meaning, the rest of that message's pieces are dropped with it, and the office is told in
its Telegram group, once a day for each robot and reason. A DingTalk retry carries the same
msgUuid (the row's id), so a send that timed out but arrived is not shown twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections import deque
from datetime import datetime
from zoneinfo import ZoneInfo

import httpx

from bot.clock import Clock, system_clock
from bot.config import VENDORS, ChannelsConfig
from bot.messages import OutMessage
from bot.robots import Refused, RetryLater, Robot, Sent, base, make_robot
from bot.services import notify
from bot.services.reach import ROBOT_CHAT
from bot.texts import robots as rt
from storage import outbox
from storage.db import Database
from storage.models import OutboxItem

log = logging.getLogger(__name__)

HTTP_TIMEOUT = httpx.Timeout(10.0, connect=5.0)
GIVE_UP_AFTER = 10  # failed attempts (rate limits not counted): about 3 hours of backoff
BACKOFF_CAP = 3600.0
SENDS_KEPT = 200  # send times kept per robot: more than any vendor's window holds
IDLE_CHECK = 5.0  # seconds between two looks at the outbox when nothing woke the sender
AUDIENCE_OF = {chat: audience for audience, chat in ROBOT_CHAT.items()}


def robots_of(channels: ChannelsConfig) -> dict[tuple[str, int], Robot]:
    """(vendor, robot chat) → its client, for every robot configured."""
    return {
        (vendor, ROBOT_CHAT[audience]): make_robot(
            vendor,  # type: ignore[arg-type]
            robot.webhook.get_secret_value(),
            robot.secret.get_secret_value() or None,
        )
        for vendor, audience, robot in channels.configured()
    }


def robot_label(vendor: str, chat_id: int) -> str:
    audience = AUDIENCE_OF.get(chat_id, "office")
    return rt.ROBOT_NAME.format(vendor=rt.VENDOR_NAMES[vendor], audience=rt.AUDIENCE[audience])


class RobotSender:
    """One loop for every configured robot; each robot one send in flight, in order."""

    def __init__(
        self,
        db: Database,
        channels: ChannelsConfig,
        clock: Clock = system_clock,
        client: httpx.AsyncClient | None = None,
        tz: str = "Asia/Shanghai",
    ) -> None:
        self._db = db
        self._tz = ZoneInfo(tz)
        self._clock = clock
        self._robots = robots_of(channels)
        self._client = client
        self._sent: dict[tuple[str, int], deque[float]] = {}
        self._in_flight: dict[tuple[str, int], asyncio.Task[None]] = {}
        self._wake = asyncio.Event()

    @property
    def on(self) -> bool:
        return bool(self._robots)

    def kick(self) -> None:
        self._wake.set()

    async def run(self) -> None:
        """Send until cancelled; a failing database or network only delays, never stops it."""
        own = self._client is None
        self._client = self._client or httpx.AsyncClient(timeout=HTTP_TIMEOUT)
        try:
            while True:
                self._wake.clear()
                try:
                    pause = await self._dispatch_due()
                except Exception:
                    log.exception("robot outbox check failed; trying again shortly")
                    pause = IDLE_CHECK
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(pause):
                        await self._wake.wait()
        finally:
            for task in self._in_flight.values():
                task.cancel()
            await asyncio.gather(*self._in_flight.values(), return_exceptions=True)
            if own:
                await self._client.aclose()

    async def recover(self) -> int:
        """Rows a crash left on their way, and rows for robots no longer configured (they
        are skipped: nobody would send them). DingTalk de-duplicates on the row's msgUuid, so
        its rows simply go again; for the others whether they arrived is unknown, so they are
        not sent again (nothing is shown twice) but marked uncertain and logged."""
        cut = 0
        async with self._db.transaction() as tx:
            for vendor in VENDORS:
                for item in await outbox.interrupted(tx, vendor):
                    if vendor == "dingtalk":
                        await outbox.retry_later(tx, item.id, 0.0, "interrupted", False)
                        continue
                    await outbox.finish(tx, item.id, "uncertain", "interrupted while sending")
                    cut += 1
                configured = [chat for v, chat in self._robots if v == vendor]
                await outbox.skip_unless(tx, vendor, configured, rt.NOT_CONFIGURED)
        if cut:
            log.warning("%d robot message(s) may not have arrived (interrupted)", cut)
        return cut

    async def step(self) -> float:
        """Start what is due and wait for those sends to end; how long until more may be
        (the loop of `run`, one turn at a time: tests drive it on a pinned clock)."""
        pause = await self._dispatch_due()
        await asyncio.gather(*self._in_flight.values(), return_exceptions=True)
        return pause

    async def _dispatch_due(self) -> float:
        now = self._clock().timestamp()
        pause = IDLE_CHECK
        for vendor in {v for v, _ in self._robots}:
            for item in await outbox.due(self._db, now, platform=vendor):
                address = (vendor, item.chat_id)
                if address in self._in_flight:
                    continue
                robot = self._robots.get(address)
                if robot is None:
                    await self._drop(item, rt.NOT_CONFIGURED)
                    continue
                wait = robot.pace.delay(self._sends(address), now)
                if wait > 0:
                    pause = min(pause, wait)
                    continue
                task = asyncio.create_task(self._send(item, robot), name=f"robot:{item.id}")
                self._in_flight[address] = task
                task.add_done_callback(functools.partial(self._done, address))
            upcoming = await outbox.next_due_ts(self._db, vendor)
            if upcoming is not None and upcoming > now:
                pause = min(pause, upcoming - now)
        return max(pause, 0.01)

    def _sends(self, address: tuple[str, int]) -> deque[float]:
        """When this robot's recent sends went (enough for any vendor's minute)."""
        return self._sent.setdefault(address, deque(maxlen=SENDS_KEPT))

    def _done(self, address: tuple[str, int], task: asyncio.Task[None]) -> None:
        self._in_flight.pop(address, None)
        if not task.cancelled() and task.exception() is not None:
            log.error("robot send failed", exc_info=task.exception())
        self.kick()

    async def _send(self, item: OutboxItem, robot: Robot) -> None:
        async with self._db.transaction() as tx:
            if not await outbox.start_sending(tx, item.id):
                return
        at = self._clock()
        self._sends((item.platform, item.chat_id)).append(at.timestamp())
        try:
            piece = OutMessage.model_validate_json(item.payload)
            assert self._client is not None
            outcome = await robot.send(self._client, piece, at.timestamp(), key=str(item.id))
            if isinstance(outcome, Sent):
                async with self._db.transaction() as tx:
                    await outbox.mark_sent(tx, item.id, None, self._clock())
            elif isinstance(outcome, RetryLater):
                await self._later(item, outcome)
            else:
                await self._refused(item, outcome, at)
        except Exception as exc:  # never leave a row on its way: it would hold the robot's queue
            log.exception("robot row %s: unexpected failure", item.id)
            unexpected = RetryLater(base.TRANSIENT_RETRY, "error", rt.UNREADABLE, repr(exc))
            await self._later(item, unexpected)

    async def _later(self, item: OutboxItem, outcome: RetryLater) -> None:
        limited = outcome.throttled
        error = f"{outcome.code}: {outcome.meaning}"
        log.info("robot row %s: %s (%s)", item.id, error, outcome.detail[:200])
        if not limited and item.attempts + 1 >= GIVE_UP_AFTER:
            await self._refused(item, Refused(outcome.code, outcome.meaning), self._clock())
            return
        after = outcome.after if limited else min(BACKOFF_CAP, outcome.after * 2**item.attempts)
        async with self._db.transaction() as tx:
            retry_at = self._clock().timestamp() + after
            await outbox.retry_later(tx, item.id, retry_at, error, not limited)

    async def _refused(self, item: OutboxItem, outcome: Refused, at: datetime) -> None:
        """Fail the row and the rest of its message; tell the office, once a day a reason."""
        error = f"{outcome.code}: {outcome.meaning}"
        log.warning("robot row %s refused: %s (%s)", item.id, error, outcome.detail[:200])
        label = robot_label(item.platform, item.chat_id)
        day = at.astimezone(self._tz).date().isoformat()  # the office's day
        async with self._db.transaction() as tx:
            await outbox.finish(tx, item.id, "failed", error)
            await outbox.drop_rest(tx, item.key, error)
            await notify.to_office(
                tx,
                f"robot-refused:{item.platform}:{item.chat_id}:{outcome.code}:{day}",
                "alert",
                rt.REFUSED_TO_OFFICE.format(robot=label, meaning=outcome.meaning),
                at,
            )

    async def _drop(self, item: OutboxItem, why: str) -> None:
        async with self._db.transaction() as tx:
            await outbox.finish(tx, item.id, "skipped", why)
