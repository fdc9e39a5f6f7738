"""The pace survives a restart: sends are journalled before they go out and read back at start."""

from __future__ import annotations

import logging
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from bot.ratelimit import ChatRateLimiter, Pace
from storage import sends
from storage.sends import Journal

GROUP = -100200
PERSON = 5


class FakeClock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


class Clocks:
    """A monotonic clock and a wall clock that move together (as real ones do)."""

    def __init__(self, mono: float, wall: float = 1_800_000_000.0) -> None:
        self.mono = FakeClock(mono)
        self.wall = FakeClock(wall)

    def advance(self, seconds: float) -> None:
        self.mono.now += seconds
        self.wall.now += seconds


async def _ok(*_args: Any, **_kwargs: Any) -> bool:
    return True


async def send(limiter: ChatRateLimiter, clocks: Clocks, chat: int, outbox: bool = True) -> None:
    """Wait as the limiter says (on the fake clocks), then send through it."""
    clocks.advance(limiter.delay(chat, outbox=outbox))
    args = {"outbox": True} if outbox else None
    await limiter.process_request(_ok, (), {}, "sendMessage", {"chat_id": chat}, args)


def limiter_with(journal: Journal | None, clocks: Clocks) -> ChatRateLimiter:
    return ChatRateLimiter(Pace(), clocks.mono, journal=journal, wall=clocks.wall)


async def test_a_new_limiter_remembers_the_last_minute_of_the_old_one(tmp_path: Path) -> None:
    path = tmp_path / "bot.sends.sqlite3"
    clocks = Clocks(mono=1000.0)
    journal = Journal.open(path)
    before = limiter_with(journal, clocks)
    for _ in range(16):  # the outbox's whole share of the group's minute
        await send(before, clocks, GROUP)
    for _ in range(3):  # a private chat's burst
        await send(before, clocks, PERSON, outbox=False)
    journal.close()
    assert clocks.mono.now - 1000.0 < 30  # all of it within half a minute

    # "Restart": a new process, whose monotonic clock has nothing to do with the old one.
    clocks.mono.now = 3.0
    clocks.advance(0.5)
    after = Journal.open(path)
    seeded = limiter_with(after, clocks)
    assert seeded.delay(GROUP, outbox=True) > 25  # the group's minute is used up
    assert seeded.delay(GROUP) == 0  # replies still have their few
    assert seeded.delay(PERSON) > 2  # the burst has just been spent
    assert limiter_with(None, clocks).delay(GROUP, outbox=True) == 0  # what happened before
    after.close()


async def test_the_send_is_written_down_before_it_goes_out(tmp_path: Path) -> None:
    journal = Journal.open(tmp_path / "j.sqlite3")
    clocks = Clocks(mono=50.0)
    limiter = limiter_with(journal, clocks)
    seen: list[list[tuple[int, float]]] = []

    async def callback(*_args: Any, **_kwargs: Any) -> bool:
        seen.append(journal.load(0.0))
        return True

    await limiter.process_request(callback, (), {}, "sendMessage", {"chat_id": PERSON}, None)
    await limiter.process_request(callback, (), {}, "getMe", {}, None)  # not a send
    assert seen == [[(PERSON, clocks.wall.now)], [(PERSON, clocks.wall.now)]]
    journal.close()


class BrokenJournal:
    def __init__(self) -> None:
        self.tries = 0

    def load(self, since_ts: float) -> list[tuple[int, float]]:
        raise OSError("disk I/O error")

    def record(self, chat_id: int, ts: float, item: int | None = None) -> None:
        self.tries += 1
        raise OSError("database or disk is full")

    def sent(self, items: list[int]) -> set[int]:
        raise OSError("disk I/O error")


