"""The send journal: when each chat last received a message, kept across a restart.

A small SQLite file of its own beside the main database (`<stem>.sends.sqlite3`), so pacing
never waits on the main database's writer nor on another process holding its lock. The rate
limiter writes a row before each send goes out and reads the last minute back at start.

Plain `sqlite3`, called on the event loop: one autocommit INSERT into WAL costs 10-30 µs,
less than a thread hop would. `synchronous = OFF`: never an fsync, not even at a checkpoint
(with NORMAL, one INSERT in about a thousand checkpointed and held the loop for up to 7 ms).
A committed row is in the OS's hands, so it survives SIGKILL; a power cut may lose the file's
last rows or spoil it, and a spoilt file is started afresh (after a power cut the minute is
long gone anyway). `busy_timeout` is 0: a locked file fails at once and the limiter sends
without it rather than wait.
"""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

log = logging.getLogger(__name__)

KEEP_SECONDS = 120.0  # rows older than this are pruned: the longest window is a minute
PRUNE_EVERY = 30.0

# item: the outbox row a send carried (NULL for a direct answer), so that after a crash the
# sender can tell a send that really went out from one that never left the process.
_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS sends (chat_id INTEGER NOT NULL, at_ts REAL NOT NULL, item INTEGER)"
)


def path_beside(db_path: Path) -> Path:
    """`data/zhenggai.sqlite3` -> `data/zhenggai.sends.sqlite3`."""
    return db_path.with_name(f"{db_path.stem}.sends.sqlite3")


class Journal:
    """Sends as (chat_id, wall-clock timestamp) rows; see bot.ratelimit.SendJournal."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn
        self._pruned_at = 0.0

    @classmethod
    def open(cls, path: Path) -> Journal:
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(path, timeout=0, isolation_level=None)
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = OFF")
            conn.execute(_SCHEMA)
        except BaseException:
            conn.close()
            raise
        return cls(conn)

    def load(self, since_ts: float) -> list[tuple[int, float]]:
        """Every send at or after `since_ts`, oldest first."""
        rows = self._conn.execute(
            "SELECT chat_id, at_ts FROM sends WHERE at_ts >= ? ORDER BY at_ts", (since_ts,)
        ).fetchall()
        return [(int(chat_id), float(at_ts)) for chat_id, at_ts in rows]

    def record(self, chat_id: int, ts: float, item: int | None = None) -> None:
        self._conn.execute(
            "INSERT INTO sends (chat_id, at_ts, item) VALUES (?, ?, ?)", (chat_id, ts, item)
        )
        if ts - self._pruned_at >= PRUNE_EVERY:
            self._pruned_at = ts
            self._conn.execute("DELETE FROM sends WHERE at_ts < ?", (ts - KEEP_SECONDS,))

    def sent(self, items: list[int]) -> set[int]:
        """Which of these outbox rows went out: the request was on its way."""
        found: set[int] = set()
        for start in range(0, len(items), 500):
            chunk = items[start : start + 500]
            marks = ", ".join("?" * len(chunk))
            rows = self._conn.execute(
                f"SELECT DISTINCT item FROM sends WHERE item IN ({marks})", chunk
            ).fetchall()
            found.update(int(r[0]) for r in rows)
        return found

    def close(self) -> None:
        self._conn.close()


def open_beside(db_path: Path) -> Journal | None:
    """The journal beside the main database, or None (and a warning) when it cannot open."""
    return open_at(path_beside(db_path))


def open_at(path: Path) -> Journal | None:
    """The journal in that file, or None (and a warning) when it cannot open."""
    try:
        try:
            return Journal.open(path)
        except sqlite3.DatabaseError as exc:
            if isinstance(exc, sqlite3.OperationalError):  # locked, unreadable: not spoilt
                raise
            log.warning("the send journal %s is spoilt (%s); starting it afresh", path, exc)
            for stale in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
                stale.unlink(missing_ok=True)
            return Journal.open(path)
    except (OSError, sqlite3.Error):
        log.warning(
            "cannot open the send journal %s; pacing after a restart starts from nothing",
            path,
            exc_info=True,
        )
        return None
