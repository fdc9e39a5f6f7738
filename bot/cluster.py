"""Several `zhenggai run` processes on one PostgreSQL database: who leads, who owns which chat.

Liveness is a lock, not a timer: each replica holds a session-level advisory lock of its own
on a dedicated connection, and PostgreSQL drops it the moment the process dies (its socket
closes). The replicas alive are the holders of those locks (`pg_locks`); the leader is the
one that holds the leader lock, taken over by whoever asks first once its holder is gone.

- The leader alone polls Telegram (getUpdates allows one consumer), runs the duty clock,
  the command sweep and the group robots.
- Every replica handles updates and sends messages, for the chats it owns: a chat's owner
  is the live replica that scores highest for it (rendezvous hashing), so ownership moves
  only for the chats of a replica that came or went. One owner per chat keeps its order and
  its pace in one process; a chat that just changed hands waits out its pace window first,
  since the previous owner's last sends are not known here.
- Telegram's overall limit is shared: each replica takes its part of it.

On SQLite there is one process: `Solo` leads and owns everything.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
import random
import time
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from storage.postgres import PostgresDatabase

log = logging.getLogger(__name__)

# pg_advisory_lock(namespace, key) namespaces: the replicas' own locks and the leader's.
REPLICA_SPACE = 0x7A67_0001
LEADER_SPACE = 0x7A67_0002
CHANNELS = ("inbox", "outbox")  # what one replica may wake the others for
CHECK_EVERY = 1.0  # seconds between looks at who is alive and who leads
LOOK_TIMEOUT = 5.0  # seconds a look at the locks may take before the replica gives up
# A chat that changed hands waits this long, until every replica has seen the change and the
# new owner has read the chat's last minute of sends (chat_sends).
SETTLE = 2.5
KEEP_PACE = 62.0  # seconds of others' sends a new owner counts: the longest window (a group's)
PRUNE_AFTER = 600.0  # seconds chat_sends rows are kept
PRUNE_EVERY = 60.0


def _score(key: str, replica: int) -> int:
    digest = hashlib.blake2b(f"{key}/{replica}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big")


def owner_of(key: str, members: frozenset[int]) -> int | None:
    """The member that scores highest for this key (rendezvous hashing)."""
    return max(members, key=lambda m: _score(key, m), default=None)


def lane_chat(lane: str) -> str:
    """An inbox lane ('chat:-100…', 'user:7') as the key its chat's messages are owned by."""
    kind, _, ident = lane.partition(":")
    return ident if kind in ("chat", "user") and ident else lane


class Solo:
    """One process alone: it leads and owns every chat."""

    replicated = False
    me = 0
    share = 1.0

    def owns(self, chat: int | str) -> bool:
        return True

    def settle(self, chat: int | str) -> float:
        return 0.0

    def alive(self, replica: int | None) -> bool:
        return True

    async def notify(self, channel: str) -> None:
        return None

    sent_elsewhere: Callable[[int, float], None] = staticmethod(lambda chat, ts: None)

    async def going_out(self, chat_id: int, ts: float, item: int | None) -> None:
        """A message is about to be sent (the local send journal knows it already)."""
        return None

    async def went_out(self, items: list[int]) -> set[int] | None:
        """Which of these rows a replica wrote down as going out; None: ask the journal."""
        return None


SOLO = Solo()  # the one a process alone uses


