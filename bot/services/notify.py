"""Putting proactive messages into the outbox."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot import robots
from bot.adapters.telegram_parts import fit
from bot.config import ScheduleConfig
from bot.messages import OutMessage
from bot.services.quiet import after_quiet
from storage import chats, outbox, people
from storage.db import Tx
from storage.models import TELEGRAM


@dataclass(frozen=True)
class Planned:
    """A message a duty will queue: its unique key, chat, kind, and when it may go."""

    key: str
    chat_id: int
    kind: str
    message: OutMessage
    not_before: datetime | None = None
    platform: str = TELEGRAM


def rows_of(planned: list[Planned], at: datetime) -> list[outbox.Row]:
    """Outbox rows for planned messages, split as their platform requires (pure: no database)."""
    rows = []
    for p in planned:
        parts = fit(p.message) if p.platform == TELEGRAM else robots.pieces(p.platform, p.message)
        due = (p.not_before or at).timestamp()
        for index, piece in enumerate(parts, start=1):
            key = p.key if len(parts) == 1 else f"{p.key}#{index}"
            # Parts of one message keep their order through tiny offsets of their due time.
            payload = piece.model_dump_json()
            rows.append((key, p.chat_id, p.kind, payload, due + index * 1e-3, p.platform))
    return rows


async def enqueue(
    tx: Tx,
    key: str,
    chat_id: int,
    kind: str,
    message: OutMessage,
    at: datetime,
    not_before: datetime | None = None,
) -> list[int]:
    """Queue a message under a unique key; one too long for Telegram becomes key#1, key#2, ….

    Returns the ids of the rows that were new (none when the key was queued before).
    """
    return await enqueue_planned(tx, Planned(key, chat_id, kind, message, not_before), at)


async def enqueue_planned(tx: Tx, planned: Planned, at: datetime) -> list[int]:
    """Queue one planned message (split as its platform requires); the new rows' ids."""
    added = []
    for key, chat, kind, payload, due, platform in rows_of([planned], at):
        new = await outbox.enqueue(tx, key, chat, kind, payload, due, at, platform)
        if new is not None:
            added.append(new)
    return added


async def to_office(tx: Tx, key: str, kind: str, text: str, at: datetime) -> bool:
    """Queue a message to the office group, if one is registered and reachable."""
    office = await chats.office(tx)
    if office is None or not office.active:
        return False
    return bool(await enqueue(tx, key, office.chat_id, kind, OutMessage(text=text), at))


async def to_unit(
    tx: Tx, key: str, unit_id: int, kind: str, text: str, at: datetime, schedule: ScheduleConfig
) -> None:
    """Tell a unit: its groups now, its contacts directly (after quiet hours)."""
    for group in await chats.unit_groups(tx, unit_id):
        if group.active:
            await enqueue(
                tx, f"{key}@{group.chat_id}", group.chat_id, kind, OutMessage(text=text), at
            )
    for person in await people.contacts_of_unit(tx, unit_id):
        if person.tg_user_id is not None:  # reached on Telegram (other platforms: robots)
            await to_person(tx, key, person.tg_user_id, kind, text, at, schedule)


async def to_person(
    tx: Tx,
    key: str,
    tg_user_id: int,
    kind: str,
    text: str,
    at: datetime,
    schedule: ScheduleConfig,
) -> None:
    """A direct message to someone who has a chat with the bot, outside quiet hours."""
    chat = await chats.get(tx, tg_user_id)
    if chat is None or not chat.active:
        return
    await enqueue(
        tx,
        f"{key}@{tg_user_id}",
        tg_user_id,
        kind,
        OutMessage(text=text),
        at,
        after_quiet(at, schedule),
    )