async def test_a_failing_journal_never_stops_a_send_and_is_logged_once_a_minute(
    caplog: pytest.LogCaptureFixture,
) -> None:
    clocks = Clocks(mono=10.0)
    journal = BrokenJournal()
    with caplog.at_level(logging.WARNING, logger="bot.ratelimit"):
        limiter = ChatRateLimiter(Pace(), clocks.mono, journal=journal, wall=clocks.wall)
        for _ in range(20):
            await send(limiter, clocks, 1000 + journal.tries)  # different chats: no waiting
        clocks.advance(60)
        await send(limiter, clocks, 1)
    messages = [r.getMessage() for r in caplog.records]
    assert journal.tries == 21
    assert sum("cannot read" in m for m in messages) == 1
    assert sum("cannot write" in m for m in messages) == 2  # the first, and a minute later


def test_what_was_recorded_survives_sigkill(tmp_path: Path) -> None:
    path = tmp_path / "killed.sends.sqlite3"
    script = (
        "import os, signal, sys\n"
        "from pathlib import Path\n"
        "from storage.sends import Journal\n"
        "j = Journal.open(Path(sys.argv[1]))\n"
        "for n in range(10):\n"
        "    j.record(-100, 1000.0 + n)\n"
        "os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    repo = Path(__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, "-c", script, str(path)], cwd=repo, check=False)
    assert done.returncode == -signal.SIGKILL
    journal = Journal.open(path)
    assert journal.load(1005.0) == [(-100, 1000.0 + n) for n in range(5, 10)]
    journal.close()


def test_old_rows_are_pruned_and_the_file_sits_beside_the_database(tmp_path: Path) -> None:
    assert sends.path_beside(tmp_path / "data" / "zhenggai.sqlite3") == (
        tmp_path / "data" / "zhenggai.sends.sqlite3"
    )
    journal = sends.open_beside(tmp_path / "data" / "zhenggai.sqlite3")
    assert journal is not None
    for n in range(300):
        journal.record(7, 1000.0 + n)
    rows = journal.load(0.0)
    assert rows[0][1] >= 1300.0 - sends.KEEP_SECONDS - sends.PRUNE_EVERY
    assert rows[-1] == (7, 1299.0)
    journal.close()
    assert os.path.exists(tmp_path / "data" / "zhenggai.sends.sqlite3")


def test_a_journal_that_cannot_open_is_none(tmp_path: Path) -> None:
    (tmp_path / "db.sends.sqlite3").mkdir()  # a folder where the file should be
    assert sends.open_beside(tmp_path / "db.sqlite3") is None


def test_a_send_from_the_future_counts_as_just_now(tmp_path: Path) -> None:
    journal = Journal.open(tmp_path / "j.sqlite3")
    clocks = Clocks(mono=7.0)
    journal.record(PERSON, clocks.wall.now + 3600)  # the wall clock was set back an hour
    limiter = limiter_with(journal, clocks)
    assert list(limiter._state(PERSON).sent) == [7.0]
    journal.close()


def test_a_spoilt_journal_is_started_afresh(tmp_path: Path) -> None:
    (tmp_path / "db.sends.sqlite3").write_bytes(b"not a database, half a page of it" * 100)
    journal = sends.open_beside(tmp_path / "db.sqlite3")
    assert journal is not None
    journal.record(1, 10.0)
    assert journal.load(0.0) == [(1, 10.0)]
    journal.close()


def test_the_journal_does_not_wait_for_a_locked_main_database(tmp_path: Path) -> None:
    main = tmp_path / "zhenggai.sqlite3"
    holder = sqlite3.connect(main, isolation_level=None)
    holder.execute("PRAGMA journal_mode = WAL")
    holder.execute("CREATE TABLE t (x INTEGER)")
    holder.execute("BEGIN IMMEDIATE")  # another process is writing, for as long as it likes
    journal = sends.open_beside(main)
    assert journal is not None
    started = time.perf_counter()
    for n in range(100):
        journal.record(-100, 1000.0 + n)
    assert time.perf_counter() - started < 1.0
    assert len(journal.load(0.0)) == 100
    journal.close()
    holder.execute("ROLLBACK")
    holder.close()
