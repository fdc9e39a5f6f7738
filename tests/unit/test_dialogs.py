"""The first dialogs on neutral events (/start, /help, /bind, /code): no Telegram object here.

What a person reads depends on who they are and where they ask; the dialog says it through
`Effects`, which any platform's adapter applies.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

from bot import texts
from bot.config import parse_config
from bot.core.effects import Dialog, Effects
from bot.core.event import Event, Place, Sender
from bot.dialogs import start
from bot.services.container import Services
from storage import chats, people
from storage.migrations import open_database
from tests import dbs
from tests.unit.core_kit import ELSEWHERE

AT = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)
ADMIN, CONTACT, STRANGER, GROUP = 11, 22, 33, -500
LIMITS = ELSEWHERE


def event(user: int, name: str, *, chat: int | None = None, command: str = "help") -> Event:
    place = Place(chat if chat is not None else user, private=chat is None, title="某群")
    return Event(1, AT, Sender("feishu", user, name), place, f"/{command}", command, limits=LIMITS)


def test_the_dialogs_import_no_platform() -> None:
    """The core and every dialog load without Telegram's library or the handlers (each
    platform is an adapter; Telegram's numbers are data in telegram_parts)."""
    import subprocess
    import sys

    probe = (
        "import importlib, pkgutil, sys, bot.dialogs, bot.core;"
        " [importlib.import_module(m.name) for p in (bot.dialogs, bot.core)"
        "  for m in pkgutil.iter_modules(p.__path__, p.__name__ + '.')];"
        " import bot.adapters.telegram_parts;"
        " loaded = sorted(m for m in sys.modules if m.startswith(('bot.dialogs.', 'bot.core.')));"
        " bad = sorted(m for m in sys.modules if m == 'telegram' or m.startswith('telegram.'));"
        " bad += sorted(m for m in sys.modules if m.startswith('handlers'));"
        " print(len(loaded), bad); raise SystemExit(1 if bad or len(loaded) < 20 else 0)"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


async def services(folder: Path) -> Services:
    config = parse_config({"storage": dbs.storage(folder, "d"), "office": {"admins": [ADMIN]}})
    db = await open_database(config.storage.target)
    async with db.transaction() as tx:
        await people.meet(tx, "feishu", str(STRANGER), "路人", None, AT)
        # office.admins names Telegram ids: on another platform an admin holds the role.
        admin = await people.meet(tx, "feishu", str(ADMIN), "王主任", None, AT)
        await people.grant(tx, admin.id, "admin", None, AT, None, None)
        await chats.remember(tx, GROUP, "supergroup", "某群")
    return Services(config=config, db=db)


async def said(dialog: Dialog, ev: Event, svc: Services) -> Effects:
    out = Effects()
    await dialog(ev, svc, out)
    return out


async def test_an_unbound_person_is_told_how_to_bind_and_gets_no_menu(tmp_path: Path) -> None:
    svc = await services(tmp_path)
    out = await said(start.start_private, event(STRANGER, "路人", command="start"), svc)
    await svc.db.close()
    assert [m.text for m in out.said] == [texts.START_UNBOUND.format(office="县委巡察办")]
    assert out.menus == []
    assert out.toast is None


async def test_an_admin_is_greeted_by_name_and_their_menu_follows(tmp_path: Path) -> None:
    svc = await services(tmp_path)
    out = await said(start.start_private, event(ADMIN, "王主任", command="start"), svc)
    await svc.db.close()
    [message] = out.said
    assert message.text.startswith("您好，王主任。")
    assert "管理员" in message.text
    assert out.menus == [ADMIN]


async def test_help_lists_what_the_person_may_use_and_nothing_more(tmp_path: Path) -> None:
    svc = await services(tmp_path)
    admin = (await said(start.help_private, event(ADMIN, "王主任"), svc)).said[0].text
    stranger = (await said(start.help_private, event(STRANGER, "路人"), svc)).said[0].text
    await svc.db.close()
    assert "/code" in admin
    assert "/code" not in stranger
    assert "绑定码" in stranger  # how to bind


async def test_help_in_a_group_says_what_it_is_registered_as(tmp_path: Path) -> None:
    svc = await services(tmp_path)
    member = (await said(start.help_group, event(STRANGER, "路人", chat=GROUP), svc)).said
    await svc.db.close()
    [message] = member
    assert message.text.startswith(
        texts.HELP_GROUP_HEAD.format(registered=texts.GROUP_NOT_REGISTERED)
    )
    assert texts.HELP_GROUP_PRIVATE in message.text


async def test_a_code_issued_and_redeemed_on_neutral_events_binds_the_person(
    tmp_path: Path,
) -> None:
    """The binding dialogs, end to end without a platform: an admin issues a leader's code,
    someone redeems it, and their menu is asked to follow."""
    from bot.dialogs import binding as dialogs
    from bot.services.access import load_actor_on

    svc = await services(tmp_path)
    issue = Event(
        2,
        AT,
        Sender("feishu", ADMIN, "王主任"),
        Place(ADMIN, True),
        "",
        "code",
        ("领导",),
        limits=LIMITS,
    )
    issued = await said(dialogs.code, issue, svc)
    [shown] = issued.said
    found = re.search(r"/bind (\S+)", shown.text)
    assert found is not None
    code = found.group(1)
    refused = await said(dialogs.code, event(STRANGER, "路人", command="code"), svc)
    redeem = Event(
        3,
        AT,
        Sender("feishu", STRANGER, "路人"),
        Place(STRANGER, True),
        "",
        "bind",
        (code,),
        limits=LIMITS,
    )
    bound = await said(dialogs.bind, redeem, svc)
    actor = await load_actor_on(svc.db, "feishu", STRANGER, svc.config.office.admins)
    await svc.db.close()
    assert [m.text for m in refused.said] == [texts.CODE_NOT_ADMIN.format(office="县委巡察办")]
    assert bound.menus == [STRANGER]
    assert actor.is_leader


async def test_office_tools_refuse_a_non_admin_and_explain_their_use(tmp_path: Path) -> None:
    from bot.dialogs import office_tools
    from bot.texts import office as ot
    from bot.texts import transfer as tt

    svc = await services(tmp_path)
    stranger = await said(office_tools.transfer, event(STRANGER, "路人", command="transfer"), svc)
    usage = Event(
        4, AT, Sender("feishu", ADMIN, "王主任"), Place(ADMIN, True), "", "digest", limits=LIMITS
    )
    digest = await said(office_tools.digest, usage, svc)
    short = Event(
        5, AT, Sender("feishu", ADMIN, "王主任"), Place(ADMIN, True), "", "transfer", limits=LIMITS
    )
    transfer = await said(office_tools.transfer, short, svc)
    in_group = Event(
        6, AT, Sender("feishu", ADMIN, "王主任"), Place(GROUP, False), "", "digest", limits=LIMITS
    )
    elsewhere = await said(office_tools.digest, in_group, svc)
    await svc.db.close()
    assert [m.text for m in stranger.said] == [
        ot.ADMIN_ONLY.format(office="县委巡察办", what=tt.WHAT)
    ]
    assert [m.text for m in digest.said] == [ot.DIGEST_USAGE]
    assert [m.text for m in transfer.said] == [tt.USAGE]
    assert [m.text for m in elsewhere.said] == [ot.WHERE_ADMIN]  # a group that is not the office's


async def test_cancel_with_nothing_open_says_so_in_its_effect(tmp_path: Path) -> None:
    """/cancel's answer is part of its effect: an outbox reply to the event's chat."""
    from bot.dialogs import cancel
    from bot.services.uow import Turn, current_turn
    from storage import outbox

    svc = await services(tmp_path)
    token = current_turn.set(Turn(update_id=7, chat_id=STRANGER))
    try:
        out = await said(cancel.cancel, event(STRANGER, "路人", command="cancel"), svc)
    finally:
        current_turn.reset(token)
    items = await outbox.all_items(svc.db)
    await svc.db.close()
    assert out.said == []
    assert [(i.chat_id, i.kind) for i in items] == [(STRANGER, "reply")]
    assert texts.CANCEL_NOTHING in items[0].payload


async def test_a_private_command_in_a_group_says_where_it_works_unless_meant_for_another_bot(
    tmp_path: Path,
) -> None:
    from dataclasses import replace

    from bot.dialogs import fallback

    svc = await services(tmp_path)
    mine = replace(event(STRANGER, "路人", chat=GROUP, command="mine"), text="/mine")
    other = replace(mine, for_another_bot=True)
    told = await said(fallback.private_only_in_group, mine, svc)
    silent = await said(fallback.private_only_in_group, other, svc)
    await svc.db.close()
    assert [m.text for m in told.said] == [texts.PRIVATE_ONLY.format(command="mine")]
    assert silent.said == []
