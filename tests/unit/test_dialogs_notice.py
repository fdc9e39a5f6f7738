"""The notice dialogs on neutral events: compose, pick units, send, 已阅, receipts, remind.

Each event runs as its own turn (as the platform's inbox lane runs it), so what confirms a
change is read from the outbox, and what confirms none from the dialog's effects.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from itertools import count
from pathlib import Path

import pytest

from bot.config import parse_config
from bot.core.effects import Dialog, Effects
from bot.core.event import Event, FileRef, Place, Sender
from bot.dialogs import notice, notice_receipts
from bot.dialogs.office import wait_key
from bot.messages import OutMessage
from bot.services.container import Services
from bot.texts import office as ot
from storage import chats, notices, outbox, people, state, units
from storage.migrations import open_database
from tests import dbs
from tests.unit.core_kit import ELSEWHERE, run_turn

AT = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)
ADMIN, OTHER_ADMIN, CONTACT, STRANGER = 11, 12, 22, 33
OFFICE_GROUP, SOME_GROUP = -600, -700
PRESSED = 77  # the bot's message whose button is pressed
OFFICE = "县委巡察办"
# Another platform's limits (the core takes them from the event, never from a constant).
LIMITS = ELSEWHERE
NAMES = {ADMIN: "王主任", OTHER_ADMIN: "李副主任", CONTACT: "王芳", STRANGER: "路人"}
UPDATES = count(1)  # each event its own update (a reply's outbox key names its update)


@pytest.fixture
async def svc(tmp_path: Path) -> AsyncIterator[Services]:
    """Ten units (two picker pages); a contact of the first, reachable in private; the office
    group registered, another group not."""
    config = parse_config(
        {
            "storage": dbs.storage(tmp_path, "d"),
            "office": {"admins": [ADMIN, OTHER_ADMIN]},
        }
    )
    db = await open_database(config.storage.target)
    async with db.transaction() as tx:
        person = {uid: await people.upsert(tx, uid, name, None, AT) for uid, name in NAMES.items()}
        finance = await units.create(tx, "县财政局", AT)
        for n in range(2, 11):
            await units.create(tx, f"第{n}单位", AT)
        await people.grant(tx, person[CONTACT].id, "contact", finance.id, AT, None, None)
        # Everyone acts on the other platform too (linked); office.admins are Telegram ids,
        # so the admins hold the role there.
        for uid in NAMES:
            await people.link(tx, "feishu", str(uid), person[uid].id, AT)
        for uid in (ADMIN, OTHER_ADMIN):
            await people.grant(tx, person[uid].id, "admin", None, AT, None, None)
        await chats.remember(tx, CONTACT, "private", NAMES[CONTACT])
        await chats.remember(tx, OFFICE_GROUP, "supergroup", "巡察办工作群")
        await chats.register(tx, OFFICE_GROUP, "office", None, person[ADMIN].id, AT)
        await chats.remember(tx, SOME_GROUP, "supergroup", "某群")
    yield Services(config=config, db=db)
    await db.close()


def event(
    user: int,
    *,
    chat: int | None = None,
    command: str | None = None,
    args: tuple[str, ...] = (),
    text: str = "",
    files: tuple[FileRef, ...] = (),
    action: str | None = None,
) -> Event:
    place = Place(chat if chat is not None else user, private=chat is None)
    return Event(
        next(UPDATES),
        AT,
        Sender("feishu", user, NAMES[user]),
        place,
        text,
        command,
        args,
        files,
        action=action,
        pressed=PRESSED if action is not None else None,
        limits=LIMITS,
    )


async def run(dialog: Dialog, ev: Event, svc: Services) -> Effects:
    """The dialog on the event, as one turn (so an effect's reply lands in the outbox)."""
    return (await run_turn(dialog, ev, svc))[0]


async def sent_to(svc: Services, chat: int, kind: str = "reply") -> list[OutMessage]:
    return [
        OutMessage.model_validate_json(i.payload)
        for i in await outbox.all_items(svc.db)
        if i.chat_id == chat and i.kind == kind
    ]


def actions(message: OutMessage) -> list[str]:
    return [b.action for row in message.buttons for b in row]


async def draft(svc: Services, text: str = "请于周五前报送整改材料") -> int:
    await run(notice.notice, event(ADMIN, command="notice", args=tuple(text.split())), svc)
    latest = await svc.db.scalar("SELECT MAX(id) FROM notices")
    assert isinstance(latest, int)
    return latest


async def test_notice_refuses_anyone_but_an_admin_and_anywhere_but_the_office(
    svc: Services,
) -> None:
    stranger = await run(notice.notice, event(STRANGER, command="notice", args=("通知",)), svc)
    elsewhere = await run(
        notice.notice, event(ADMIN, chat=SOME_GROUP, command="notice", args=("通知",)), svc
    )
    assert [m.text for m in stranger.said] == [ot.ADMIN_ONLY.format(office=OFFICE, what="发通知")]
    assert [m.text for m in elsewhere.said] == [ot.WHERE_ADMIN]
    assert await svc.db.scalar("SELECT COUNT(*) FROM notices") == 0


async def test_a_photo_answering_the_question_becomes_the_draft_with_its_caption(
    svc: Services,
) -> None:
    asked = await run(notice.notice, event(ADMIN, chat=OFFICE_GROUP, command="notice"), svc)
    assert asked.said == []  # the question is the effect's reply: it opens a wait
    [question] = await sent_to(svc, OFFICE_GROUP)
    assert question.text == ot.NOTICE_ASK + "\n" + ot.NOTICE_ASK_GROUP
    assert await state.get(svc.db, wait_key("notice", ADMIN, OFFICE_GROUP)) is not None
    photo = FileRef("photo", "photo-ref-1", None, 1000, "image/jpeg")
    await run(notice.content, event(ADMIN, chat=OFFICE_GROUP, text="周五前", files=(photo,)), svc)
    made = await notices.get(svc.db, 1)
    assert made is not None
    assert (made.text, made.file_id, made.file_kind) == ("周五前", "photo-ref-1", "photo")
    [_, targets] = await sent_to(svc, OFFICE_GROUP)
    kind = ot.NOTICE_WITH_FILE.format(kind="图片")
    assert targets.text == ot.NOTICE_TARGETS.format(chars=3, file=kind)
    assert actions(targets) == ["nt:1:all", "nt:1:pick", "nt:1:no"]


async def test_units_picked_page_by_page_and_sent_reach_only_the_chosen(svc: Services) -> None:
    notice_id = await draft(svc)

    def press(user: int, what: str) -> Event:
        return event(user, action=f"nt:{notice_id}:{what}")

    # Another admin may not steer this admin's draft.
    stolen = await run(notice.compose_button, press(OTHER_ADMIN, "pick"), svc)
    assert stolen.toast is not None
    assert (stolen.toast.text, stolen.toast.alert) == (ot.NOTICE_STALE, True)
    assert stolen.said == []
    picked = await run(notice.compose_button, press(ADMIN, "pick"), svc)
    [shown] = picked.said
    assert shown.edit_message_id == PRESSED
    assert shown.text == ot.NOTICE_PICK.format(count=0) + "（1/2）"
    assert f"nt:{notice_id}:p:2" in actions(shown)
    # 确认发送 straight after 选择单位, nothing ticked: refused, the notice goes nowhere.
    hasty = await run(notice.compose_button, press(ADMIN, "send"), svc)
    assert hasty.toast is not None
    assert (hasty.toast.text, hasty.toast.alert) == (ot.NOTICE_NONE_CHOSEN, True)
    still = await notices.get(svc.db, notice_id)
    assert still is not None
    assert still.status == "draft"
    second = (await run(notice.compose_button, press(ADMIN, "p:2"), svc)).said[0]
    assert second.text.endswith("（2/2）")
    assert [b.text for row in second.buttons[:2] for b in row] == ["第9单位", "第10单位"]
    # 县财政局 (unit 1) ticked, then unticked: nothing chosen, nothing sent.
    await run(notice.compose_button, press(ADMIN, "u:1"), svc)
    ticked = (await sent_to(svc, ADMIN))[-1]
    assert ticked.edit_message_id == PRESSED
    assert ticked.buttons[0][0].text == "✓ 县财政局"
    assert ticked.text == ot.NOTICE_PICK.format(count=1) + "（1/2）"
    await run(notice.compose_button, press(ADMIN, "u:1"), svc)
    empty = await run(notice.compose_button, press(ADMIN, "send"), svc)
    assert empty.toast is not None
    assert (empty.toast.text, empty.toast.alert) == (ot.NOTICE_NONE_CHOSEN, True)
    await run(notice.compose_button, press(ADMIN, "u:1"), svc)
    sent = await run(notice.compose_button, press(ADMIN, "send"), svc)
    assert sent.toast is not None
    assert (sent.toast.text, sent.toast.alert) == (None, False)
    assert (await sent_to(svc, ADMIN))[-1].text == ot.NOTICE_SENT.format(
        id=notice_id, units=1, groups=0, people=1
    )
    [delivered] = await sent_to(svc, CONTACT, "notice")
    assert actions(delivered) == [f"ack:{notice_id}"]
    again = await run(notice.compose_button, press(ADMIN, "send"), svc)
    assert again.toast is not None
    assert again.toast.text == ot.NOTICE_STALE


async def test_cancel_sends_the_draft_to_nobody(svc: Services) -> None:
    notice_id = await draft(svc)
    await run(notice.compose_button, event(ADMIN, action=f"nt:{notice_id}:no"), svc)
    made = await notices.get(svc.db, notice_id)
    assert made is not None
    assert made.status == "cancelled"
    assert ot.NOTICE_CANCELLED in [m.text for m in await sent_to(svc, ADMIN)]
    assert await sent_to(svc, CONTACT, "notice") == []


async def test_acknowledgements_receipts_and_reminders(svc: Services) -> None:
    notice_id = await draft(svc)
    await run(notice.compose_button, event(ADMIN, action=f"nt:{notice_id}:all"), svc)
    receipts = event(ADMIN, command="receipts")
    before = (await run(notice_receipts.receipts, receipts, svc)).said[0]
    assert ot.RECEIPTS_MISSING in before.text
    assert actions(before) == [f"rr:{notice_id}"]
    # 提醒未阅 re-checks who presses it.
    remind = f"rr:{notice_id}"
    refused = await run(notice_receipts.remind, event(STRANGER, action=remind), svc)
    assert refused.toast is not None
    assert refused.toast.text == ot.ADMIN_ONLY.format(office=OFFICE, what="提醒未阅")
    reminded = await run(notice_receipts.remind, event(ADMIN, action=remind), svc)
    assert reminded.toast is not None
    assert reminded.toast.text == ot.REMIND_SENT.format(count=1)
    assert len(await sent_to(svc, CONTACT, "notice")) == 2  # the notice, and its reminder
    ack = f"ack:{notice_id}"
    first = await run(notice_receipts.ack, event(CONTACT, action=ack), svc)
    second = await run(notice_receipts.ack, event(CONTACT, action=ack), svc)
    outsider = await run(notice_receipts.ack, event(STRANGER, action=ack), svc)
    assert first.toast is not None
    assert (first.toast.text, first.toast.alert) == (ot.ACK_OK, False)
    assert second.toast is not None
    assert second.toast.text is not None
    assert second.toast.text.startswith("您已于")
    assert outsider.toast is not None
    assert (outsider.toast.text, outsider.toast.alert) == (
        ot.ACK_UNBOUND.format(office=OFFICE),
        True,
    )
    assert await svc.db.scalar("SELECT COUNT(*) FROM notice_receipts") == 1
    after = (await run(notice_receipts.receipts, receipts, svc)).said[0]
    assert ot.RECEIPTS_ACKED in after.text
    assert ot.RECEIPTS_MISSING not in after.text
    assert after.buttons == ()  # nobody left to remind
    assert "王芳（县财政局）" in after.text


async def test_receipts_refuse_a_stranger_and_say_which_notice_is_unknown(svc: Services) -> None:
    stranger = await run(notice_receipts.receipts, event(STRANGER, command="receipts"), svc)
    none = await run(notice_receipts.receipts, event(ADMIN, command="receipts"), svc)
    named = await run(notice_receipts.receipts, event(ADMIN, command="receipts", args=("#9",)), svc)
    assert [m.text for m in stranger.said] == [
        ot.ADMIN_ONLY.format(office=OFFICE, what="查看通知的已阅情况")
    ]
    assert [m.text for m in none.said] == [ot.RECEIPTS_NONE]
    assert [m.text for m in named.said] == [ot.RECEIPTS_NOT_FOUND.format(id="#9")]
