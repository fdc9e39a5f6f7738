"""A person across platforms: roles belong to the person, each platform knows them by its own
id, and a link code (/link) takes a bound person to another platform with every role.

The dialogs run on neutral events, one platform's and another's, against a real database.
"""

from __future__ import annotations

import itertools
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot import texts
from bot.config import parse_config
from bot.core.effects import Dialog
from bot.core.event import Event, Place, Sender
from bot.dialogs import binding
from bot.services import binding as binding_service
from bot.services import notify
from bot.services.access import load_actor_on
from bot.services.container import Services
from bot.texts import links as lt
from storage import outbox, people, units
from storage.db import Database
from storage.migrations import MIGRATIONS, migrate, open_database
from tests import dbs
from tests.unit.core_kit import ELSEWHERE, run_turn

AT = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)
ISO = "2026-01-01T00:00:00+00:00"
OFFICE = "县委巡察办"
TG_ADMIN, TG_CONTACT = 7001, 7002
FEISHU_CONTACT, FEISHU_LEADER = 90001, 90002
LIMITS = ELSEWHERE


_updates = itertools.count(1)


def event(platform: str, user: int, name: str, command: str, *args: str) -> Event:
    return Event(
        next(_updates),  # each its own update: a reply's key is the update's
        AT,
        Sender(platform, user, name),
        Place(user, private=True),
        f"/{command} {' '.join(args)}".strip(),
        command,
        tuple(args),
        limits=LIMITS,
    )


async def services(folder: Path) -> Services:
    config = parse_config({"storage": dbs.storage(folder, "d"), "office": {"admins": [TG_ADMIN]}})
    db = await open_database(config.storage.target)
    async with db.transaction() as tx:
        await units.create(tx, "县交通运输局", AT)
    return Services(config=config, db=db, clock=lambda: AT)


async def run(dialog: Dialog, ev: Event, svc: Services) -> list[str]:
    """What the person reads: the dialog's answers and the durable replies it queued (the
    event runs as one turn, as the platform's inbox lane runs it)."""
    out, replies = await run_turn(dialog, ev, svc)
    return [m.text for m in out.said] + [m.text for m in replies]


async def code_for(svc: Services, role: str, unit: str = "") -> str:
    issue = event("telegram", TG_ADMIN, "王主任", "code", *([unit, role] if unit else [role]))
    [shown] = await run(binding.code, issue, svc)
    found = re.search(r"/bind (\S+)", shown)
    assert found is not None, shown
    return found.group(1)


async def link_code(svc: Services, platform: str, user: int) -> str:
    [shown] = await run(binding.link, event(platform, user, "张三", "link"), svc)
    found = re.search(r"/bind (\S+)", shown)
    assert found is not None, shown
    return found.group(1)


async def test_a_contact_linked_on_another_platform_holds_the_same_roles_there(
    tmp_path: Path,
) -> None:
    svc = await services(tmp_path)
    contact = await code_for(svc, "contact", "县交通运输局")
    await run(binding.bind, event("telegram", TG_CONTACT, "张三", "bind", contact), svc)
    before = await load_actor_on(svc.db, "feishu", FEISHU_CONTACT, svc.config.office.admins)
    code = await link_code(svc, "telegram", TG_CONTACT)
    linked = await run(binding.bind, event("feishu", FEISHU_CONTACT, "张三", "bind", code), svc)
    again = await run(binding.bind, event("feishu", FEISHU_CONTACT, "张三", "bind", code), svc)
    other = await run(binding.bind, event("feishu", FEISHU_LEADER, "李四", "bind", code), svc)
    after = await load_actor_on(svc.db, "feishu", FEISHU_CONTACT, svc.config.office.admins)
    telegram = await load_actor_on(svc.db, "telegram", TG_CONTACT, svc.config.office.admins)
    stranger = await load_actor_on(svc.db, "feishu", FEISHU_LEADER, svc.config.office.admins)
    assert after.person is not None
    assert telegram.person is not None
    known = await people.identities_of(svc.db, after.person.id)
    await svc.db.close()
    roles = "联络员（县交通运输局）"
    assert not before.is_bound
    assert linked[0].startswith(lt.LINK_OK.format(roles=roles).split("\n")[0])
    assert again == [lt.LINK_ALREADY.format(roles=roles)]
    assert other == [texts.BIND_USED.format(office=OFFICE)]
    assert after.person.id == telegram.person.id  # one person, two platforms
    assert after.contact_role is not None
    assert after.contact_role.unit_name == "县交通运输局"
    assert not stranger.is_bound
    assert sorted(known) == [("feishu", str(FEISHU_CONTACT)), ("telegram", str(TG_CONTACT))]


