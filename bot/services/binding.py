"""Binding codes: issue them, and bind a person with one."""

from __future__ import annotations

import hashlib
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

from bot import texts
from bot.services import names
from bot.services.access import describe_roles
from bot.services.uow import effect, reply
from bot.texts import links as lt
from storage import audit, codes, people, units
from storage.db import Database, Tx
from storage.models import TELEGRAM, LinkCode, Role, Unit

# No 0/O, 1/I/L: codes are read off a screen and typed on a phone.
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 12  # 31**12 ≈ 2**59
MAX_FAILURES = 5
FAILURE_WINDOW = timedelta(hours=1)


def normalise(code: str) -> str:
    """Full-width to half-width, upper case, separators dropped."""
    folded = unicodedata.normalize("NFKC", code).upper()
    return "".join(ch for ch in folded if ch.isalnum())


def code_hash(code: str) -> str:
    return hashlib.sha256(("zhenggai-bind:" + normalise(code)).encode()).hexdigest()


HASHED = "#h:"  # what the inbox stores instead of a typed code (bot.redact)


def typed_hash(typed: str) -> str:
    """The hash of what the user typed: a code, or the hash the inbox kept in its place."""
    text = typed.strip()
    return text[len(HASHED) :] if text.startswith(HASHED) else code_hash(text)


def new_code() -> str:
    raw = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, CODE_LENGTH, 4))


@dataclass(frozen=True)
class IssuedCode:
    code: str
    role: Role
    unit: Unit | None
    expires_at: datetime


async def issue(
    tx: Tx,
    role: Role,
    unit: Unit | None,
    *,
    by: int | None,
    by_label: str,
    at: datetime,
    ttl: timedelta,
) -> IssuedCode:
    """Create a single-use code; only its hash is stored."""
    code = new_code()
    expires = at + ttl
    code_id = await codes.create(
        tx, code_hash(code), role, unit.id if unit else None, by, at, expires
    )
    await audit.record(
        tx,
        at=at,
        actor_id=by,
        actor_label=by_label,
        action="code",
        entity="code",
        entity_id=code_id,
        after={"role": role, "unit": unit.name if unit else None},
    )
    return IssuedCode(code, role, unit, expires)


class BindOutcome(Enum):
    BOUND = "bound"
    WRONG = "wrong"
    LOCKED = "locked"
    USED = "used"
    EXPIRED = "expired"
    ALREADY = "already"
    OTHER_UNIT = "other_unit"
    BURNED = "burned"
    LINKED = "linked"  # a link code: this platform's identity joined a bound person
    LINKED_ALREADY = "linked_already"
    LINK_TAKEN = "link_taken"  # this identity holds roles of its own
    LINK_SAME_PLATFORM = "link_same_platform"  # a link code joins another platform's account


@dataclass(frozen=True)
class IssuedLink:
    code: str
    expires_at: datetime


async def issue_link(
    tx: Tx, person_id: int, platform: str, at: datetime, ttl: timedelta
) -> IssuedLink:
    """A single-use code that joins another platform's identity to this person."""
    code = new_code()
    code_id = await codes.create_link(tx, code_hash(code), person_id, platform, at, at + ttl)
    await audit.record(
        tx,
        at=at,
        actor_id=person_id,
        actor_label=str(person_id),
        action="link_code",
        entity="person",
        entity_id=person_id,
        after={"link_code": code_id},
    )
    return IssuedLink(code, at + ttl)


@dataclass(frozen=True)
class BindResult:
    outcome: BindOutcome
    role: Role | None = None
    unit_name: str | None = None
    attempts_left: int = 0
    until: datetime | None = None
    roles: str = ""  # a link's outcomes: the roles the person holds, as a user reads them


