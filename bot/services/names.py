"""The 姓名 and 职务 a person gives after binding, so reports are signed as the office knows them.

The question stays open in the database (bot_state) until it is answered, skipped or
cancelled: a restart does not lose it, and commands keep working while it is open.
"""

from __future__ import annotations

import unicodedata
from datetime import datetime

from bot import texts
from bot.services.uow import effect, reply, settle
from storage import audit, people, state
from storage.db import Database, Tx
from storage.models import Person
from storage.reader import Reader

SKIP_WORDS = {"跳过", "略过", "不填"}
MAX_NAME = 20
MAX_TITLE = 40


def wait_key(person_id: int) -> str:
    """The open question's key: the person's, whichever platform they answer on."""
    return f"name_wait:person:{person_id}"


async def ask(tx: Tx, person: Person) -> bool:
    """Inside the binding's effect: open the question unless the names are known already."""
    if person.full_name:
        return False
    await state.put(tx, wait_key(person.id), "1")
    return True


async def waiting(db: Reader, platform: str, user_id: str) -> bool:
    """Whether the person behind this platform's user has the question open (one read)."""
    found = await db.fetchone(
        "SELECT 1 FROM identities i JOIN bot_state s"
        " ON s.key = 'name_wait:person:' || i.person_id"
        " WHERE i.platform = ? AND i.user_id = ?",
        (platform, user_id),
    )
    return found is not None


def parse(text: str) -> tuple[str, str | None] | str | None:
    """(姓名, 职务 or None) split at the first space; None for 跳过; a str says what is wrong."""
    folded = " ".join(unicodedata.normalize("NFKC", text).split())
    if folded in SKIP_WORDS:
        return None
    name, _, title = folded.partition(" ")
    if not name or len(name) > MAX_NAME or len(title) > MAX_TITLE:
        return texts.NAME_BAD.format(name=MAX_NAME, title=MAX_TITLE)
    return name, title or None


async def give(db: Database, person: Person, text: str, at: datetime) -> bool:
    """Take the answer (or 跳过) and close the question; False when it must be asked again."""
    parsed = parse(text)
    if isinstance(parsed, str):
        async with effect(db):
            await reply(parsed)  # the question stays open
        return False
    settle(wait_key(person.id))  # closed by the same effect that keeps the names
    async with effect(db) as tx:
        if parsed is None:
            await reply(texts.NAME_SKIPPED.format(name=person.name))
            return True
        full_name, title = parsed
        await people.set_names(tx, person.id, full_name, title)
        signed = person.model_copy(update={"full_name": full_name, "title": title})
        await audit.record(
            tx,
            at=at,
            actor_id=person.id,
            actor_label=signed.signature,
            action="names",
            entity="person",
            entity_id=person.id,
            before={"姓名": person.full_name, "职务": person.title},
            after={"姓名": full_name, "职务": title},
        )
        await reply(texts.NAME_OK.format(signature=signed.signature))
        return True
