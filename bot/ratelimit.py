"""Pacing every request to Telegram's flood limits, per chat.

One limiter sits under both the replies and the outbox, so it alone knows when each
chat last received a message. A 429 pauses only the chat it was for.

Telegram's windows do not restart with us: with a journal, each send is written down (in
wall-clock time) before it goes out, and a new limiter starts from the last minute's sends.
A crash can then only over-count. A journal that fails is logged, never waited for.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections import deque
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Protocol

from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

from bot.cluster import SOLO, Solo

log = logging.getLogger(__name__)

# Methods that put a message into a chat; these are what Telegram's flood limits count.
SENDS = frozenset(
    {
        "sendMessage",
        "sendPhoto",
        "sendDocument",
        "sendMediaGroup",
        "copyMessage",
        "forwardMessage",
        "sendAudio",
        "sendVideo",
        "sendVoice",
        "sendSticker",
        "sendAnimation",
    }
)
OUTBOX = "outbox"  # rate_limit_args marker: the outbox handles a 429 itself
ITEM = "item"  # rate_limit_args: the outbox row this send carries, written to the journal
REPLY_RETRIES = 3
JOURNAL_COMPLAINT_EVERY = 60.0  # seconds between two warnings about a failing journal


class SendJournal(Protocol):
    """Where the limiter keeps its sends across a restart (storage.sends.Journal)."""

    def load(self, since_ts: float) -> list[tuple[int, float]]:
        """(chat_id, wall-clock timestamp) of every send since `since_ts`, oldest first."""
        ...

    def record(self, chat_id: int, ts: float, item: int | None = None) -> None: ...

    def sent(self, items: list[int]) -> set[int]:
        """Which of these outbox rows were recorded as going out."""
        ...


def retry_seconds(exc: RetryAfter) -> float:
    value = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


@dataclass(frozen=True)
class Pace:
    """Our own budget, a little inside Telegram's, so we never meet a 429 by design."""

    chat_burst: int = 3  # at most this many …
    chat_window: float = 3.2  # … in this many seconds: ≈1/s with short bursts
    group_per_minute: int = 20
    group_window: float = 61.0
    outbox_group_share: int = 16  # the outbox leaves the rest of a group's minute to replies
    # Telegram counts a send when it arrives; a busy machine delivers a second's sends
    # unevenly, so the overall budget keeps a margin for that jitter.
    global_per_second: int = 25
    global_window: float = 1.1
    # The outbox (digests, to-dos, notices) leaves part of the overall budget to replies, so a
    # user waiting for an answer never queues behind a morning's thousand to-dos.
    outbox_global_share: int = 18
    # Housekeeping calls that are not messages (each person's command list): few, and only
    # while replies and the outbox leave more than half the overall budget unused.
    background_per_second: float = 10.0


@dataclass
class _ChatState:
    sent: deque[float] = field(default_factory=deque)
    blocked_until: float = 0.0
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