def render(result: BindResult, office: str, tz: str) -> str:
    """What the user reads about their attempt to bind."""
    match result.outcome:
        case BindOutcome.BOUND | BindOutcome.ALREADY:
            role = texts.ROLE_NAMES[result.role or "contact"]
            unit = f"（{result.unit_name}）" if result.unit_name else ""
            template = texts.BIND_OK if result.outcome is BindOutcome.BOUND else texts.BIND_ALREADY
            return template.format(role=role, unit=unit)
        case BindOutcome.WRONG:
            return texts.BIND_WRONG.format(left=result.attempts_left)
        case BindOutcome.LOCKED:
            assert result.until is not None
            return texts.BIND_LOCKED.format(until=texts.fmt_time(result.until, tz), office=office)
        case BindOutcome.USED:
            return texts.BIND_USED.format(office=office)
        case BindOutcome.EXPIRED:
            assert result.until is not None
            return texts.BIND_EXPIRED.format(at=texts.fmt_time(result.until, tz), office=office)
        case BindOutcome.OTHER_UNIT:
            return texts.BIND_OTHER_UNIT.format(unit=result.unit_name, office=office)
        case BindOutcome.BURNED:
            return texts.BIND_BURNED.format(office=office)
        case BindOutcome.LINKED:
            return lt.LINK_OK.format(roles=result.roles)
        case BindOutcome.LINKED_ALREADY:
            return lt.LINK_ALREADY.format(roles=result.roles)
        case BindOutcome.LINK_TAKEN:
            return lt.LINK_TAKEN.format(roles=result.roles, office=office)
        case BindOutcome.LINK_SAME_PLATFORM:
            return lt.LINK_SAME_PLATFORM


async def bind(
    db: Database,
    tg_user_id: int,
    name: str,
    username: str | None,
    code: str,
    at: datetime,
    *,
    office: str = "",
    tz: str = "Asia/Shanghai",
    platform: str = TELEGRAM,
) -> BindResult:
    """Bind the user with a code (or its hash), or say precisely why not; the answer is
    part of the effect (5 wrong codes an hour lock the user out). A link code (/link)
    joins this platform's identity to the person who asked for it."""
    async with effect(db) as tx:
        hashed = typed_hash(code)
        link = await codes.link_by_hash(tx, hashed)
        if link is not None:
            result = await _link(tx, platform, tg_user_id, name, username, link, at)
        else:
            result = await _bind(tx, platform, tg_user_id, name, username, hashed, at)
        said = render(result, office, tz)
        person = await people.by_identity(tx, platform, str(tg_user_id))
        if result.outcome is BindOutcome.BOUND and person and await names.ask(tx, person):
            said += "\n\n" + texts.NAME_ASK
        await reply(said)
        return result


async def burn(db: Database, code: str, by_tg_user_id: int, at: datetime, office: str) -> bool:
    """A code shown in a group is void from now on; True when it was a live code."""
    async with effect(db) as tx:
        hashed = typed_hash(code)
        found = await codes.by_hash(tx, hashed)
        burned = found is not None and await codes.burn(tx, found.id, at)
        link = await codes.link_by_hash(tx, hashed) if found is None else None
        if link is not None and await codes.burn_link(tx, link.id, at):
            burned = True
            await audit.record(
                tx,
                at=at,
                actor_id=link.person_id,
                actor_label=str(by_tg_user_id),
                action="link_code_burned",
                entity="person",
                entity_id=link.person_id,
                detail="shown in a group chat",
            )
        if burned and found is not None:
            await audit.record(
                tx,
                at=at,
                actor_id=None,
                actor_label=str(by_tg_user_id),
                action="code_burned",
                entity="code",
                entity_id=found.id,
                detail="shown in a group chat",
            )
        await reply(
            texts.BIND_BURNED_IN_GROUP.format(office=office) if burned else texts.BIND_IN_GROUP
        )
        return burned


