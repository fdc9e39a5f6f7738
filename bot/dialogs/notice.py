"""/notice: an admin composes a notice and chooses the units it goes to.

The draft lives in the database from the first answer, so the picker's presses (全部单位,
选择单位, a unit toggled, a page turned, 确认发送, 取消) each read it afresh: a press on an
old copy, or by anyone but its author, finds it stale. Receipts are `notice_receipts`.
"""

from __future__ import annotations

import re

from bot.core.effects import Effects
from bot.core.event import Event, FileRef
from bot.dialogs.common import actor
from bot.dialogs.office import ask, in_office_place, office_actor
from bot.messages import Button, OutMessage
from bot.services import notices as notice_service
from bot.services.container import Services
from bot.services.reach import robots_on
from bot.services.uow import effect, reply, retire_buttons
from bot.texts import office as ot
from storage import notices, units
from storage.models import Unit
from storage.reader import Reader

PER_PAGE = 8
COMPOSE = r"^nt:(\d+):(all|pick|send|no|u|p)(?::(\d+))?$"
FILE_WORDS = {"photo": "图片", "document": "文件"}


async def notice(ev: Event, svc: Services, out: Effects) -> None:
    """Start a notice: its text after the command, or else the next message (a question
    left open in this chat, which office_waits hands to `content`)."""
    if await office_actor(ev, svc, out, "发通知") is None:
        return
    text = " ".join(ev.args).strip()
    if not text:
        question = ot.NOTICE_ASK + ("" if ev.where.private else "\n" + ot.NOTICE_ASK_GROUP)
        await ask(svc, "notice", ev.who.user_id, ev.where.chat_id, {}, question)
        return
    await compose(ev, svc, text, None)


async def content(ev: Event, svc: Services, out: Effects) -> None:
    """The message that answered /notice: its text, or a photo or document with its caption
    (a photo first, as Telegram sends no message with both)."""
    file = next((f for f in ev.files if f.kind == "photo"), None) or next(
        (f for f in ev.files if f.kind == "document"), None
    )
    await compose(ev, svc, ev.text, file)


async def compose(ev: Event, svc: Services, text: str, file: FileRef | None) -> None:
    """Keep the draft notice and ask where it goes (the question is part of the effect)."""
    who = await actor(ev, svc)
    assert who.person is not None
    kind = FILE_WORDS.get(file.kind, "") if file is not None else ""
    head = ot.NOTICE_TARGETS.format(
        chars=len(text), file=ot.NOTICE_WITH_FILE.format(kind=kind) if kind else ""
    )
    async with effect(svc.db) as tx:
        notice_id = await notices.create(
            tx,
            text,
            file.ref if file is not None else None,
            file.kind if file is not None else None,
            who.person.id,
            svc.clock(),
        )
        buttons = (
            (
                Button(text=ot.NOTICE_ALL, action=f"nt:{notice_id}:all"),
                Button(text=ot.NOTICE_CHOOSE, action=f"nt:{notice_id}:pick"),
            ),
            (Button(text=ot.NOTICE_CANCEL, action=f"nt:{notice_id}:no"),),
        )
        await reply(OutMessage(text=head, buttons=buttons))