class Cluster(Solo):
    """This replica among the others, through a connection of its own."""

    replicated = True

    def __init__(self, db: PostgresDatabase) -> None:
        self.db = db
        self.me = random.randint(1, 2**31 - 1)
        self.members: frozenset[int] = frozenset()  # none known before the first look
        self.leader = False
        self.became_leader = asyncio.Event()
        # (monotonic time, members before) of the changes whose moved chats still wait.
        self._changes: deque[tuple[float, frozenset[int]]] = deque()
        self._unseeded: set[float] = set()
        self._chores: set[asyncio.Task[None]] = set()
        self._conn: Any = None
        self._listeners: dict[str, list[Callable[[], None]]] = {}
        self.on_members: list[Callable[[frozenset[int]], None]] = []

    @property
    def share(self) -> float:  # type: ignore[override]
        return 1.0 / max(len(self.members), 1)

    async def join(self) -> None:
        import asyncpg

        # Named after the process, so an operator (and bench/failover.py) can tell who leads:
        # SELECT application_name FROM pg_stat_activity JOIN pg_locks USING (pid) …
        # A machine lost (power, network) leaves its connection half open and its locks held
        # until the server notices: keepalives and a send timeout make that seconds, not hours.
        self._conn = await asyncpg.connect(
            self.db.url,
            timeout=LOOK_TIMEOUT,
            server_settings={
                "application_name": f"zhenggai:{os.getpid()}",
                "tcp_keepalives_idle": "5",
                "tcp_keepalives_interval": "2",
                "tcp_keepalives_count": "3",
                "tcp_user_timeout": "10000",
            },
        )
        await self._conn.execute("SELECT pg_advisory_lock($1, $2)", REPLICA_SPACE, self.me)
        for channel in CHANNELS:  # registered now: the connection serves one call at a time
            await self._conn.add_listener(f"zhenggai_{channel}", self._woken)
        await self._look(quiet=True)  # said once the bot has started (`run`), not before
        if self.members == {self.me}:  # alone: the departed's pace is counted before any send
            await asyncio.gather(*self._chores)

    async def leave(self) -> None:
        if self._conn is not None:
            await self._conn.close()  # our locks go with the connection
            self._conn = None

    async def run(self) -> None:
        """Watch until cancelled; a lost connection ends the process's part (it must not lead
        or own anything it can no longer prove)."""
        log.info("replica %d of %d alive%s", self.me, len(self.members), "; it leads" * self.leader)
        pruned = time.monotonic()
        while True:
            await asyncio.sleep(CHECK_EVERY)
            await self._look()
            if self.leader and time.monotonic() - pruned > PRUNE_EVERY:
                pruned = time.monotonic()
                await self._prune()

    async def _look(self, *, quiet: bool = False) -> None:
        rows = await self._conn.fetch(
            "SELECT objid::bigint FROM pg_locks WHERE locktype = 'advisory' AND granted"
            " AND classid = $1 AND objsubid = 2"
            " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
            REPLICA_SPACE,
            timeout=LOOK_TIMEOUT,  # a database out of reach ends the process (see run)
        )
        members = frozenset(int(r[0]) for r in rows) | {self.me}
        if members != self.members:
            if not quiet:
                log.info("replicas alive: %s (was %s)", sorted(members), sorted(self.members))
            change = time.monotonic()
            self._changes.append((change, self.members))
            self._unseeded.add(change)
            # Alone, nobody else sends meanwhile: what the departed sent is read at once.
            settle = 0.0 if members == {self.me} else SETTLE
            task = asyncio.create_task(self._take_over_pace(change, settle), name="take-over-pace")
            self._chores.add(task)
            task.add_done_callback(self._chores.discard)
            self.members = members
            for callback in self.on_members:
                callback(members)
        while self._changes and self._changes[0][0] not in self._unseeded:
            self._changes.popleft()
        if not self.leader:
            got = await self._conn.fetchval(
                "SELECT pg_try_advisory_lock($1, 0)", LEADER_SPACE, timeout=LOOK_TIMEOUT
            )
            if got:
                self.leader = True
                if not quiet:
                    log.info("replica %d leads", self.me)
                self.became_leader.set()

    async def _prune(self) -> None:
        """Old notes go, but not one of a send still unsettled (a dead replica's, say)."""
        try:
            await self.db.unserialised(
                "DELETE FROM chat_sends WHERE at_ts < ? AND (item IS NULL OR item NOT IN"
                " (SELECT id FROM outbox WHERE status = 'sending'))",
                (time.time() - PRUNE_AFTER,),
            )
        except Exception:  # the next minute tries again
            log.warning("could not prune chat_sends", exc_info=True)

    def owns(self, chat: int | str) -> bool:
        return owner_of(str(chat), self.members) == self.me

    def alive(self, replica: int | None) -> bool:
        return replica in self.members

    def settle(self, chat: int | str) -> float:
        """Seconds before this owner may send to a chat that was another's until lately: until
        the others have seen the change and its last minute of sends is counted here."""
        key = str(chat)
        now = time.monotonic()
        wait = 0.0
        for at, before in self._changes:
            if at in self._unseeded and owner_of(key, before) != self.me:
                wait = max(wait, at + SETTLE - now, 0.05)
        return wait

    async def notify(self, channel: str) -> None:
        """Wake the other replicas (LISTEN/NOTIFY): work for their chats was stored."""
        await self.db.unserialised("SELECT pg_notify(?, '')", (f"zhenggai_{channel}",))

    def listen(self, channel: str, wake: Callable[[], None]) -> None:
        """Call `wake` when another replica notifies this channel."""
        self._listeners.setdefault(f"zhenggai_{channel}", []).append(wake)

    def _woken(self, _conn: Any, _pid: int, channel: str, _payload: object) -> None:
        for wake in self._listeners.get(channel, []):
            wake()

    async def going_out(self, chat_id: int, ts: float, item: int | None) -> None:
        try:
            await self.db.unserialised(
                "INSERT INTO chat_sends (chat_id, at_ts, replica, item) VALUES (?, ?, ?, ?)",
                (chat_id, ts, self.me, item),
            )
        except Exception:  # sending anyway: at worst a takeover paces by the window alone
            log.warning("could not note a send to chat %s", chat_id, exc_info=True)

    async def went_out(self, items: list[int]) -> set[int] | None:
        if not items:
            return set()
        rows = await self.db.fetchall(
            "SELECT item FROM chat_sends WHERE item = ANY(?::bigint[])", (items,)
        )
        return {int(r[0]) for r in rows}

    async def _take_over_pace(self, change: float, settle: float) -> None:
        """After a change, once the others have noticed it: the last minute's sends of the
        others to the chats this replica owns now count in its windows."""
        await asyncio.sleep(settle)
        try:
            rows = await self.db.fetchall(
                "SELECT chat_id, at_ts FROM chat_sends WHERE replica != ? AND at_ts > ?",
                (self.me, time.time() - KEEP_PACE),
            )
            for chat_id, ts in rows:
                if self.owns(chat_id):
                    self.sent_elsewhere(int(chat_id), float(ts))
        except Exception:  # without them the chats wait out a whole window instead
            log.warning("could not read the other replicas' sends", exc_info=True)
            await asyncio.sleep(KEEP_PACE - SETTLE)
        self._unseeded.discard(change)
