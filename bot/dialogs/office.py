"""What the office's dialogs share: who may act as the office, and where; open questions."""

from __future__ import annotations

import json

from bot.core.effects import Effects
from bot.core.event import Event
from bot.dialogs.common import actor
from bot.services.access import Actor
from bot.services.container import Services
from bot.services.uow import effect, reply
from bot.texts import office as ot
from storage import chats, state

WAITS = ("notice", "review", "import")  # the questions an admin can leave open in a chat


async def office_actor(ev: Event, svc: Services, out: Effects, what: str) -> Actor | None:
    """An admin, in a private chat or the office group; anyone else is told why not."""
    who = await actor(ev, svc)
    if not who.is_admin or who.person is None:
        out.say(ot.ADMIN_ONLY.format(office=svc.config.office.name, what=what))
        return None
    if not await in_office_place(ev, svc):
        out.say(ot.WHERE_ADMIN)
        return None
    return who


async def in_office_place(ev: Event, svc: Services) -> bool:
    """A private chat, or the registered office group: where the office decides things."""
    if ev.where.private:
        return True
    known = await chats.get(svc.db, ev.where.chat_id)
    return known is not None and known.purpose == "office"


def wait_key(kind: str, user_id: int, chat_id: int) -> str:
    return f"{kind}_wait:{user_id}:{chat_id}"


async def ask(
    svc: Services, kind: str, user_id: int, chat_id: int, value: dict[str, object], question: str
) -> None:
    """Open a question (the next message answers it) and ask it, as one effect."""
    async with effect(svc.db) as tx:
        await state.put(tx, wait_key(kind, user_id, chat_id), json.dumps(value))
        await reply(question)


async def read_wait(
    svc: Services, kind: str, user_id: int, chat_id: int
) -> dict[str, object] | None:
    """The open question of this kind, if any (the effect that answers it closes it)."""
    raw = await state.get(svc.db, wait_key(kind, user_id, chat_id))
    value = None if raw is None else json.loads(raw)
    return value if isinstance(value, dict) else None
