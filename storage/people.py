"""People and the roles they hold."""

from __future__ import annotations

from datetime import datetime
from typing import cast

from storage.db import Tx
from storage.models import TELEGRAM, Person, Role, RoleGrant
from storage.reader import Reader
from storage.times import iso

_PERSON = "{p}.id, {p}.tg_user_id, {p}.name, {p}.username, {p}.full_name, {p}.title"


def person_columns(alias: str = "p") -> str:
    return _PERSON.format(p=alias)


def signature_sql(alias: str = "p") -> str:
    """SQL for how a person signs (as Person.signature): 姓名（职务）, else the Telegram name."""
    p = alias
    return (
        f"CASE WHEN COALESCE({p}.full_name, '') = '' THEN {p}.name"
        f" WHEN COALESCE({p}.title, '') = '' THEN {p}.full_name"
        f" ELSE {p}.full_name || '（' || {p}.title || '）' END"
    )


async def upsert(tx: Tx, tg_user_id: int, name: str, username: str | None, at: datetime) -> Person:
    """Record a Telegram user we have seen, keeping their name current."""
    return await meet(tx, TELEGRAM, str(tg_user_id), name, username, at)


async def meet(
    tx: Tx, platform: str, user_id: str, name: str, username: str | None, at: datetime
) -> Person:
    """The person behind a platform's user, met now: created with their identity the first
    time, their name kept current after (a name changed on one platform shows everywhere)."""
    person = await by_identity(tx, platform, user_id)
    if person is not None:
        await tx.execute(
            "UPDATE people SET name = ?, username = ?, last_seen_at = ? WHERE id = ?",
            (name, username, iso(at), person.id),
        )
        return person.model_copy(update={"name": name, "username": username})
    tg_user_id = int(user_id) if platform == TELEGRAM else None
    person_id = await tx.insert(
        "INSERT INTO people (tg_user_id, name, username, created_at, last_seen_at)"
        " VALUES (?, ?, ?, ?, ?)",
        (tg_user_id, name, username, iso(at), iso(at)),
    )
    await tx.execute(
        "INSERT INTO identities (platform, user_id, person_id, linked_at) VALUES (?, ?, ?, ?)",
        (platform, user_id, person_id, iso(at)),
    )
    return Person(id=person_id, tg_user_id=tg_user_id, name=name, username=username)


async def by_tg_id(db: Reader, tg_user_id: int) -> Person | None:
    return await by_identity(db, TELEGRAM, str(tg_user_id))


async def by_identity(db: Reader, platform: str, user_id: str) -> Person | None:
    row = await db.fetchone(
        f"SELECT {person_columns()} FROM identities i JOIN people p ON p.id = i.person_id"
        " WHERE i.platform = ? AND i.user_id = ?",
        (platform, user_id),
    )
    return None if row is None else Person.from_row(row)


async def identities_of(db: Reader, person_id: int) -> list[tuple[str, str]]:
    """Where the person is known: (platform, user id), oldest first."""
    rows = await db.fetchall(
        "SELECT platform, user_id FROM identities WHERE person_id = ? ORDER BY linked_at, platform",
        (person_id,),
    )
    return [(str(r[0]), str(r[1])) for r in rows]


async def link(tx: Tx, platform: str, user_id: str, person_id: int, at: datetime) -> None:
    """The platform's user is this person from now on. A person the identity stood for
    before keeps their history, but no longer this identity (the caller checked they hold
    no role). Telegram's id also goes on the person, for the Telegram adapter."""
    await tx.execute(
        "INSERT INTO identities (platform, user_id, person_id, linked_at) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (platform, user_id) DO UPDATE SET person_id = excluded.person_id,"
        " linked_at = excluded.linked_at",
        (platform, user_id, person_id, iso(at)),
    )
    if platform == TELEGRAM:
        await tx.execute(
            "UPDATE people SET tg_user_id = NULL WHERE tg_user_id = ? AND id <> ?",
            (int(user_id), person_id),
        )
        await tx.execute("UPDATE people SET tg_user_id = ? WHERE id = ?", (int(user_id), person_id))


