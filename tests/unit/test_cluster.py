"""Replicas: who owns a chat, who leads, and a chat that changes hands keeps its pace."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from bot.cluster import SETTLE, Cluster, lane_chat, owner_of
from bot.ratelimit import ChatRateLimiter, Pace
from storage.migrations import open_database
from storage.postgres import PostgresDatabase
from tests import dbs

CHATS = [str(c) for c in range(-500, 500)]


def test_when_a_replica_goes_only_its_chats_move() -> None:
    three = frozenset({11, 22, 33})
    two = three - {22}
    before = {c: owner_of(c, three) for c in CHATS}
    after = {c: owner_of(c, two) for c in CHATS}
    moved = {c for c in CHATS if before[c] != after[c]}
    assert moved == {c for c in CHATS if before[c] == 22}
    # Each replica owns a fair part (rendezvous hashing spreads them).
    assert all(200 < list(before.values()).count(m) < 470 for m in three)


def test_a_lane_is_owned_with_its_chat() -> None:
    assert lane_chat("chat:-1001") == "-1001"
    assert lane_chat("user:7") == "7"
    assert lane_chat("misc") == "misc"


@asynccontextmanager
async def two_replicas(folder: Path) -> AsyncIterator[tuple[Cluster, Cluster]]:
    """Two replicas on one database, joined in order; the first has seen the second."""
    opened = [await open_database(dbs.target(folder, "fleet")) for _ in range(2)]
    first, second = (Cluster(db) for db in opened if isinstance(db, PostgresDatabase))
    try:
        await first.join()
        await second.join()
        await first._look()  # the next look sees the second
        yield first, second
    finally:
        for cluster in (first, second):
            await cluster.leave()
        for db in opened:
            await db.close()


@dbs.postgresql_only
async def test_one_leads_and_another_takes_over_when_it_dies(tmp_path: Path) -> None:
    async with two_replicas(tmp_path) as (first, second):
        assert first.members == second.members == {first.me, second.me}
        assert [first.leader, second.leader] == [True, False]
        # Every chat has exactly one owner among them.
        assert all(first.owns(c) != second.owns(c) for c in CHATS)
        await first.leave()  # as if it died: its session and its locks are gone
        started = time.monotonic()
        while not second.leader:
            await second._look()
            await asyncio.sleep(0.1)
        assert time.monotonic() - started < 2
        assert second.members == {second.me}
        assert all(second.owns(c) for c in CHATS)


@dbs.postgresql_only
async def test_a_chat_taken_over_waits_and_then_counts_the_old_owners_sends(
    tmp_path: Path,
) -> None:
    async with two_replicas(tmp_path) as (old, new):
        group = next(int(c) for c in CHATS if int(c) < 0 and old.owns(c))
        # The old owner sent a group its 20 messages of the minute, then died.
        for n in range(20):
            await old.going_out(group, time.time() - 30 + n, None)
        await old.leave()
        limiter = ChatRateLimiter(Pace(), cluster=new)
        await new._look()
        assert new.owns(group)
        assert 0 < limiter.delay(group) <= SETTLE  # until the others' sends are read
        await asyncio.sleep(SETTLE + 0.5)
        # Now counted: the group's minute is full for another half minute or so.
        assert 20 < limiter.delay(group) < 40