class ChatRateLimiter(BaseRateLimiter[dict[str, Any]]):
    def __init__(
        self,
        pace: Pace = Pace(),
        clock: Callable[[], float] = time.monotonic,
        *,
        journal: SendJournal | None = None,
        wall: Callable[[], float] = time.time,
        cluster: Solo = SOLO,
    ) -> None:
        self.pace = pace
        # Among replicas: its part of the overall budget, and a chat that changed hands waits.
        self.cluster = cluster
        if cluster.replicated:
            cluster.sent_elsewhere = self.sent_elsewhere
        self._clock = clock  # paces: monotonic, immune to the wall clock being set
        self._wall = wall  # what the journal keeps: monotonic time means nothing to the next run
        self._journal = journal
        self._complained_at: float | None = None
        self._chats: dict[int, _ChatState] = {}
        self._global: deque[float] = deque()
        self._outbox_last = -math.inf  # when the outbox last took a slot
        self._seed()

    def _seed(self) -> None:
        """Start from the sends of the last minute, the previous process's included."""
        if self._journal is None:
            return
        p = self.pace
        keep = max(p.chat_window, p.group_window, p.global_window)
        now, wall = self._clock(), self._wall()
        try:
            sends = self._journal.load(wall - keep)
        except Exception:
            log.warning("cannot read the send journal; pacing starts from nothing", exc_info=True)
            return
        for chat_id, ts in sorted(sends, key=lambda send: send[1]):
            at = now - max(0.0, wall - ts)  # a send "from the future" counts as just now
            self._state(chat_id).sent.append(at)
            self._global.append(at)

    def went_out(self, items: list[int]) -> set[int] | None:
        """Which of these outbox rows the journal saw go out; None without a journal."""
        if self._journal is None:
            return None
        try:
            return self._journal.sent(items)
        except Exception:
            log.warning("cannot read the send journal", exc_info=True)
            return None

    def _record(self, chat_id: int, item: int | None = None) -> None:
        """Write the send down before it goes out; if that fails, say so now and then."""
        if self._journal is None:
            return
        try:
            self._journal.record(chat_id, self._wall(), item)
        except Exception:
            now = self._clock()
            if self._complained_at is None or now - self._complained_at >= JOURNAL_COMPLAINT_EVERY:
                self._complained_at = now
                log.warning(
                    "cannot write the send journal; sending anyway (a restart may pace too fast)",
                    exc_info=True,
                )

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    def _state(self, chat_id: int) -> _ChatState:
        return self._chats.setdefault(chat_id, _ChatState())

    def delay(self, chat_id: int, *, outbox: bool = False) -> float:
        """Seconds until a message to this chat fits every limit (0 when it fits now)."""
        now = self._clock()
        st = self._state(chat_id)
        p = self.pace
        _prune(st.sent, p.group_window, now)
        _prune(self._global, p.global_window, now)
        waits = [st.blocked_until - now, self.cluster.settle(chat_id)]
        waits.append(_window_wait(st.sent, p.chat_burst, p.chat_window, now))
        if chat_id < 0:  # groups, supergroups and channels have negative ids
            cap = p.outbox_group_share if outbox else p.group_per_minute
            waits.append(_window_wait(st.sent, cap, p.group_window, now))
        share = self.cluster.share  # 1 alone; a third each for three replicas
        if outbox:
            # The outbox takes its share evenly: a burst of 18 at once would leave the replies
            # of the next second only the 7 slots that remain in the window.
            cap = max(1, int(p.outbox_global_share * share))
            waits.append(self._outbox_last + p.global_window / cap - now)
            waits.append(_window_wait(self._global, cap, p.global_window, now))
        else:
            cap = max(1, int(p.global_per_second * share))
            waits.append(_window_wait(self._global, cap, p.global_window, now))
        return max(0.0, *waits)

    def sent_elsewhere(self, chat_id: int, ts: float) -> None:
        """Another replica sent to this chat at wall-clock `ts`: count it in the chat's
        windows (not in this replica's part of the overall budget)."""
        at = self._clock() - max(0.0, self._wall() - ts)
        sent = self._state(chat_id).sent
        sent.append(at)
        if len(sent) > 1 and sent[-2] > at:
            ordered = sorted(sent)
            sent.clear()
            sent.extend(ordered)

    def block(self, chat_id: int, seconds: float) -> None:
        """Telegram said wait: hold this chat, and only this chat."""
        st = self._state(chat_id)
        st.blocked_until = max(st.blocked_until, self._clock() + seconds)

    def spare(self) -> float:
        """Seconds until messages use at most half the overall budget (0 when they do now)."""
        now = self._clock()
        p = self.pace
        _prune(self._global, p.global_window, now)
        return _window_wait(self._global, max(1, p.global_per_second // 2), p.global_window, now)

    async def quiet(self) -> None:
        """Wait while messages are busy: background work never competes with replies."""
        while (wait := self.spare()) > 0:  # noqa: ASYNC110
            await asyncio.sleep(wait)

    async def ready(self, chat_id: int, *, outbox: bool = False) -> None:
        """Wait until a message to this chat would fit, without taking the slot.

        The outbox waits here before it marks a message as on its way, so waiting for the
        pace is seldom mistaken for a send in flight if the process dies. The slot itself is
        taken right before the request goes out (process_request): taken earlier, the time
        between would let a busy machine bunch sends past Telegram's limits.
        """
        while (wait := self.delay(chat_id, outbox=outbox)) > 0:  # noqa: ASYNC110
            await asyncio.sleep(wait)

    async def _acquire(self, chat_id: int, outbox: bool, item: int | None = None) -> None:
        st = self._state(chat_id)
        async with st.lock:
            # Sleeping until the computed moment is the point here: nothing else can wake us.
            while (wait := self.delay(chat_id, outbox=outbox)) > 0:  # noqa: ASYNC110
                await asyncio.sleep(wait)
            self._take(chat_id, outbox, item)
        await self.cluster.going_out(chat_id, self._wall(), item)

    def _take(self, chat_id: int, outbox: bool, item: int | None = None) -> None:
        """A send goes out now: count it in every window, and write it down."""
        now = self._clock()
        st = self._state(chat_id)
        st.sent.append(now)
        self._global.append(now)
        if outbox:
            self._outbox_last = now
        self._record(chat_id, item)

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: dict[str, Any] | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        chat_id = data.get("chat_id")
        if endpoint not in SENDS or not isinstance(chat_id, int):
            return await callback(*args, **kwargs)
        outbox = bool(rate_limit_args and rate_limit_args.get(OUTBOX))
        item = rate_limit_args.get(ITEM) if rate_limit_args else None
        attempt = 0
        while True:
            await self._acquire(chat_id, outbox, item if isinstance(item, int) else None)
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as exc:
                self.block(chat_id, retry_seconds(exc))
                attempt += 1
                if outbox or attempt > REPLY_RETRIES:
                    raise
                log.info(
                    "429 for chat %s; retrying the reply in %.0fs", chat_id, retry_seconds(exc)
                )


def _window_wait(sent: deque[float], cap: int, window: float, now: float) -> float:
    """How long until fewer than `cap` sends lie inside the sliding window."""
    inside = sum(1 for t in reversed(sent) if t > now - window)
    if inside < cap:
        return 0.0
    return sent[-cap] + window - now


def _prune(sent: deque[float], keep: float, now: float) -> None:
    while sent and sent[0] <= now - keep:
        sent.popleft()