async def active_roles(db: Reader, person_id: int) -> list[RoleGrant]:
    rows = await db.fetchall(
        "SELECT r.id, r.person_id, r.role, r.unit_id, u.name AS unit_name, r.granted_at"
        " FROM roles r LEFT JOIN units u ON u.id = r.unit_id"
        " WHERE r.person_id = ? AND r.revoked_at IS NULL ORDER BY r.id",
        (person_id,),
    )
    return [RoleGrant.from_row(r) for r in rows]


async def grant(
    tx: Tx,
    person_id: int,
    role: Role,
    unit_id: int | None,
    at: datetime,
    granted_by: int | None,
    code_id: int | None,
) -> int:
    return await tx.insert(
        "INSERT INTO roles (person_id, role, unit_id, granted_at, granted_by, code_id)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (person_id, role, unit_id, iso(at), granted_by, code_id),
    )


async def contacts_of_unit(db: Reader, unit_id: int) -> list[Person]:
    rows = await db.fetchall(
        f"SELECT {person_columns()} FROM people p"
        " JOIN roles r ON r.person_id = p.id"
        " WHERE r.role = 'contact' AND r.unit_id = ? AND r.revoked_at IS NULL ORDER BY p.id",
        (unit_id,),
    )
    return [Person.from_row(r) for r in rows]


async def with_role(db: Reader, role: Role) -> list[Person]:
    rows = await db.fetchall(
        f"SELECT {person_columns()} FROM people p"
        " JOIN roles r ON r.person_id = p.id"
        " WHERE r.role = ? AND r.revoked_at IS NULL ORDER BY p.id",
        (role,),
    )
    return [Person.from_row(r) for r in rows]


async def contact_names_by_unit(db: Reader) -> dict[int, list[str]]:
    rows = await db.fetchall(
        f"SELECT r.unit_id, {signature_sql()} FROM roles r JOIN people p ON p.id = r.person_id"
        " WHERE r.role = 'contact' AND r.revoked_at IS NULL ORDER BY p.id"
    )
    names: dict[int, list[str]] = {}
    for row in rows:
        names.setdefault(int(row[0]), []).append(str(row[1]))
    return names


async def bound_user_ids(db: Reader) -> list[int]:
    rows = await db.fetchall(
        "SELECT DISTINCT p.tg_user_id FROM people p JOIN roles r ON r.person_id = p.id"
        " WHERE r.revoked_at IS NULL AND p.tg_user_id IS NOT NULL ORDER BY p.tg_user_id"
    )
    return [int(r[0]) for r in rows]


async def active_roles_by_user(db: Reader) -> dict[int, set[Role]]:
    """Each bound Telegram user's active roles, in one query (for the command lists)."""
    rows = await db.fetchall(
        "SELECT p.tg_user_id, r.role FROM people p JOIN roles r ON r.person_id = p.id"
        " WHERE r.revoked_at IS NULL AND p.tg_user_id IS NOT NULL"
    )
    roles: dict[int, set[Role]] = {}
    for row in rows:
        roles.setdefault(int(row[0]), set()).add(cast(Role, str(row[1])))
    return roles


async def tg_id_of(db: Reader, person_id: int) -> int | None:
    row = await db.fetchone("SELECT tg_user_id FROM people WHERE id = ?", (person_id,))
    return None if row is None or row[0] is None else int(row[0])


async def name_of(db: Reader, person_id: int) -> str:
    """How the person signs: 姓名（职务） as registered, else the Telegram name."""
    row = await db.fetchone(f"SELECT {signature_sql()} FROM people p WHERE p.id = ?", (person_id,))
    return "" if row is None else str(row[0])


async def set_names(tx: Tx, person_id: int, full_name: str | None, title: str | None) -> None:
    """Keep the 姓名 and 职务 the person gave (None: not given, the Telegram name serves)."""
    await tx.execute(
        "UPDATE people SET full_name = ?, title = ? WHERE id = ?", (full_name, title, person_id)
    )