async def _link(
    tx: Tx,
    platform: str,
    user_id: int,
    name: str,
    username: str | None,
    found: LinkCode,
    at: datetime,
) -> BindResult:
    """Join this identity to the person the link code was issued to, once."""
    here = f"{platform}:{user_id}"
    target = await _roles_text(tx, found.person_id)
    current = await people.by_identity(tx, platform, str(user_id))
    if current is not None and current.id == found.person_id:
        return BindResult(BindOutcome.LINKED_ALREADY, roles=target)
    if found.platform == platform:  # a second account here would take the person's messages
        return BindResult(BindOutcome.LINK_SAME_PLATFORM)
    if found.used_at is not None:
        return BindResult(BindOutcome.USED)
    if found.burned_at is not None:
        return BindResult(BindOutcome.BURNED)
    if found.expires_at <= at:
        return BindResult(BindOutcome.EXPIRED, until=found.expires_at)
    if current is not None and await people.active_roles(tx, current.id):
        return BindResult(BindOutcome.LINK_TAKEN, roles=await _roles_text(tx, current.id))
    if not await codes.use_link(tx, found.id, here, at):
        return BindResult(BindOutcome.USED)
    await people.link(tx, platform, str(user_id), found.person_id, at)
    await people.meet(tx, platform, str(user_id), name, username, at)  # the name it goes by
    await audit.record(
        tx,
        at=at,
        actor_id=found.person_id,
        actor_label=name,
        action="link",
        entity="person",
        entity_id=found.person_id,
        before={"person": current.id} if current is not None else None,
        after={"identity": here},
    )
    return BindResult(BindOutcome.LINKED, roles=target)


async def _roles_text(tx: Tx, person_id: int) -> str:
    return describe_roles(await people.active_roles(tx, person_id))


async def _bind(
    tx: Tx,
    platform: str,
    tg_user_id: int,
    name: str,
    username: str | None,
    hashed: str,
    at: datetime,
) -> BindResult:
    window_start = (at - FAILURE_WINDOW).timestamp()
    failures = await codes.failures_since(tx, platform, tg_user_id, window_start)
    if len(failures) >= MAX_FAILURES:
        until = datetime.fromtimestamp(failures[-MAX_FAILURES], at.tzinfo) + FAILURE_WINDOW
        return BindResult(BindOutcome.LOCKED, until=until)
    found = await codes.by_hash(tx, hashed)
    if found is None:
        await codes.record_failure(tx, platform, tg_user_id, at.timestamp())
        return BindResult(BindOutcome.WRONG, attempts_left=MAX_FAILURES - len(failures) - 1)
    person = await people.meet(tx, platform, str(tg_user_id), name, username, at)
    held = await people.active_roles(tx, person.id)
    if found.used_at is not None:
        mine = next((r for r in held if r.role == found.role), None)
        if found.used_by == person.id and mine is not None:
            # Sent twice (the first answer may have been lost): say it worked.
            return BindResult(BindOutcome.ALREADY, role=mine.role, unit_name=mine.unit_name)
        return BindResult(BindOutcome.USED)
    if found.burned_at is not None:
        return BindResult(BindOutcome.BURNED)
    if found.expires_at <= at:
        return BindResult(BindOutcome.EXPIRED, until=found.expires_at)
    same = next((r for r in held if r.role == found.role), None)
    if same is not None:
        if found.role == "contact" and same.unit_id != found.unit_id:
            return BindResult(BindOutcome.OTHER_UNIT, unit_name=same.unit_name)
        return BindResult(BindOutcome.ALREADY, role=same.role, unit_name=same.unit_name)
    await codes.mark_used(tx, found.id, person.id, at)
    await people.grant(tx, person.id, found.role, found.unit_id, at, None, found.id)
    unit_name = None
    if found.unit_id is not None:
        unit = await units.get(tx, found.unit_id)
        unit_name = unit.name if unit else None
    await audit.record(
        tx,
        at=at,
        actor_id=person.id,
        actor_label=name,
        action="bind",
        entity="person",
        entity_id=person.id,
        before=None,
        after={"role": found.role, "unit": unit_name, "code_id": found.id},
    )
    return BindResult(BindOutcome.BOUND, role=found.role, unit_name=unit_name)
