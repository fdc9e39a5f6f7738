"""What dialogs share: who is acting, and which unit a typed name meant."""

from __future__ import annotations

from bot.core.effects import Effects
from bot.core.event import Event
from bot.services.access import Actor, load_actor_on
from bot.services.container import Services
from bot.services.lookup import find_unit
from storage.models import Unit


async def actor(ev: Event, svc: Services) -> Actor:
    """The person acting, found by the platform's identity; their roles are the person's."""
    return await load_actor_on(svc.db, ev.who.platform, ev.who.user_id, svc.config.office.admins)


async def unit_named(svc: Services, out: Effects, typed: str) -> Unit | None:
    """The unit the user meant, or None after telling them why none matched."""
    match = await find_unit(svc.db, typed)
    if match.unit is None:
        out.say(match.refusal())
    return match.unit
