"""The outbox: proactive messages with a unique key, sent once."""

from __future__ import annotations

from datetime import datetime

from storage.db import Tx
from storage.models import TELEGRAM, OutboxItem
from storage.reader import Reader
from storage.times import iso

_COLUMNS = (
    "id, key, platform, chat_id, kind, payload, status, attempts, not_before_ts, message_id,"
    " last_error, claimed_by"
)


# A chat's messages go in the order they are meant to go: by not_before_ts, then id. A
# message may start only when nothing before it in that order is still pending or sending.
# Replies to a user keep their own order and never queue behind a group's digests and
# notices: the user is waiting for them, and nothing links them to the group's backlog.
_NOTHING_BEFORE = (
    "NOT EXISTS (SELECT 1 FROM outbox older WHERE older.platform = outbox.platform"
    " AND older.chat_id = outbox.chat_id"
    " AND (older.kind = 'reply') = (outbox.kind = 'reply')"
    " AND older.status IN ('pending', 'sending') AND (older.not_before_ts < outbox.not_before_ts"
    " OR (older.not_before_ts = outbox.not_before_ts AND older.id < outbox.id)))"
)


_INSERT = (
    "INSERT INTO outbox (key, chat_id, kind, payload, not_before_ts, platform,"
    " created_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING"
)
# key, chat_id, kind, payload, not_before_ts, platform
Row = tuple[str, int, str, str, float, str]


async def enqueue(
    tx: Tx,
    key: str,
    chat_id: int,
    kind: str,
    payload: str,
    not_before_ts: float,
    at: datetime,
    platform: str = TELEGRAM,
) -> int | None:
    """Add a message unless its key exists; its id when it was new."""
    return await tx.insert_new(
        _INSERT, (key, chat_id, kind, payload, not_before_ts, platform, iso(at))
    )


async def enqueue_many(tx: Tx, rows: list[Row], at: datetime) -> int:
    """Add many messages (key, chat_id, kind, payload, not_before_ts, platform) in one round
    trip; keys that exist are left alone. How many were new."""
    created = iso(at)
    return await tx.executemany(
        _INSERT,
        [(*row, created) for row in rows],
    )


async def due(
    db: Reader, now_ts: float, limit: int = 200, platform: str = TELEGRAM
) -> list[OutboxItem]:
    """The first pending message of each chat of a platform, where it is due: a chat's
    messages keep order."""
    rows = await db.fetchall(
        f"SELECT {_COLUMNS} FROM outbox WHERE status = 'pending' AND platform = ?"
        f" AND not_before_ts <= ? AND retry_at_ts <= ? AND {_NOTHING_BEFORE}"
        " ORDER BY not_before_ts, id LIMIT ?",
        (platform, now_ts, now_ts, limit),
    )
    return [OutboxItem.from_row(r) for r in rows]


async def next_due_ts(db: Reader, platform: str = TELEGRAM) -> float | None:
    row = await db.fetchone(
        "SELECT MIN(CASE WHEN retry_at_ts > not_before_ts THEN retry_at_ts"
        " ELSE not_before_ts END) FROM outbox WHERE status = 'pending' AND platform = ?",
        (platform,),
    )
    return None if row is None or row[0] is None else float(row[0])


async def get(db: Reader, item_id: int) -> OutboxItem | None:
    row = await db.fetchone(f"SELECT {_COLUMNS} FROM outbox WHERE id = ?", (item_id,))
    return None if row is None else OutboxItem.from_row(row)


async def by_key(db: Reader, key: str) -> OutboxItem | None:
    row = await db.fetchone(f"SELECT {_COLUMNS} FROM outbox WHERE key = ?", (key,))
    return None if row is None else OutboxItem.from_row(row)


async def all_items(db: Reader) -> list[OutboxItem]:
    return [OutboxItem.from_row(r) for r in await db.fetchall(f"SELECT {_COLUMNS} FROM outbox")]


async def start_sending(tx: Tx, item_id: int, by: int = 0) -> bool:
    """Mark a message as on its way (by this replica); False unless it is pending and first
    in its chat."""
    cur = await tx.execute(
        f"UPDATE outbox SET status = 'sending', claimed_by = ? WHERE id = ?"
        f" AND status = 'pending' AND {_NOTHING_BEFORE}",
        (by, item_id),
    )
    return cur.rowcount == 1


async def interrupted(tx: Tx, platform: str = TELEGRAM) -> list[OutboxItem]:
    """Sends a crash cut off (still marked as on their way)."""
    rows = await tx.fetchall(
        f"SELECT {_COLUMNS} FROM outbox WHERE status = 'sending' AND platform = ?", (platform,)
    )
    return [OutboxItem.from_row(r) for r in rows]


async def mark_sent(tx: Tx, item_id: int, message_id: int | None, at: datetime) -> None:
    await tx.execute(
        "UPDATE outbox SET status = 'sent', sent_at = ?, message_id = ?, attempts = attempts + 1"
        " WHERE id = ?",
        (iso(at), message_id, item_id),
    )


async def retry_later(tx: Tx, item_id: int, retry_at_ts: float, error: str, count: bool) -> None:
    """Put a message back, keeping its place in its chat's order; count=False for a 429."""
    await tx.execute(
        "UPDATE outbox SET status = 'pending', retry_at_ts = ?, last_error = ?,"
        " attempts = attempts + CASE WHEN ? THEN 1 ELSE 0 END WHERE id = ?",
        (retry_at_ts, error, count, item_id),
    )


async def finish(tx: Tx, item_id: int, status: str, error: str) -> None:
    """End a message's life without a send: failed, uncertain or skipped."""
    await tx.execute(
        "UPDATE outbox SET status = ?, last_error = ?, attempts = attempts + 1 WHERE id = ?",
        (status, error, item_id),
    )


async def drop_rest(tx: Tx, key: str, reason: str) -> int:
    """Skip the pieces still pending of the message this row's key belongs to (key#2 …)."""
    base = key.split("#", 1)[0]
    cur = await tx.execute(
        "UPDATE outbox SET status = 'skipped', last_error = ?"
        " WHERE status = 'pending' AND key LIKE ? ESCAPE '\\'",
        (reason, _like(base) + "#%"),
    )
    return cur.rowcount


def _like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


async def skip_unless(tx: Tx, platform: str, chats: list[int], reason: str) -> int:
    """Skip a platform's pending rows except those to these chats."""
    spared = f" AND chat_id NOT IN ({', '.join('?' * len(chats))})" if chats else ""
    cur = await tx.execute(
        "UPDATE outbox SET status = 'skipped', last_error = ?"
        f" WHERE platform = ? AND status = 'pending'{spared}",
        (reason, platform, *chats),
    )
    return cur.rowcount


async def skip_chat(tx: Tx, chat_id: int, reason: str) -> int:
    """Stop every pending message to a chat Telegram no longer lets us reach."""
    cur = await tx.execute(
        "UPDATE outbox SET status = 'skipped', last_error = ?"
        " WHERE platform = 'telegram' AND chat_id = ? AND status = 'pending'",
        (reason, chat_id),
    )
    return cur.rowcount
