"""/setgroup: an admin registers the group they are in."""

from __future__ import annotations

from bot import texts
from bot.core.effects import Effects
from bot.core.event import Event
from bot.dialogs.common import actor, unit_named
from bot.services import groups
from bot.services.container import Services
from storage.models import ChatPurpose

PURPOSES: dict[str, ChatPurpose] = {
    "office": "office",
    "巡察办": "office",
    "leaders": "leaders",
    "领导": "leaders",
    "unit": "unit",
    "单位": "unit",
}


async def setgroup(ev: Event, svc: Services, out: Effects) -> None:
    """Register this group as the office group, a leaders group or a unit's group."""
    who = await actor(ev, svc)
    if not who.is_admin:
        out.say(texts.SETGROUP_NOT_ADMIN.format(office=svc.config.office.name))
        return
    args = list(ev.args)
    purpose = PURPOSES.get(args[0].lower()) if args else None
    if purpose is None or (purpose == "unit") != (len(args) > 1):
        out.say(texts.SETGROUP_USAGE)
        return
    unit = None
    if purpose == "unit":
        unit = await unit_named(svc, out, " ".join(args[1:]))
        if unit is None:
            return
    person = who.person
    await groups.register(
        svc.db,
        chat_id=ev.where.chat_id,
        chat_type=ev.where.kind,
        title=ev.where.title,
        purpose=purpose,
        unit=unit,
        by_person=person.id if person else 0,
        by_label=person.signature if person else str(who.tg_user_id),
        at=svc.clock(),
    )


async def setgroup_private(ev: Event, svc: Services, out: Effects) -> None:
    """Explain that /setgroup belongs in the group to be registered."""
    out.say(texts.SETGROUP_PRIVATE)
