"""Which commands a person may use: what /help lists and their menu shows, on any platform."""

from __future__ import annotations

from collections.abc import Iterable

from bot import texts
from bot.services.access import Actor
from storage.models import Role

Pairs = list[tuple[str, str]]


def commands_for(actor: Actor) -> Pairs:
    """The commands this person may use, as /help lists them and their menu shows them."""
    return _commands(actor.is_admin, actor.is_leader, actor.contact_role is not None)


def commands_for_roles(roles: Iterable[Role], bootstrap_admin: bool) -> Pairs | None:
    """A person's own list from their roles; None when they hold none (no list of their own)."""
    held = set(roles)
    if not held and not bootstrap_admin:
        return None
    return _commands(bootstrap_admin or "admin" in held, "leader" in held, "contact" in held)


def _commands(admin: bool, leader: bool, contact: bool) -> Pairs:
    if admin:
        return list(texts.COMMANDS_ADMIN)
    if leader:
        return [*texts.COMMANDS_PRIVATE, *texts.COMMANDS_LEADER]
    if contact:
        return [*texts.COMMANDS_PRIVATE, *texts.COMMANDS_CONTACT]
    return list(texts.COMMANDS_PRIVATE)