async def test_an_identity_bound_as_someone_else_is_not_taken_over(tmp_path: Path) -> None:
    svc = await services(tmp_path)
    leader = await code_for(svc, "leader")
    await run(binding.bind, event("feishu", FEISHU_LEADER, "李四", "bind", leader), svc)
    contact = await code_for(svc, "contact", "县交通运输局")
    await run(binding.bind, event("telegram", TG_CONTACT, "张三", "bind", contact), svc)
    code = await link_code(svc, "telegram", TG_CONTACT)
    refused = await run(binding.bind, event("feishu", FEISHU_LEADER, "李四", "bind", code), svc)
    still = await load_actor_on(svc.db, "feishu", FEISHU_LEADER, svc.config.office.admins)
    unused = await svc.db.scalar("SELECT COUNT(*) FROM link_codes WHERE used_at IS NULL")
    await svc.db.close()
    assert refused == [lt.LINK_TAKEN.format(roles="领导（查阅）", office=OFFICE)]
    assert still.is_leader
    assert still.contact_role is None
    assert unused == 1  # the code is still good for the account it was meant for


async def test_link_asks_for_a_bound_person_and_a_private_chat(tmp_path: Path) -> None:
    svc = await services(tmp_path)
    unbound = await run(binding.link, event("feishu", FEISHU_CONTACT, "张三", "link"), svc)
    group = Event(
        2,
        AT,
        Sender("feishu", FEISHU_CONTACT, "张三"),
        Place(-5, private=False),
        "/link",
        "link",
        limits=LIMITS,
    )
    in_group = await run(binding.link_in_group, group, svc)
    codes = await svc.db.scalar("SELECT COUNT(*) FROM link_codes")
    await svc.db.close()
    assert unbound == [lt.LINK_UNBOUND.format(office=OFFICE)]
    assert in_group == [lt.LINK_PRIVATE_ONLY]
    assert codes == 0


async def test_an_expired_link_code_binds_nothing(tmp_path: Path) -> None:
    svc = await services(tmp_path)
    contact = await code_for(svc, "contact", "县交通运输局")
    await run(binding.bind, event("telegram", TG_CONTACT, "张三", "bind", contact), svc)
    code = await link_code(svc, "telegram", TG_CONTACT)
    late = AT + timedelta(hours=svc.config.office.code_ttl_hours, minutes=1)
    result = await binding_service.bind(
        svc.db, FEISHU_CONTACT, "张三", None, code, late, office=OFFICE, platform="feishu"
    )
    after = await load_actor_on(svc.db, "feishu", FEISHU_CONTACT, svc.config.office.admins)
    await svc.db.close()
    assert result.outcome is binding_service.BindOutcome.EXPIRED
    assert not after.is_bound


async def test_a_contact_met_only_on_another_platform_gets_no_telegram_message(
    tmp_path: Path,
) -> None:
    """Bound on Feishu only: no Telegram id, so no Telegram chat is addressed for them (their
    unit hears through its group and the office's robots), and nothing fails on the way."""
    svc = await services(tmp_path)
    contact = await code_for(svc, "contact", "县交通运输局")
    await run(binding.bind, event("feishu", FEISHU_CONTACT, "张三", "bind", contact), svc)
    unit = await units.by_name(svc.db, "县交通运输局")
    assert unit is not None
    [person] = await people.contacts_of_unit(svc.db, unit.id)
    async with svc.db.transaction() as tx:
        await notify.to_unit(tx, "k", unit.id, "alert", "通知", AT, svc.config.schedule)
    rows = await outbox.due(svc.db, AT.timestamp() + 86_400, 10)
    await svc.db.close()
    assert person.tg_user_id is None
    assert rows == []


