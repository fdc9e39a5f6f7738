"""The ledger's dialogs on neutral events: reading it, exporting it, importing it.

No Telegram here: a made-up platform ("feishu", its own limits, its own way to fetch a
file) and real services on a real database. What a person reads is either said by the
dialog (`Effects`) or, when it confirms a change, a reply queued in the outbox with it.
"""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot import texts
from bot.config import parse_config
from bot.core.effects import Dialog, Effects, Toast
from bot.core.event import Event, Fetch, FileRef, Place, Sender
from bot.dialogs import ledger_export, ledger_import, ledger_views
from bot.dialogs.office import read_wait
from bot.messages import OutMessage
from bot.services.container import Services
from bot.services.ledger import report_text
from bot.services.ledger.importer import apply_import
from bot.services.ledger.rows import LedgerRow
from bot.texts import ledger as lt
from bot.texts import office as ot
from storage import chats, ledger, outbox, people, units
from storage.migrations import open_database
from tests import dbs
from tests.unit.core_kit import allowing, run_turn
from tests.unit.test_ledger_import import csv_bytes, good_rows, row

AT = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)  # a Tuesday, 10:00 at the office
ADMIN, OTHER_ADMIN, CONTACT, STRANGER = 11, 12, 22, 33
OFFICE_GROUP, UNIT_GROUP = -600, -700
UNIT = "县财政局"
# Another platform's limits: it lets a bot fetch files of up to 1 MB only.
LIMITS = allowing(1 << 20)  # it lets a bot fetch files of up to 1 MB only
NAMES = {ADMIN: "王主任", OTHER_ADMIN: "赵科长", CONTACT: "王芳", STRANGER: "路人"}
_ids = itertools.count(1)


@pytest.fixture
async def svc(tmp_path: Path) -> AsyncIterator[Services]:
    """An office with two admins, a unit with its contact, the office's and the unit's group."""
    config = parse_config(
        {
            "storage": dbs.storage(tmp_path, "d"),
            "office": {"admins": [ADMIN, OTHER_ADMIN]},
        }
    )
    db = await open_database(config.storage.target)
    async with db.transaction() as tx:
        for user, name in NAMES.items():
            await people.upsert(tx, user, name, None, AT)
        unit = await units.create(tx, UNIT, AT)
        contact, admin = await people.by_tg_id(tx, CONTACT), await people.by_tg_id(tx, ADMIN)
        assert contact is not None
        assert admin is not None
        await people.grant(tx, contact.id, "contact", unit.id, AT, None, None)
        # Everyone acts on the other platform too (linked); office.admins are Telegram ids,
        # so the admins hold the role there.
        for user in NAMES:
            found = await people.by_tg_id(tx, user)
            assert found is not None
            await people.link(tx, "feishu", str(user), found.id, AT)
            if user in (ADMIN, OTHER_ADMIN):
                await people.grant(tx, found.id, "admin", None, AT, None, None)
        await chats.remember(tx, OFFICE_GROUP, "supergroup", "巡察办工作群")
        await chats.register(tx, OFFICE_GROUP, "office", None, admin.id, AT)
        await chats.remember(tx, UNIT_GROUP, "supergroup", "县财政局整改群")
        await chats.register(tx, UNIT_GROUP, "unit", unit.id, admin.id, AT)
    yield Services(config=config, db=db, clock=lambda: AT)
    await db.close()


def event(
    user: int,
    *,
    chat: int | None = None,
    text: str = "",
    command: str | None = None,
    args: tuple[str, ...] = (),
    files: tuple[FileRef, ...] = (),
    action: str | None = None,
    pressed: int | None = None,
    fetch: Fetch | None = None,
) -> Event:
    """What `user` did in their private chat with the bot, or in the group `chat`."""
    place = Place(chat if chat is not None else user, private=chat is None)
    who = Sender("feishu", user, NAMES[user])
    return Event(
        next(_ids),
        AT,
        who,
        place,
        text,
        command,
        args,
        files,
        action=action,
        pressed=pressed,
        limits=LIMITS,
        fetch=fetch,
    )


def command(user: int, name: str, *args: str, chat: int | None = None) -> Event:
    return event(user, chat=chat, text=f"/{name}", command=name, args=args)


def press(user: int, action: str, *, chat: int | None = None, on: int = 77) -> Event:
    return event(user, chat=chat, action=action, pressed=on)


def document(
    user: int,
    data: bytes,
    *,
    caption: str = "",
    size: int | None = None,
    chat: int | None = None,
) -> Event:
    """A file sent with an optional caption; the platform hands over `data` when asked."""

    async def fetch(file: FileRef) -> bytes:
        return data

    file = FileRef("document", "file-1", "台账.csv", len(data) if size is None else size)
    return event(user, chat=chat, text=caption, files=(file,), fetch=fetch)


async def run(dialog: Dialog, ev: Event, svc: Services) -> Effects:
    """Run a dialog as the inbox lane does: within a turn, so durable replies are queued."""
    return (await run_turn(dialog, ev, svc))[0]


