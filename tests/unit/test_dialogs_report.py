"""The report dialogs on neutral events: a contact reports on another platform, no Telegram.

Who may report and where, a report from a quick message to its receipt, a file fetched
through the event (kept, too big for the platform, refused by it, not writable), and the
draft's buttons. What the user reads is either said (`Effects`) or an outbox reply written
with the change.
"""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from bot.config import parse_config
from bot.core.effects import Dialog, Effects, Toast
from bot.core.event import Event, FetchFailed, FileRef, Place, Sender
from bot.dialogs import report_commands, report_flow, report_press
from bot.messages import OutMessage
from bot.services import binding
from bot.services.container import Services
from bot.services.reporting import flow
from bot.texts import reporting as rt
from storage import chats, ledger, outbox, people, units
from storage.migrations import open_database
from tests import dbs
from tests.e2e.reporting import seed_rows
from tests.unit.core_kit import allowing, run_turn
from tests.unit.test_dialogs import AT

ADMIN, CONTACT, STRANGER, OFFICE, GROUP = 11, 22, 33, -900, -901
MB = 1024 * 1024
# Another platform's limits: larger texts, a download limit of its own.
LIMITS = allowing(2 * MB)
PHOTO = b"\xff\xd8 a photo of the refund slip"
_ids = itertools.count(100)


async def fetch(file: FileRef) -> bytes:
    if file.ref == "gone":
        raise FetchFailed("文件已过期")
    return PHOTO


def event(
    user: int,
    text: str = "",
    *,
    command: str | None = None,
    args: tuple[str, ...] = (),
    files: tuple[FileRef, ...] = (),
    action: str | None = None,
    pressed: int | None = None,
    pressed_text: str = "",
) -> Event:
    """What `user` did in their private chat with the bot."""
    return Event(
        next(_ids),
        AT,
        Sender("feishu", user, "某人"),
        Place(user, True),
        text,
        command,
        args,
        files,
        action=action,
        pressed=pressed,
        pressed_text=pressed_text,
        limits=LIMITS,
        fetch=fetch,
    )


@pytest.fixture
async def svc(tmp_path: Path) -> AsyncIterator[Services]:
    """Services on a fresh database: a ledger, a bound contact, the office's group."""
    config = parse_config(
        {
            "storage": dbs.storage(tmp_path, "d", evidence_dir=str(tmp_path / "ev")),
            "office": {"admins": [ADMIN]},
        }
    )
    db = await open_database(config.storage.target)
    async with db.transaction() as tx:
        await seed_rows(tx, AT)
        await people.meet(tx, "feishu", str(STRANGER), "路人", None, AT)
        admin = await people.meet(tx, "feishu", str(ADMIN), "王主任", None, AT)
        # office.admins are Telegram ids: on this platform the admin holds the role.
        await people.grant(tx, admin.id, "admin", None, AT, None, None)
        await chats.remember(tx, OFFICE, "group", "巡察办工作群")
        await chats.register(tx, OFFICE, "office", None, by=admin.id, at=AT)
        unit = await units.by_name(tx, "县财政局")
        issued = await binding.issue(
            tx, "contact", unit, by=None, by_label="t", at=AT, ttl=timedelta(hours=1)
        )
    await binding.bind(db, CONTACT, "王芳", None, issued.code, AT, platform="feishu")
    yield Services(config=config, db=db, clock=lambda: AT)
    await db.close()


async def run(dialog: Dialog, ev: Event, svc: Services) -> tuple[Effects, list[OutMessage]]:
    """Run a dialog as the inbox lane would; its effects, and the replies its change wrote."""
    return await run_turn(dialog, ev, svc)


def texts(out: Effects) -> list[str]:
    return [m.text for m in out.said]


def action(message: OutMessage, label: str) -> str:
    return next(b.action for row in message.buttons for b in row if b.text == label)


