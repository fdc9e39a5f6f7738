"""Notices from the office: compose, send to units through the outbox, acknowledge, remind."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.messages import CAPTION_MAX, Attachment, Button, OutMessage, utf16_len
from bot.services import notify
from bot.services.reach import Reach
from bot.services.uow import effect, reply
from bot.texts import office as ot
from storage import chats, notices, people, units
from storage.db import Database, Tx
from storage.notices import Recipient

REMIND_EVERY = timedelta(hours=1)


def ack_button(notice_id: int) -> tuple[tuple[Button, ...], ...]:
    return ((Button(text=ot.ACK, action=f"ack:{notice_id}"),),)


def _messages(notice: notices.Notice, office: str, text: str) -> list[OutMessage]:
    """The notice as one message (a file with its caption), or the file and then the text."""
    body = OutMessage(text=text, buttons=ack_button(notice.id))
    if notice.file_id is None or notice.file_kind is None:
        return [body]
    file = Attachment(kind=notice.file_kind, file_id=notice.file_id)
    if utf16_len(text) <= CAPTION_MAX:  # Telegram counts UTF-16 units: an emoji is two
        return [body.model_copy(update={"attachment": file})]
    caption = OutMessage(text=ot.NOTICE_FILE_CAPTION.format(id=notice.id), attachment=file)
    return [caption, body]


@dataclass(frozen=True)
class SentNotice:
    units: int
    groups: int
    people: int


async def send(
    db: Database,
    notice_id: int,
    office: str,
    at: datetime,
    *,
    all_units: bool,
    robots: tuple[tuple[str, str], ...] = (),
) -> SentNotice | None:
    """Send a composed notice to every target unit's groups and contacts, and a copy of its
    words to the office's and leaders' group robots (`reach.robots_on`); None if stale."""
    async with effect(db) as tx:
        if all_units:
            await notices.set_all(tx, notice_id, True)
        notice = await notices.get(tx, notice_id)
        if notice is None or notice.status != "draft":
            return None
        chosen = await notices.chosen_units(tx, notice_id)
        targets = [u for u in await units.all_units(tx) if notice.all_units or u.id in chosen]
        await notices.mark(tx, notice_id, "sent", at)
        text = ot.NOTICE_MESSAGE.format(office=office, text=notice.text)
        groups = persons = 0
        for unit in targets:
            chat_ids = [c.chat_id for c in await chats.unit_groups(tx, unit.id) if c.active]
            groups += len(chat_ids)
            for person in await people.contacts_of_unit(tx, unit.id):
                await notices.add_recipient(tx, notice_id, person.id, unit.id)
                persons += 1
                if person.tg_user_id is None:  # not on Telegram: the office's robots carry it
                    continue
                chat = await chats.get(tx, person.tg_user_id)
                if chat is not None and chat.active:
                    chat_ids.append(person.tg_user_id)
            for chat_id in chat_ids:
                await _enqueue(
                    tx, f"notice:{notice_id}", chat_id, _messages(notice, office, text), at
                )
        copy = OutMessage(text=text)  # a robot pushes words: no button to press, no file_id
        for planned in Reach([], [], robots).planned(f"notice:{notice_id}", "notice", copy):
            await notify.enqueue_planned(tx, planned, at)
        await reply(
            ot.NOTICE_SENT.format(id=notice_id, units=len(targets), groups=groups, people=persons)
        )
        return SentNotice(len(targets), groups, persons)


async def _enqueue(
    tx: Tx, key: str, chat_id: int, messages: list[OutMessage], at: datetime
) -> None:
    for index, message in enumerate(messages):
        part = "" if len(messages) == 1 else f"#{index}"
        await notify.enqueue(tx, f"{key}{part}@{chat_id}", chat_id, "notice", message, at)


@dataclass(frozen=True)
class Ack:
    outcome: str  # ok, again, not_recipient, unbound
    first: datetime | None = None


async def acknowledge(
    db: Database, notice_id: int, tg_user_id: int, is_bound: bool, at: datetime
) -> Ack:
    """The 已阅 button: the first press counts, a second changes nothing."""
    person = await people.by_tg_id(db, tg_user_id)
    recipients = {r.person_id for r in await notices.recipients(db, notice_id)}
    if person is None or person.id not in recipients:
        return Ack("not_recipient" if is_bound else "unbound")
    async with effect(db) as tx:
        if await notices.acknowledge(tx, notice_id, person.id, at):
            return Ack("ok", at)
    return Ack("again", await notices.first_ack(db, notice_id, person.id))


async def remind(db: Database, notice_id: int, office: str, at: datetime) -> int | str:
    """Remind only those who have not acknowledged, at most once an hour per notice."""
    async with effect(db) as tx:
        notice = await notices.get(tx, notice_id)
        if notice is None or notice.status != "sent":
            return ot.RECEIPTS_NOT_FOUND.format(id=notice_id)
        missing = [r for r in await notices.recipients(tx, notice_id) if r.acked_at is None]
        if not missing:
            return ot.REMIND_NOBODY
        if not await notices.claim_reminder(tx, notice_id, at, at - REMIND_EVERY):
            return ot.REMIND_TOO_SOON
        text = ot.REMIND_MESSAGE.format(office=office, id=notice_id, text=notice.text)
        message = OutMessage(text=text, buttons=ack_button(notice_id))
        stamp = at.strftime("%Y%m%d%H%M")
        for r in missing:
            if r.tg_user_id is not None:
                key = f"notice-remind:{notice_id}:{stamp}"
                await _enqueue(tx, key, r.tg_user_id, [message], at)
        return len(missing)


def rate(recipients: list[Recipient]) -> tuple[int, int]:
    """(acknowledged, total)."""
    return sum(1 for r in recipients if r.acked_at is not None), len(recipients)