async def replies(svc: Services) -> list[OutMessage]:
    """Every reply queued so far (what the outbox sends), oldest first."""
    items = sorted(await outbox.all_items(svc.db), key=lambda i: i.id)
    return [OutMessage.model_validate_json(i.payload) for i in items if i.kind == "reply"]


def told(out: Effects) -> list[str]:
    return [m.text for m in out.said]


async def seed(svc: Services, count: int) -> None:
    rows = [
        LedgerRow(
            row=n + 2,
            round_name=None,
            code=f"R9-{n:03d}",
            unit=UNIT,
            category="作风建设",
            description=f"第 {n} 个问题",
            measures="限期整改到位",
            leader_name="甲",
            owner_name="乙",
            deadline=svc.today() + timedelta(days=n - 5),
            kind="deadline",
        )
        for n in range(count)
    ]
    async with svc.db.transaction() as tx:
        await apply_import(tx, rows, "第九轮", by=None, by_label="test", at=AT)


def test_the_ledger_dialogs_import_no_platform() -> None:
    import subprocess
    import sys

    probe = (
        "import sys; import bot.dialogs.ledger_views, bot.dialogs.ledger_export,"
        " bot.dialogs.ledger_import;"
        " bad = sorted(m for m in sys.modules if m == 'telegram' or m.startswith('telegram.'));"
        " print(bad); raise SystemExit(1 if bad else 0)"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


async def test_each_reader_sees_only_what_their_role_and_place_allow(svc: Services) -> None:
    await seed(svc, 3)
    office = svc.config.office.name
    contact_units = await run(ledger_views.units_cmd, command(CONTACT, "units"), svc)
    contact_stats = await run(ledger_views.stats_cmd, command(CONTACT, "stats"), svc)
    stranger_unit = await run(ledger_views.unit_cmd, command(STRANGER, "unit"), svc)
    in_unit_group = await run(ledger_views.stats_cmd, command(ADMIN, "stats", chat=UNIT_GROUP), svc)
    other_unit = await run(ledger_views.unit_cmd, command(CONTACT, "unit", "县水利局"), svc)
    admin_units = await run(ledger_views.units_cmd, command(ADMIN, "units", chat=OFFICE_GROUP), svc)
    assert told(contact_units) == [lt.VIEW_ROLE_REFUSED]
    assert told(contact_stats) == [lt.VIEW_ROLE_REFUSED]
    assert told(stranger_unit) == [lt.VIEW_UNBOUND.format(office=office)]
    assert told(in_unit_group) == [lt.VIEW_WHERE]
    [no_such_unit] = told(other_unit)
    assert "县水利局" in no_such_unit
    [listing] = told(admin_units)
    assert UNIT in listing


async def test_export_is_the_workbook_alone_and_never_for_a_contact(svc: Services) -> None:
    await seed(svc, 3)
    refused = await run(ledger_export.export, command(CONTACT, "export"), svc)
    made = await run(ledger_export.export, command(ADMIN, "export", chat=OFFICE_GROUP), svc)
    assert told(refused) == [lt.VIEW_ROLE_REFUSED]
    assert refused.files == []
    assert made.said == []
    [file] = made.files
    assert file.name == lt.EXPORT_FILE.format(date="2026-11-24")
    assert file.caption == lt.EXPORT_CAPTION.format(at=texts.fmt_time(AT, "Asia/Shanghai"))
    assert file.data.startswith(b"PK")  # an .xlsx


async def test_a_page_turn_rechecks_who_presses_and_shows_the_page_in_place(
    svc: Services,
) -> None:
    await seed(svc, 20)
    first = await run(ledger_views.unit_cmd, command(ADMIN, "unit", "财政"), svc)
    [shown] = first.said
    [[next_page]] = shown.buttons
    assert next_page.text == lt.NEXT
    turned = await run(ledger_views.turn_page, press(ADMIN, next_page.action), svc)
    stranger = await run(ledger_views.turn_page, press(STRANGER, next_page.action), svc)
    contact = await run(ledger_views.turn_page, press(CONTACT, "pg:units:0:2"), svc)
    stale = await run(ledger_views.turn_page, press(ADMIN, "pg:unit:9999:1"), svc)
    [page] = turned.said
    assert page.edit_message_id == 77
    assert lt.PAGE.format(page=2, pages=2) in page.text
    assert [b.text for row in page.buttons for b in row] == [lt.PREV]
    assert turned.toast == Toast(None)
    office = svc.config.office.name
    assert stranger.toast == Toast(lt.VIEW_UNBOUND.format(office=office), alert=True)
    assert contact.toast == Toast(lt.VIEW_ROLE_REFUSED, alert=True)
    assert stale.toast == Toast(lt.STALE_PAGE, alert=True)
    assert stranger.said == contact.said == stale.said == []


async def test_an_import_asked_for_sent_and_confirmed_by_its_admin_fills_the_ledger(
    svc: Services,
) -> None:
    """In the office group: asked, answered by the file, refused to others, then confirmed."""
    group = OFFICE_GROUP
    asked = await run(
        ledger_import.start_import, command(ADMIN, "import", "第六轮", chat=group), svc
    )
    assert asked.said == []  # the question is a reply, with its open question
    question = lt.IMPORT_ASK.format(round="第六轮") + "\n" + lt.IMPORT_ASK_GROUP
    assert [m.text for m in await replies(svc)] == [question]
    data = csv_bytes(good_rows(3))
    await run(ledger_import.receive_file, document(ADMIN, data, chat=group), svc)
    preview = (await replies(svc))[-1]
    assert lt.IMPORT_NEW_PROBLEMS.format(count=3) in preview.text
    assert await read_wait(svc, "import", ADMIN, group) is None  # the file answered it
    assert await ledger.all_problems(svc.db) == []  # nothing before the confirm
    confirm = {b.text: b.action for row in preview.buttons for b in row}[lt.IMPORT_CONFIRM]

    not_admin = await run(ledger_import.decide, press(CONTACT, confirm, chat=group), svc)
    not_yours = await run(ledger_import.decide, press(OTHER_ADMIN, confirm, chat=group), svc)
    wrong_place = await run(ledger_import.decide, press(ADMIN, confirm, chat=UNIT_GROUP), svc)
    elsewhere = await run(ledger_import.decide, press(ADMIN, confirm), svc)  # not where offered
    office = svc.config.office.name
    assert not_admin.toast == Toast(lt.IMPORT_NOT_ADMIN.format(office=office), alert=True)
    assert not_yours.toast == Toast(lt.IMPORT_NOT_YOURS, alert=True)
    assert wrong_place.toast == Toast(ot.WHERE_ADMIN, alert=True)
    assert elsewhere.toast == Toast(lt.IMPORT_STALE, alert=True)
    assert await ledger.all_problems(svc.db) == []

    done = await run(ledger_import.decide, press(ADMIN, confirm, chat=group), svc)
    again = await run(ledger_import.decide, press(ADMIN, confirm, chat=group), svc)
    assert done.toast == Toast(None)
    assert again.toast == Toast(lt.IMPORT_STALE, alert=True)
    assert len(await ledger.all_problems(svc.db)) == 3
    assert "新增问题 3 个" in (await replies(svc))[-1].text
    # The contact now reads their unit and its problems.
    [mine] = told(await run(ledger_views.unit_cmd, command(CONTACT, "unit"), svc))
    assert f"{UNIT}：问题 3 个" in mine
    [detail] = told(
        await run(ledger_views.problem_cmd, command(CONTACT, "problem", "r6-01-001"), svc)
    )
    assert "【R6-01-001】" in detail


async def test_a_refused_file_says_why_first_then_sends_every_error(svc: Services) -> None:
    bad = [row(code=f"R6-01-{n:03d}", deadline="2026-02-30") for n in range(1, 41)]
    out = await run(
        ledger_import.receive_file, document(ADMIN, csv_bytes(bad), caption="/import"), svc
    )
    [refusal] = await replies(svc)
    assert refusal.text.startswith(lt.IMPORT_REFUSED.format(count=40))
    assert out.said == []  # the refusal is a reply, sent before the adapter sends files
    [errors] = out.files
    assert errors.name == lt.IMPORT_ERRORS_FILE
    assert len(errors.data.decode("utf-8-sig").splitlines()) == 41  # a header and 40 errors
    assert report_text.SHOWN_ERRORS < 40  # so the file is needed
    assert await ledger.all_problems(svc.db) == []


async def test_a_file_too_big_for_the_platform_is_refused_without_fetching_it(
    svc: Services,
) -> None:
    async def never(file: FileRef) -> bytes:
        raise AssertionError("fetched a file the platform would not hand over")

    big = replace(document(ADMIN, b"x", caption="/import", size=1_500_000), fetch=never)
    out = await run(ledger_import.receive_file, big, svc)
    assert told(out) == [lt.IMPORT_TOO_BIG.format(mb=1)]
    assert out.files == []


async def test_a_stray_file_is_not_an_import_and_only_admins_may_import(svc: Services) -> None:
    stray = await run(ledger_import.receive_file, document(ADMIN, csv_bytes(good_rows(1))), svc)
    in_group = replace(
        document(ADMIN, csv_bytes(good_rows(1))), where=Place(OFFICE_GROUP, private=False)
    )
    silent = await run(ledger_import.receive_file, in_group, svc)
    contact = await run(
        ledger_import.receive_file,
        document(CONTACT, csv_bytes(good_rows(1)), caption="/import"),
        svc,
    )
    asked = await run(ledger_import.start_import, command(CONTACT, "import"), svc)
    office = svc.config.office.name
    refused = ot.ADMIN_ONLY.format(office=office, what=ledger_import.WHAT)
    assert told(stray) == [texts.NOT_UNDERSTOOD_PRIVATE]
    assert silent.said == []
    assert told(contact) == [refused]
    assert told(asked) == [refused]
    assert await replies(svc) == []
