"""/bind a code, and /code to issue one (admins)."""

from __future__ import annotations

from datetime import timedelta

from bot import texts
from bot.core.effects import Effects
from bot.core.event import Event
from bot.dialogs.common import actor, unit_named
from bot.services import binding
from bot.services.access import describe_roles
from bot.services.binding import BindOutcome
from bot.services.container import Services
from bot.services.uow import effect
from bot.texts import links as lt
from storage.models import Role

ROLE_WORDS: dict[str, Role] = {
    "contact": "contact",
    "联络员": "contact",
    "leader": "leader",
    "领导": "leader",
    "admin": "admin",
    "管理员": "admin",
}


async def bind(ev: Event, svc: Services, out: Effects) -> None:
    """Bind the sender with the code they sent (the inbox keeps only its hash)."""
    office = svc.config.office.name
    code = " ".join(ev.args)
    if not code.strip():
        out.say(texts.BIND_USAGE.format(office=office))
        return
    result = await binding.bind(
        svc.db,
        ev.who.user_id,
        ev.who.name,
        ev.who.username,
        code,
        svc.clock(),
        office=office,
        tz=svc.config.schedule.timezone,
        platform=ev.who.platform,
    )
    if result.outcome in (BindOutcome.BOUND, BindOutcome.LINKED):
        out.refresh_menu(ev.who.user_id)  # the binding stands whatever the menu meets


async def bind_in_group(ev: Event, svc: Services, out: Effects) -> None:
    """A code shown to a group is no longer secret: burn it, and say where /bind belongs."""
    code = " ".join(ev.args)
    if not code.strip():
        out.say(texts.BIND_IN_GROUP)
        return
    await binding.burn(svc.db, code, ev.who.user_id, svc.clock(), svc.config.office.name)
    out.take_down()


def parse_code_args(args: list[str]) -> tuple[str, Role] | str:
    """`<unit> [role]` or `<role>` alone; returns (unit text, role) or an error text."""
    if not args:
        return texts.CODE_USAGE
    if len(args) == 1 and args[0].lower() in ROLE_WORDS:
        role = ROLE_WORDS[args[0].lower()]
        return ("", role) if role != "contact" else texts.CODE_USAGE
    if len(args) > 1 and args[-1].lower() in ROLE_WORDS:
        return (" ".join(args[:-1]), ROLE_WORDS[args[-1].lower()])
    return (" ".join(args), "contact")  # every word is part of the unit's name


async def code(ev: Event, svc: Services, out: Effects) -> None:
    """Issue a single-use binding code (admins only)."""
    who = await actor(ev, svc)
    if not who.is_admin:
        out.say(texts.CODE_NOT_ADMIN.format(office=svc.config.office.name))
        return
    parsed = parse_code_args(list(ev.args))
    if isinstance(parsed, str):
        out.say(parsed)
        return
    unit_text, role = parsed
    unit = None
    if role == "contact":
        unit = await unit_named(svc, out, unit_text)
        if unit is None:
            return
    person = who.person
    async with effect(svc.db) as tx:
        issued = await binding.issue(
            tx,
            role,
            unit,
            by=person.id if person else None,
            by_label=person.signature if person else str(who.tg_user_id),
            at=svc.clock(),
            ttl=timedelta(hours=svc.config.office.code_ttl_hours),
        )
    # Said directly, not as a durable reply: an outbox row would keep a live code in clear.
    # Should this answer be lost, the unused code is harmless and the admin asks again.
    out.say(render_code(issued, svc.config.schedule.timezone))


def render_code(issued: binding.IssuedCode, tz: str) -> str:
    unit = f"（{issued.unit.name}）" if issued.unit else ""
    return texts.CODE_ISSUED.format(
        code=issued.code,
        role=texts.ROLE_NAMES[issued.role],
        unit=unit,
        expires=texts.fmt_time(issued.expires_at, tz),
    )


async def code_in_group(ev: Event, svc: Services, out: Effects) -> None:
    """Refuse /code in a group: a code seen by a group is no longer secret."""
    out.say(texts.CODE_PRIVATE_ONLY)


async def link(ev: Event, svc: Services, out: Effects) -> None:
    """A code that takes this person, with their roles, to another platform (/bind there)."""
    who = await actor(ev, svc)
    person = who.person
    if who.is_bound and not who.roles:  # an admin by office.admins only: nothing to take
        out.say(lt.LINK_CONFIG_ADMIN)
        return
    if person is None or not who.is_bound:
        out.say(lt.LINK_UNBOUND.format(office=svc.config.office.name))
        return
    async with effect(svc.db) as tx:
        ttl = timedelta(hours=svc.config.office.code_ttl_hours)
        issued = await binding.issue_link(tx, person.id, ev.who.platform, svc.clock(), ttl)
    # Said directly, as /code's answer: an outbox row would keep a live code in clear.
    expires = texts.fmt_time(issued.expires_at, svc.config.schedule.timezone)
    carried = describe_roles(who.roles)  # the stored roles: office.admins stays behind
    out.say(lt.LINK_ISSUED.format(code=issued.code, expires=expires, roles=carried))


async def link_in_group(ev: Event, svc: Services, out: Effects) -> None:
    out.say(lt.LINK_PRIVATE_ONLY)
