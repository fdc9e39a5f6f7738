"""Putting proactive messages into the outbox."""

from __future__ import annotations

from datetime import datetime

from bot.config import ScheduleConfig
from bot.messages import OutMessage, split_text
from bot.services.quiet import after_quiet
from storage import chats, outbox, people
from storage.db import Tx


async def enqueue(
    tx: Tx,
    key: str,
    chat_id: int,
    kind: str,
    message: OutMessage,
    at: datetime,
    not_before: datetime | None = None,
) -> int:
    """Queue a message under a unique key; a long text becomes key#1, key#2, … parts."""
    parts = split_text(message.text)
    due = (not_before or at).timestamp()
    added = 0
    for index, part in enumerate(parts, start=1):
        last = index == len(parts)
        piece = message.model_copy(
            update={
                "text": part,
                "buttons": message.buttons if last else (),
                "attachment": message.attachment if index == 1 else None,
            }
        )
        part_key = key if len(parts) == 1 else f"{key}#{index}"
        # Parts of one message keep their order through tiny offsets of their due time.
        if await outbox.enqueue(
            tx, part_key, chat_id, kind, piece.model_dump_json(), due + index * 1e-3, at
        ):
            added += 1
    return added


async def to_office(tx: Tx, key: str, kind: str, text: str, at: datetime) -> bool:
    """Queue a message to the office group, if one is registered and reachable."""
    office = await chats.office(tx)
    if office is None or not office.active:
        return False
    return await enqueue(tx, key, office.chat_id, kind, OutMessage(text=text), at) > 0


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
