"""Registering a group as the office group, a leaders group or a unit's group."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot import texts
from bot.services.uow import effect, reply
from storage import audit, chats
from storage.db import Database
from storage.models import ChatPurpose, Unit


@dataclass(frozen=True)
class Registered:
    purpose: ChatPurpose
    unit: Unit | None
    replaced_office: str | None  # title of the office group this one replaced


async def register(
    db: Database,
    *,
    chat_id: int,
    chat_type: str,
    title: str,
    purpose: ChatPurpose,
    unit: Unit | None,
    by_person: int,
    by_label: str,
    at: datetime,
) -> Registered:
    """Register the group; there is one office group, so a new one replaces the old."""
    async with effect(db) as tx:
        await chats.remember(tx, chat_id, chat_type, title)
        before = await chats.get(tx, chat_id)
        replaced = None
        if purpose == "office":
            old = await chats.office(tx)
            if old is not None and old.chat_id != chat_id:
                replaced = old.title
                await chats.clear_purpose(tx, "office")
                await audit.record(
                    tx,
                    at=at,
                    actor_id=by_person,
                    actor_label=by_label,
                    action="setgroup",
                    entity="chat",
                    entity_id=old.chat_id,
                    before={"purpose": "office"},
                    after={"purpose": None},
                    detail=f"replaced by {title}",
                )
        unit_id = unit.id if unit else None
        await chats.register(tx, chat_id, purpose, unit_id, by_person, at)
        await audit.record(
            tx,
            at=at,
            actor_id=by_person,
            actor_label=by_label,
            action="setgroup",
            entity="chat",
            entity_id=chat_id,
            before={
                "purpose": before.purpose if before else None,
                "unit_id": before.unit_id if before else None,
            },
            after={"purpose": purpose, "unit_id": unit_id, "title": title},
        )
        what = texts.PURPOSE_NAMES[purpose] + (f"（{unit.name}）" if unit else "")
        said = texts.SETGROUP_OK.format(what=what)
        if replaced:
            said += texts.SETGROUP_MOVED.format(old=replaced)
        await reply(said)
        return Registered(purpose, unit, replaced)
