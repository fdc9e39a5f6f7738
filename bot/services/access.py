"""Who is acting: the person behind a Telegram user and the roles they hold."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from bot import texts
from storage import people
from storage.models import TELEGRAM, Person, RoleGrant
from storage.reader import Reader


@dataclass(frozen=True)
class Actor:
    tg_user_id: int
    person: Person | None
    roles: tuple[RoleGrant, ...]
    bootstrap_admin: bool

    @property
    def is_admin(self) -> bool:
        return self.bootstrap_admin or any(r.role == "admin" for r in self.roles)

    @property
    def is_leader(self) -> bool:
        return any(r.role == "leader" for r in self.roles)

    @property
    def contact_role(self) -> RoleGrant | None:
        return next((r for r in self.roles if r.role == "contact"), None)

    @property
    def is_bound(self) -> bool:
        return self.is_admin or bool(self.roles)

    def describe(self) -> str:
        """The roles as a user reads them, e.g. 联络员（县交通运输局）."""
        return describe_roles(self.roles, config_admin=self.bootstrap_admin)


def describe_roles(grants: Iterable[RoleGrant], *, config_admin: bool = False) -> str:
    """Roles as a user reads them; an admin by office.admins first unless also one by role;
    未绑定 when there are none."""
    held = tuple(grants)
    names = []
    if config_admin and not any(r.role == "admin" for r in held):
        names.append(texts.ROLE_NAMES["admin"])
    for grant in held:
        unit = f"（{grant.unit_name}）" if grant.unit_name else ""
        names.append(texts.ROLE_NAMES[grant.role] + unit)
    return "、".join(names) or texts.HELP_UNBOUND_ROLE


async def load_actor(db: Reader, tg_user_id: int, admins: Iterable[int]) -> Actor:
    """The person behind a Telegram user (the bootstrap admins are Telegram ids)."""
    return await load_actor_on(db, TELEGRAM, tg_user_id, admins)


async def load_actor_on(db: Reader, platform: str, user_id: int, admins: Iterable[int]) -> Actor:
    """The person behind a platform's user, with every role they hold, whichever platform
    they were bound on. `office.admins` names Telegram ids: on another platform an admin is
    an admin by role (bound there with an admin code, or linked from Telegram with /link)."""
    person = await people.by_identity(db, platform, str(user_id))
    roles = tuple(await people.active_roles(db, person.id)) if person else ()
    bootstrap = platform == TELEGRAM and user_id in set(admins)
    return Actor(user_id, person, roles, bootstrap)