async def test_who_may_not_report_is_told_why_and_other_messages_pass(svc: Services) -> None:
    code = await run(report_flow.route, event(STRANGER, "R6-01-001 已整改"), svc)
    chat = await run(report_flow.route, event(STRANGER, "你好"), svc)
    admin = await run(report_commands.mine, event(ADMIN, "/mine", command="mine"), svc)
    other = event(CONTACT, "/report R6-02-001", command="report", args=("R6-02-001",))
    elsewhere = await run(report_commands.report, other, svc)
    assert texts(code[0]) == [rt.NOT_BOUND.format(office="县委巡察办")]
    assert code[0].taken
    assert chat[0].said == []
    assert not chat[0].taken
    assert texts(admin[0]) == [rt.ADMIN_NOT_CONTACT]
    assert texts(elsewhere[0]) == [
        rt.OTHER_UNIT.format(code="R6-02-001", unit="县水利局", mine="县财政局")
    ]
    assert [r for _, r in (code, chat, admin, elsewhere) if r] == []  # nothing changed


async def test_a_quick_report_goes_from_its_message_to_a_receipt(svc: Services) -> None:
    quick, [claim] = await run(report_flow.route, event(CONTACT, "R6-01-001 已全额清退"), svc)
    assert quick.taken
    assert claim.text == rt.CLAIM.format(code="R6-01-001")
    done = event(
        CONTACT, action=action(claim, rt.CLAIM_COMPLETED), pressed=7, pressed_text=claim.text
    )
    answer, [shown, money] = await run(report_press.press, done, svc)
    assert answer.toast == Toast(None)
    assert (shown.edit_message_id, shown.text) == (7, claim.text + rt.CLAIM_COMPLETED)
    assert money.text == rt.MONEY
    refused, unchanged = await run(report_flow.route, event(CONTACT, "许多"), svc)
    assert texts(refused) == [rt.FIG_NOT_NUMBER.format(text="许多")]
    assert refused.taken
    assert unchanged == []
    none = event(CONTACT, action=action(money, rt.SKIP_ALL), pressed=8, pressed_text=money.text)
    _, [_, card] = await run(report_press.press, none, svc)
    assert card.text.startswith("请核对后提交：")
    assert "已全额清退" in card.text
    ok = event(CONTACT, action=action(card, rt.SUBMIT), pressed=9, pressed_text=card.text)
    _, replies = await run(report_press.press, ok, svc)
    problem = (await ledger.by_code(svc.db, "R6-01-001"))[0]
    reported = await svc.db.scalar("SELECT text FROM reports WHERE problem_id = ?", (problem.id,))
    assert reported == "已全额清退"
    assert problem.status == "awaiting_acceptance"
    assert replies[-1].text.startswith("已收到您的报告。")
    assert replies[0].edit_message_id == 9  # the card shows it was submitted, in its place
    assert replies[0].text == f"{card.text}\n\n{rt.ANSWER_SUBMITTED}"


async def test_a_reply_to_the_bots_message_is_about_the_problem_it_names(svc: Services) -> None:
    """In a unit's group: one code named starts a report with the reply, several ask which;
    someone not bound is told their reply counts for nothing."""
    unit, admin = (
        await units.by_name(svc.db, "县财政局"),
        await people.by_identity(svc.db, "feishu", str(ADMIN)),
    )
    assert unit is not None
    assert admin is not None
    async with svc.db.transaction() as tx:
        await chats.remember(tx, GROUP, "supergroup", "县财政局整改群")
        await chats.register(tx, GROUP, "unit", unit.id, by=admin.id, at=AT)

    def reply(user: int, text: str, to: str) -> Event:
        return replace(event(user, text), where=Place(GROUP, False), reply_to=5, reply_text=to)

    todo = "待办：R6-01-001 逾期 3 天；R6-01-002 未报告"
    many, _ = await run(report_flow.route, reply(CONTACT, "已整改", todo), svc)
    unbound, _ = await run(report_flow.route, reply(STRANGER, "已整改", "R6-01-002 请报告"), svc)
    one, [claim] = await run(report_flow.route, reply(CONTACT, "已整改", "R6-01-002 请报告"), svc)
    assert texts(many) == [rt.WHICH_OF_MANY.format(code="R6-01-001")]
    assert texts(unbound) == [rt.UNBOUND_REPLY.format(office="县委巡察办")]
    assert unbound.taken
    assert one.taken
    assert claim.text == rt.CLAIM.format(code="R6-01-002")
    contact = await people.by_identity(svc.db, "feishu", str(CONTACT))
    assert contact is not None
    draft = await flow.current(svc.db, contact.id)
    assert draft is not None
    assert (draft.chat_id, draft.texts) == (GROUP, ["已整改"])


