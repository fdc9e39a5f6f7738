"""The answer to 请回复您的姓名和职务 (asked after /bind): one reply, or 跳过."""

from __future__ import annotations

from bot.core.effects import Effects
from bot.core.event import Event
from bot.dialogs.common import actor
from bot.services import names
from bot.services.container import Services


async def answer_names(ev: Event, svc: Services, out: Effects) -> None:
    """Take a private text as the person's 姓名 and 职务 while that question is open.

    A report in progress, a quick report or a reply to a reminder is taken before this
    (an earlier dialog); commands never reach it.
    """
    if not ev.text or not await names.waiting(svc.db, ev.who.platform, str(ev.who.user_id)):
        return
    person = (await actor(ev, svc)).person
    if person is None:
        return
    await names.give(svc.db, person, ev.text, svc.clock())
    out.take()
