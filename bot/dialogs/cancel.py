"""/cancel: leave whatever is half done."""

from __future__ import annotations

from bot import texts
from bot.core.effects import Effects
from bot.core.event import Event
from bot.dialogs.common import actor
from bot.dialogs.office import WAITS, wait_key
from bot.services import names
from bot.services.container import Services
from bot.services.reporting import flow
from bot.services.uow import effect, reply
from storage import drafts, state


async def cancel(ev: Event, svc: Services, out: Effects) -> None:
    """Leave a half-written report and any open question (the office's, 姓名职务), in one effect."""
    who = await actor(ev, svc)
    chat = ev.where.chat_id
    async with effect(svc.db) as tx:
        dropped = False
        for kind in WAITS:  # an open question of the office's
            dropped = await state.delete(tx, wait_key(kind, ev.who.user_id, chat)) or dropped
        person = who.person
        if ev.where.private and person is not None:  # 姓名 and 职务 not given: the name serves
            dropped = await state.delete(tx, names.wait_key(person.id)) or dropped
        has_draft = person is not None and await drafts.get(tx, person.id) is not None
        await reply(texts.CANCEL_DONE if dropped or has_draft else texts.CANCEL_NOTHING)
        if person is not None and has_draft:
            await flow.drop(tx, person.id, svc.clock())  # says so when a shelved one resumes
