"""An admin's answer to the bot's question: a notice's content, or the reason for 退回."""

from __future__ import annotations

from bot.core.effects import Effects
from bot.core.event import Event
from bot.dialogs import notice, review_decisions
from bot.dialogs.common import actor
from bot.dialogs.office import read_wait, wait_key
from bot.services.container import Services
from bot.services.uow import settle


async def answer(ev: Event, svc: Services, out: Effects) -> None:
    """Take the message when this admin has a question open in this chat.

    The question is closed by the effect that answers it, so a crash in between keeps it.
    """
    user, chat = ev.who.user_id, ev.where.chat_id
    kind = "notice"
    asked = await read_wait(svc, kind, user, chat)
    if asked is None:
        kind = "review"
        asked = await read_wait(svc, kind, user, chat)
    if asked is None or not (await actor(ev, svc)).is_admin:
        return
    settle(wait_key(kind, user, chat))
    if kind == "notice":
        await notice.content(ev, svc, out)
    else:
        await review_decisions.reason_given(ev, svc, out, asked, ev.typed)
    out.take()