async def picker(db: Reader, notice_id: int, page: int) -> OutMessage:
    """One page of units, those chosen ticked, with the pages around it and 确认发送/取消."""
    chosen = await notices.chosen_units(db, notice_id)
    every = await units.all_units(db)
    pages = max(1, -(-len(every) // PER_PAGE))
    page = min(max(page, 1), pages)
    rows: list[tuple[Button, ...]] = [
        (Button(text=("✓ " if u.id in chosen else "") + u.name, action=f"nt:{notice_id}:u:{u.id}"),)
        for u in every[(page - 1) * PER_PAGE : page * PER_PAGE]
    ]
    nav = []
    if page > 1:
        nav.append(Button(text="◀", action=f"nt:{notice_id}:p:{page - 1}"))
    if page < pages:
        nav.append(Button(text="▶", action=f"nt:{notice_id}:p:{page + 1}"))
    if nav:
        rows.append(tuple(nav))
    rows.append(
        (
            Button(text=ot.NOTICE_SEND, action=f"nt:{notice_id}:send"),
            Button(text=ot.NOTICE_CANCEL, action=f"nt:{notice_id}:no"),
        )
    )
    return OutMessage(
        text=ot.NOTICE_PICK.format(count=len(chosen)) + f"（{page}/{pages}）", buttons=tuple(rows)
    )


def page_of(every: list[Unit], unit_id: int) -> int:
    """The picker page that shows this unit (a toggle keeps the page it was on)."""
    index = next((i for i, u in enumerate(every) if u.id == unit_id), 0)
    return index // PER_PAGE + 1


async def compose_button(ev: Event, svc: Services, out: Effects) -> None:
    """全部单位, 选择单位 (toggle units, page), 确认发送, 取消 — only the notice's author."""
    found = re.match(COMPOSE, ev.action or "")
    if found is None:
        return
    notice_id, action, arg = int(found.group(1)), found.group(2), found.group(3)
    who = await actor(ev, svc)
    draft = await notices.get(svc.db, notice_id)
    if (
        draft is None
        or draft.status != "draft"
        or who.person is None
        or draft.created_by != who.person.id
        or not await in_office_place(ev, svc)
    ):
        out.answer_press(ot.NOTICE_STALE, alert=True)
        return
    if action in ("p", "pick"):
        await _turn_page(ev, svc, out, notice_id, action, arg)
    elif action == "u":
        await _toggle(ev, svc, out, notice_id, int(arg or 0))
    elif action == "no":
        retire_buttons()
        async with effect(svc.db) as tx:
            await notices.mark(tx, notice_id, "cancelled", svc.clock())
            await reply(ot.NOTICE_CANCELLED)
        out.answer_press()
    elif action == "send" and not await notices.chosen_units(svc.db, notice_id):
        # 确认发送 is the picker's: it sends to the units ticked there, never to all of them
        # (a draft starts as "all units", and 选择单位 changes nothing until a unit is ticked).
        out.answer_press(ot.NOTICE_NONE_CHOSEN, alert=True)
    else:
        await _send(svc, out, notice_id, all_units=action == "all")


async def _turn_page(
    ev: Event, svc: Services, out: Effects, notice_id: int, action: str, arg: str | None
) -> None:
    """选择单位 or a page turned: the pressed message becomes the picker (nothing changes
    in the database, so this is a plain edit, not an effect's reply)."""
    if action == "pick" and not await units.all_units(svc.db):
        out.say(ot.NOTICE_NO_UNITS)
        out.answer_press()
        return
    shown = await picker(svc.db, notice_id, int(arg or 1) if action == "p" else 1)
    if ev.pressed is not None:
        out.edit(ev.pressed, shown)
    out.answer_press()


async def _toggle(ev: Event, svc: Services, out: Effects, notice_id: int, unit_id: int) -> None:
    """A unit ticked or unticked: the choice and the picker showing it are one effect."""
    async with effect(svc.db) as tx:
        await notices.set_all(tx, notice_id, False)
        await notices.toggle_unit(tx, notice_id, unit_id)
        shown = await picker(tx, notice_id, page_of(await units.all_units(tx), unit_id))
        if ev.pressed is not None:
            await reply(shown.model_copy(update={"edit_message_id": ev.pressed}))
    out.answer_press()


async def _send(svc: Services, out: Effects, notice_id: int, *, all_units: bool) -> None:
    """全部单位 or 确认发送: the notice goes out (its confirmation is the effect's reply)."""
    retire_buttons()
    sent = await notice_service.send(
        svc.db,
        notice_id,
        svc.config.office.name,
        svc.clock(),
        all_units=all_units,
        robots=robots_on(svc.config.channels),
    )
    out.answer_press(None if sent else ot.NOTICE_STALE, alert=sent is None)