async def test_the_migration_keeps_everyone_and_gives_each_a_telegram_identity(
    tmp_path: Path,
) -> None:
    db = await Database.open(dbs.target(tmp_path, "old", migrated=False))
    await migrate(db, MIGRATIONS[:8])
    async with db.transaction() as tx:
        await tx.execute(
            "INSERT INTO people (id, tg_user_id, name, created_at, last_seen_at, full_name)"
            " VALUES (5, 7002, '张三', '2026-01-01', '2026-01-02', '张三丰')"
        )
        await tx.execute("INSERT INTO units (id, name, created_at) VALUES (1, '县局', ?)", (ISO,))
        await tx.execute(
            "INSERT INTO roles (person_id, role, unit_id, granted_at) VALUES (5, 'contact', 1, ?)",
            (ISO,),
        )
        await tx.execute("INSERT INTO bot_state (key, value) VALUES ('name_wait:7002', '1')")
    await migrate(db)
    person = await people.by_identity(db, "telegram", "7002")
    roles = await people.active_roles(db, 5)
    waits = await db.fetchall("SELECT key FROM bot_state WHERE key LIKE 'name_wait:%'")
    # PostgreSQL checks every reference as it is written; SQLite is asked.
    broken = await db.fetchall("PRAGMA foreign_key_check") if db.dialect == "sqlite" else []
    await db.close()
    assert person is not None
    assert (person.id, person.full_name) == (5, "张三丰")
    assert [r.unit_id for r in roles] == [1]
    assert [w[0] for w in waits] == ["name_wait:person:5"]
    assert broken == []


async def test_wrong_codes_lock_out_one_platforms_account_not_the_same_number_elsewhere(
    tmp_path: Path,
) -> None:
    svc = await services(tmp_path)
    tries = [
        await binding_service.bind(
            svc.db, FEISHU_CONTACT, "张三", None, "WRNG-CODE-XXYY", AT, platform="feishu"
        )
        for _ in range(6)
    ]
    telegram = await binding_service.bind(
        svc.db, FEISHU_CONTACT, "另一人", None, "WRNG-CODE-XXYY", AT, platform="telegram"
    )
    await svc.db.close()
    assert [t.outcome for t in tries][-1] is binding_service.BindOutcome.LOCKED
    assert telegram.outcome is binding_service.BindOutcome.WRONG
    assert telegram.attempts_left == binding_service.MAX_FAILURES - 1


async def test_a_link_code_shown_in_a_group_is_void_and_one_used_on_its_own_platform_refused(
    tmp_path: Path,
) -> None:
    """A link code is as secret as a binding code: shown to a group it is burned. On the
    platform it came from it links nothing (a second account there would take the person's
    messages) and stays good for the other platform."""
    svc = await services(tmp_path)
    contact = await code_for(svc, "contact", "县交通运输局")
    await run(binding.bind, event("telegram", TG_CONTACT, "张三", "bind", contact), svc)
    shown = await link_code(svc, "telegram", TG_CONTACT)
    group = Event(
        90,
        AT,
        Sender("telegram", TG_CONTACT, "张三"),
        Place(-77, private=False),
        f"/bind {shown}",
        "bind",
        (shown,),
        limits=LIMITS,
    )
    burned = await run(binding.bind_in_group, group, svc)
    late = await run(binding.bind, event("feishu", FEISHU_CONTACT, "张三", "bind", shown), svc)
    kept = await link_code(svc, "telegram", TG_CONTACT)
    second = await run(binding.bind, event("telegram", 7999, "小号", "bind", kept), svc)
    elsewhere = await run(binding.bind, event("feishu", FEISHU_CONTACT, "张三", "bind", kept), svc)
    stranger = await load_actor_on(svc.db, "telegram", 7999, svc.config.office.admins)
    await svc.db.close()
    assert burned == [texts.BIND_BURNED_IN_GROUP.format(office=OFFICE)]
    assert late == [texts.BIND_BURNED.format(office=OFFICE)]
    assert second == [lt.LINK_SAME_PLATFORM]
    assert not stranger.is_bound
    assert elsewhere[0].startswith("关联成功")


async def test_an_admin_by_configuration_only_is_told_how_to_be_one_elsewhere(
    tmp_path: Path,
) -> None:
    svc = await services(tmp_path)
    said = await run(binding.link, event("telegram", TG_ADMIN, "王主任", "link"), svc)
    issued = await svc.db.scalar("SELECT COUNT(*) FROM link_codes")
    await svc.db.close()
    assert said == [lt.LINK_CONFIG_ADMIN]
    assert issued == 0