async def test_files_are_kept_noted_or_refused_as_the_platform_and_disk_allow(
    svc: Services, tmp_path: Path
) -> None:
    await run(report_flow.route, event(CONTACT, "R6-01-001"), svc)  # a draft, collecting
    photo = FileRef("photo", "p1", None, len(PHOTO), "image/jpeg", "u1")
    kept, [got] = await run(report_flow.route, event(CONTACT, "退款凭证", files=(photo,)), svc)
    video = FileRef("document", "v1", "会议录像.mp4", 3 * MB, "video/mp4", "u2")
    _, [note, _] = await run(report_flow.route, event(CONTACT, files=(video,)), svc)
    lost = FileRef("document", "gone", "旧文件.pdf", 10, "application/pdf", "u3")
    await run(report_flow.route, event(CONTACT, files=(lost,)), svc)
    contact = await people.by_identity(svc.db, "feishu", str(CONTACT))
    assert contact is not None
    draft = await flow.current(svc.db, contact.id)
    assert draft is not None
    first, second, third = draft.files
    assert kept.taken
    assert got.text == rt.GOT.format(texts=1, files=1)
    assert draft.texts == ["退款凭证"]
    assert first.sha256 is not None
    assert Path(first.local_path or "").read_bytes() == PHOTO
    assert note.text == rt.GOT_TOO_BIG.format(name="会议录像.mp4", note="超过 2 MB，未下载")
    assert (second.note, second.sha256) == ("超过 2 MB，未下载", None)
    assert third.note == rt.FILE_NOTE_NOT_FETCHED  # Chinese only: the reason goes to the log
    # The evidence folder cannot be written: the user is told, the office alerted, no change.
    folder = tmp_path / "not-a-folder"
    folder.write_text("")
    svc.config = svc.config.model_copy(
        update={"storage": svc.config.storage.model_copy(update={"evidence_dir": folder})}
    )
    other = FileRef("photo", "p2", None, 10, "image/jpeg", "u4")
    refused, replies = await run(report_flow.route, event(CONTACT, files=(other,)), svc)
    alerts = [i for i in await outbox.all_items(svc.db) if i.kind == "alert"]
    after = await flow.current(svc.db, draft.person_id)
    assert texts(refused) == [rt.FILE_NOT_KEPT]
    assert refused.taken
    assert replies == []
    assert [a.chat_id for a in alerts] == [OFFICE]
    assert after is not None
    assert len(after.files) == 3


async def test_a_stale_or_premature_button_is_refused_with_an_alert(svc: Services) -> None:
    _, [start] = await run(
        report_commands.report, event(CONTACT, command="report", args=("R6-01-001",)), svc
    )
    done = action(start, rt.DONE_BUTTON)
    empty, replies = await run(report_press.press, event(CONTACT, action=done), svc)
    stale, _ = await run(report_press.press, event(CONTACT, action="rd:000000:done"), svc)
    stranger, _ = await run(report_press.press, event(STRANGER, action=done), svc)
    listing, _ = await run(report_commands.mine, event(CONTACT, command="mine"), svc)
    assert start.text.startswith("正在报告：R6-01-001")
    assert empty.toast == Toast(rt.NEED_CONTENT, alert=True)  # not replaced by a plain answer
    assert replies == []
    assert stale.toast == Toast(rt.STALE_BUTTON, alert=True)
    assert stranger.toast == Toast(rt.NOT_YOUR_DRAFT, alert=True)
    [message] = listing.said
    assert message.text.startswith(rt.MINE_HEAD.format(unit="县财政局", count=3))
    assert rt.REPORT_BUTTON.format(code="R6-01-003") in [b.text for r in message.buttons for b in r]
