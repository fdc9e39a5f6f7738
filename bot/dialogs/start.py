"""/start and /help: who am I here, and what can I do."""

from __future__ import annotations

from bot import texts
from bot.core.effects import Effects
from bot.core.event import Event
from bot.dialogs.common import actor as actor_of
from bot.services.command_list import commands_for
from bot.services.container import Services
from storage import chats, units


async def start_private(ev: Event, svc: Services, out: Effects) -> None:
    """Greet the user and say what they are bound as, or how to bind."""
    actor = await actor_of(ev, svc)
    office = svc.config.office.name
    if not actor.is_bound:
        out.say(texts.START_UNBOUND.format(office=office))
        return
    out.refresh_menu(ev.who.user_id)  # a platform takes a chat's menu only once it exists
    out.say(texts.START_BOUND.format(name=ev.who.name, office=office, roles=actor.describe()))


async def start_group(ev: Event, svc: Services, out: Effects) -> None:
    """Tell a group what the bot is and how to register it."""
    out.say(texts.START_GROUP.format(office=svc.config.office.name))


async def help_private(ev: Event, svc: Services, out: Effects) -> None:
    """List the commands this person may use."""
    actor = await actor_of(ev, svc)
    lines = [texts.HELP_HEADER.format(roles=actor.describe())]
    lines += [f"/{name} — {desc}" for name, desc in commands_for(actor)]
    if not actor.is_bound:
        lines += ["", texts.START_UNBOUND.format(office=svc.config.office.name)]
    out.say("\n".join(lines))


async def help_group(ev: Event, svc: Services, out: Effects) -> None:
    """Say what this group is registered as; admins also read how to change it."""
    db = svc.db
    known = await chats.get(db, ev.where.chat_id)
    registered = texts.GROUP_NOT_REGISTERED
    if known is not None and known.purpose is not None:
        what = texts.PURPOSE_NAMES[known.purpose]
        unit = await units.get(db, known.unit_id) if known.unit_id is not None else None
        what += f"（{unit.name}）" if unit else ""
        registered = texts.GROUP_REGISTERED.format(what=what)
    actor = await actor_of(ev, svc)
    if actor.is_admin:
        out.say(texts.HELP_GROUP.format(registered=registered))
        return
    lines = [texts.HELP_GROUP_HEAD.format(registered=registered)]
    if known is not None and known.purpose == "unit":
        lines.append(texts.HELP_GROUP_REPLY)
    lines.append(texts.HELP_GROUP_PRIVATE)
    if not actor.is_bound:
        lines.append(texts.HELP_GROUP_UNBOUND.format(office=svc.config.office.name))
    out.say("\n".join(lines))
