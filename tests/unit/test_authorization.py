"""Who may do what, where: every command and button × every role × every kind of chat.

One world (a ledger, five people, three chats, a report awaiting acceptance, a pending
extension request, a sent notice, a pending import) is built once and copied for each
case, so every case starts from the same database. Each case sends one real Update and
checks the table below: an allowed action is answered and not refused; a refused one is
answered with a reason, never with silence or an error, and leaves the database as it was.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from telegram import Update

from bot import texts
from bot.config import Config, parse_config
from bot.context import App
from bot.services import notices as notice_service
from bot.services.access import load_actor
from bot.services.ledger import session
from bot.services.reporting import extension, flow
from bot.texts import office as ot
from storage import chats, ledger, notices, people, units
from storage.db import Database
from storage.migrations import open_database
from tests import dbs
from tests.conftest import ADMIN_ID, TOKEN
from tests.e2e.reporting import seed_rows
from tests.factory import group_chat, private_chat, text_update, user
from tests.recording import BOT_USER, RecordingRequest

NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the same"
)

ROLES = ("admin", "contact", "other", "leader", "unbound")  # other: 县水利局's contact
CHATS = ("private", "office", "unit")  # the actor's own private chat, the two groups
UIDS = {"admin": ADMIN_ID, "contact": 11, "other": 12, "leader": 13, "unbound": 14}
NAMES = {
    "admin": "巡察办",
    "contact": "王芳",
    "other": "李强",
    "leader": "赵领导",
    "unbound": "路人",
}
OFFICE_GROUP, UNIT_GROUP = -1001, -1002

# What each action is: a command's text or a button's callback data. {…} are the world's ids.
COMMANDS = {
    "start": "/start",
    "help": "/help",
    "bind": "/bind BADCODE",
    "cancel": "/cancel",
    "mine": "/mine",
    "report": "/report R6-01-001",
    "extend": "/extend R6-01-001 2030-01-01 项目审批流程调整",
    "withdraw": "/withdraw {report_number}",  # the real report awaiting acceptance
    "units": "/units",
    "unit": "/unit 县财政局",
    "problem": "/problem R6-01-001",
    "overdue": "/overdue",
    "stats": "/stats",
    "export": "/export",
    "import": "/import",
    "code": "/code 县财政局",
    "setgroup": "/setgroup leaders",
    "notice": "/notice 测试通知",
    "receipts": "/receipts",
    "review": "/review",
    "reopen": "/reopen R6-01-003 回头看发现制度未落实",  # R6-01-003 is closed in the world
    "digest": "/digest daily",
    "transfer": "/transfer R6-01-001 县纪委监委 超期未办理",
}
BUTTONS = {
    "imp-ok": "imp:ok:{import_id}",
    "rv-ok": "rv:ok:{awaiting_problem}:{report_id}",
    "rv-no": "rv:no:{awaiting_problem}:{report_id}",
    "ex-ok": "ex:ok:{extension_id}",
    "ex-no": "ex:no:{extension_id}",
    "ack": "ack:{notice_id}",
    "rr": "rr:{notice_id}",
    "pg-units": "pg:units:0:2",
    "mine-page": "mine:1",
    "rp": "rp:{open_problem}",
}

# The matrix. For each action, per role (in ROLES order) three letters, one per chat (in
# CHATS order): Y allowed, N refused with a reason, I answered with INFO[action] (neither
# a permission nor a refusal). A button re-checks who presses it; an office decision also
# where: it acts only in a private chat or the office group, where the office is offered it.
#                 admin  contact other  leader unbound
TABLE: dict[str, tuple[str, str, str, str, str]] = {
    "start": ("YNN", "YNN", "YNN", "YNN", "YNN"),  # a group is told to use the private chat
    "help": ("YII", "YII", "YII", "YII", "YII"),  # a group is told what it is registered as
    "bind": ("INN", "INN", "INN", "INN", "INN"),  # a wrong code is checked, in private only
    "cancel": ("YYY", "YYY", "YYY", "YYY", "YYY"),
    "mine": ("NNN", "YNN", "YNN", "NNN", "NNN"),
    "report": ("NNN", "YNN", "NNN", "NNN", "NNN"),
    "extend": ("NNN", "YNN", "NNN", "NNN", "NNN"),
    "withdraw": ("NNN", "YNN", "NNN", "NNN", "NNN"),
    "units": ("YYN", "NNN", "NNN", "YYN", "NNN"),
    "unit": ("YYN", "YNN", "NNN", "YYN", "NNN"),
    "problem": ("YYN", "YNN", "NNN", "YYN", "NNN"),
    "overdue": ("YYN", "YNN", "YNN", "YYN", "NNN"),
    "stats": ("YYN", "NNN", "NNN", "YYN", "NNN"),
    "export": ("YYN", "NNN", "NNN", "YYN", "NNN"),
    "import": ("YYN", "NNN", "NNN", "NNN", "NNN"),
    "code": ("YNN", "NNN", "NNN", "NNN", "NNN"),  # a code is a secret: private chat only
    "setgroup": ("NYY", "NNN", "NNN", "NNN", "NNN"),  # registers the group it is sent in
    "notice": ("YYN", "NNN", "NNN", "NNN", "NNN"),
    "receipts": ("YYN", "NNN", "NNN", "NNN", "NNN"),
    "review": ("YYN", "NNN", "NNN", "NNN", "NNN"),
    "reopen": ("YYN", "NNN", "NNN", "NNN", "NNN"),
    "digest": ("YYN", "NNN", "NNN", "NNN", "NNN"),
    "transfer": ("YYN", "NNN", "NNN", "NNN", "NNN"),
    "imp-ok": ("YYN", "NNN", "NNN", "NNN", "NNN"),
    "rv-ok": ("YYN", "NNN", "NNN", "NNN", "NNN"),
    "rv-no": ("YYN", "NNN", "NNN", "NNN", "NNN"),
    "ex-ok": ("YYN", "NNN", "NNN", "NNN", "NNN"),
    "ex-no": ("YYN", "NNN", "NNN", "NNN", "NNN"),
    "ack": ("NNN", "YYY", "YYY", "NNN", "NNN"),  # only the notice's recipients: contacts
    "rr": ("YYN", "NNN", "NNN", "NNN", "NNN"),
    "pg-units": ("YYY", "NNN", "NNN", "YYY", "NNN"),
    "mine-page": ("NNN", "YYY", "YYY", "NNN", "NNN"),
    "rp": ("NNN", "YYY", "NNN", "NNN", "NNN"),
}
INFO = {"help": "本群", "bind": "绑定码不正确"}

# Known bugs: (action, role, chat) -> why. Each is a strict xfail: fixing it turns it red.
BUGS: dict[tuple[str, str, str], str] = {}  # each found bug was fixed; none open

# A refusal says why or what to do instead; one of these words carries it.
REASON_WORDS = ("只有", "请先绑定", "只读", "仅供", "只能", "私聊", "不是", "不能")
ERROR_WORDS = ("出错", "Traceback")
# Phrases that contain a reason word but refuse nothing: a role's name, how to use a code.
NOT_REASONS = (*texts.ROLE_NAMES.values(), "由其在与我的私聊中发送")
# Tables a refusal may change: who and where the bot saw, and wrong binding attempts.
MAY_CHANGE = {"people", "chats", "bind_failures", "inbox", "sqlite_sequence"}

IMPORT_CSV = (
    "问题编号,被巡察单位,问题类别,问题描述,整改措施,责任领导,责任人,整改时限,整改类型\n"
    "R6-03-001,县教育局,作风建设,县教育局违规收费问题,全额清退,丙,丁,2030-12-31,限期整改\n"
).encode()


@dataclass(frozen=True)
class World:
    report_number: str
    report_id: int
    awaiting_problem: int
    open_problem: int
    extension_id: int
    notice_id: int
    import_id: int


def _config(found: Any, folder: Path) -> Config:
    return parse_config(
        {
            "telegram": {"token": TOKEN},
            "storage": dbs.storage_of(found, folder, evidence_dir=str(folder / "ev")),
            "office": {"admins": [ADMIN_ID]},
        }
    )


async def _build_world(config: Config) -> World:
    db = await open_database(config.storage.target)
    try:
        return await _populate(db, config)
    finally:
        await db.close()


async def _populate(db: Database, config: Config) -> World:
    now = datetime.now(UTC)
    async with db.transaction() as tx:
        await seed_rows(tx, now)
        finance = await units.by_name(tx, "县财政局")
        water = await units.by_name(tx, "县水利局")
        assert finance is not None
        assert water is not None
        person = {r: await people.upsert(tx, UIDS[r], NAMES[r], None, now) for r in ROLES}
        await people.grant(tx, person["contact"].id, "contact", finance.id, now, None, None)
        await people.grant(tx, person["other"].id, "contact", water.id, now, None, None)
        await people.grant(tx, person["leader"].id, "leader", None, now, None, None)
        for role in ROLES:
            await chats.remember(tx, UIDS[role], "private", NAMES[role])
        await chats.remember(tx, OFFICE_GROUP, "supergroup", "巡察办工作群")
        await chats.register(tx, OFFICE_GROUP, "office", None, person["admin"].id, now)
        await chats.remember(tx, UNIT_GROUP, "supergroup", "县财政局整改群")
        await chats.register(tx, UNIT_GROUP, "unit", finance.id, person["admin"].id, now)
        closed = (await ledger.by_code(tx, "R6-01-003"))[0]
        await ledger.set_status(tx, closed.id, "closed", now)
    admins = config.office.admins
    contact = await load_actor(db, UIDS["contact"], admins)
    other = await load_actor(db, UIDS["other"], admins)
    assert contact.person is not None
    # A report awaiting acceptance: R6-01-002, by this unit's contact.
    awaiting = (await ledger.by_code(db, "R6-01-002"))[0]
    draft = await flow.begin(db, contact.person.id, UIDS["contact"], awaiting, ["已清退"], now)
    draft.claim, draft.step = "completed", "confirm"
    done = await flow.submit(db, draft, contact, config, now)
    # A pending extension request: R6-02-001, by the other unit's contact.
    water_problem = (await ledger.by_code(db, "R6-02-001"))[0]
    extension_id = await extension.request(
        db,
        other,
        water_problem,
        date(2030, 1, 1),
        "汛期施工受限",
        today=date.today(),
        office=config.office.name,
        at=now,
    )
    # A notice sent to every unit (its recipients: both contacts), none acknowledged.
    async with db.transaction() as tx:
        notice_id = await notices.create(tx, "请报送整改台账", None, None, person["admin"].id, now)
    assert await notice_service.send(db, notice_id, config.office.name, now, all_units=True)
    # An import the admin previewed in his private chat and has not confirmed.
    preview = await session.prepare(
        db, IMPORT_CSV, "台账.csv", "", by=person["admin"].id, chat_id=ADMIN_ID, at=now
    )
    assert isinstance(preview, session.Preview)
    assert preview.import_id is not None
    open_problem = (await ledger.by_code(db, "R6-01-001"))[0]
    return World(
        report_number=done.report.number,
        report_id=done.report.id,
        awaiting_problem=awaiting.id,
        open_problem=open_problem.id,
        extension_id=extension_id,
        notice_id=notice_id,
        import_id=preview.import_id,
    )


@dataclass(frozen=True)
class Template:
    source: Any  # a database target (tests.dbs)
    world: World


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Template:
    """The world, built once (in its own thread and event loop) into a database to copy."""
    folder = tmp_path_factory.mktemp("world")
    source = dbs.target(folder, "world", keep=True)
    with ThreadPoolExecutor(1) as pool:
        world = pool.submit(asyncio.run, _build_world(_config(source, folder))).result()
    return Template(source, world)


@pytest.fixture
def config(tmp_path: Path, template: Template) -> Config:
    """Overrides conftest's: the database starts as a copy of the world."""
    return _config(dbs.copy_of(template.source, tmp_path), tmp_path)


@pytest.fixture
def world(template: Template) -> World:
    return template.world


def chat_of(role: str, where: str) -> dict[str, Any]:
    if where == "private":
        return private_chat(UIDS[role], NAMES[role])
    if where == "office":
        return group_chat(OFFICE_GROUP, "巡察办工作群")
    return group_chat(UNIT_GROUP, "县财政局整改群")


_update_ids = itertools.count(900_000)


def button_update(app: App, role: str, chat: dict[str, Any], data: str) -> Update:
    """A press on a button of the bot's message in that chat."""
    number = next(_update_ids)
    return Update.de_json(
        {
            "update_id": number,
            "callback_query": {
                "id": f"cq-{number}",
                "from": user(UIDS[role], NAMES[role]),
                "chat_instance": "ci",
                "data": data,
                "message": {
                    "message_id": 9,
                    "date": 1_800_000_000,
                    "text": "（机器人的消息）",
                    "chat": chat,
                    "from": BOT_USER,
                    # A press comes from a message that shows the button.
                    "reply_markup": {
                        "inline_keyboard": [[{"text": "按钮", "callback_data": data}]]
                    },
                },
            },
        },
        app.bot,
    )


async def snapshot(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table a refusal must leave alone."""
    tables = sorted(await db.table_names() - MAY_CHANGE)
    # A refusal that records something (a wrong code) answers as part of that effect: its
    # reply is an outbox row too. Replies are what the user was told, not the ledger.
    where = {"outbox": " WHERE kind != 'reply'"}
    return {
        t: sorted(
            (tuple(r) for r in await db.fetchall(f"SELECT * FROM {t}{where.get(t, '')}")),
            key=repr,
        )
        for t in tables
    }


def cases() -> Iterator[Any]:
    assert set(TABLE) == set(COMMANDS) | set(BUTTONS)
    for action, letters in TABLE.items():
        for role, per_chat in zip(ROLES, letters, strict=True):
            for where, expect in zip(CHATS, per_chat, strict=True):
                bug = BUGS.get((action, role, where))
                marks = [pytest.mark.xfail(strict=True, reason=bug)] if bug else []
                yield pytest.param(
                    action, role, where, expect, id=f"{action}-{role}-{where}", marks=marks
                )


def refusal(text: str) -> bool:
    for phrase in NOT_REASONS:
        text = text.replace(phrase, "")
    return any(word in text for word in REASON_WORDS)


@pytest.mark.parametrize(("action", "role", "where", "expect"), list(cases()))
async def test_authorization(
    app: App,
    db: Database,
    recorder: RecordingRequest,
    world: World,
    action: str,
    role: str,
    where: str,
    expect: str,
) -> None:
    chat = chat_of(role, where)
    is_button = action in BUTTONS
    template = BUTTONS[action] if is_button else COMMANDS[action]
    payload = template.format(**vars(world))
    before = await snapshot(db)
    start = len(recorder.calls)
    if is_button:
        await app.process_update(button_update(app, role, chat, payload))
    else:
        await app.process_update(text_update(app.bot, user(UIDS[role], NAMES[role]), chat, payload))
    calls = recorder.calls[start:]
    sent = [
        str(c.params.get("text") or c.params.get("caption") or "")
        for c in calls
        if c.method in {"sendMessage", "sendPhoto", "sendDocument"}
        and int(c.params["chat_id"]) == chat["id"]
    ]
    alerts = [str(c.params.get("text") or "") for c in calls if c.method == "answerCallbackQuery"]
    said = [t for t in sent + alerts if t]
    where_said = f"{payload!r} by {role} in {where}: {said}"
    assert not any(w in t for t in said for w in ERROR_WORDS), f"an error: {where_said}"
    if is_button:
        assert alerts, f"the button was not answered: {where_said}"
    if expect == "Y":
        assert sent or is_button, f"silence: {where_said}"
        assert not any(refusal(t) for t in said), f"refused: {where_said}"
        return
    assert said, f"refused in silence: {where_said}"
    if expect == "I":
        assert any(INFO[action] in t for t in said), f"unexpected answer: {where_said}"
    else:
        assert any(refusal(t) for t in said), f"allowed or no reason: {where_said}"
        bound = role != "unbound"
        assert not (bound and any("请先绑定" in t for t in said)), f"wrong reason: {where_said}"
    assert await snapshot(db) == before, f"the database changed: {where_said}"


def test_table_matches_the_help_lists() -> None:
    """What /help offers a role in private is what the table allows it there."""
    offered = {
        "admin": texts.COMMANDS_ADMIN,
        "contact": texts.COMMANDS_PRIVATE + texts.COMMANDS_CONTACT,
        "leader": texts.COMMANDS_PRIVATE + texts.COMMANDS_LEADER,
        "unbound": texts.COMMANDS_PRIVATE,
    }
    for role, pairs in offered.items():
        listed = {name for name, _ in pairs} - {"setgroup"}  # sent in the group, not here
        allowed = {a for a in COMMANDS if TABLE[a][ROLES.index(role)][0] != "N"}
        assert listed == allowed, role


def forged_update(app: App, role: str, chat: dict[str, Any], data: str, shown: str) -> Update:
    """A press whose data the message never offered (a client can send any data)."""
    update = button_update(app, role, chat, data).to_dict()
    markup = {"inline_keyboard": [[{"text": "按钮", "callback_data": shown}]]}
    update["callback_query"]["message"]["reply_markup"] = markup
    return Update.de_json(update, app.bot)


async def test_a_forged_decision_in_a_unit_group_changes_nothing(
    app: App, db: Database, recorder: RecordingRequest, world: World
) -> None:
    """Finding 17: the message offered 下一页; the data says 通过（销号）."""
    before = await snapshot(db)
    data = f"rv:ok:{world.awaiting_problem}:{world.report_id}"
    await app.process_update(forged_update(app, "admin", chat_of("admin", "unit"), data, "mine:2"))
    answers = [c.params.get("text") for c in recorder.calls if c.method == "answerCallbackQuery"]
    assert answers == [texts.BUTTON_NOT_OFFERED]
    assert recorder.sent() == []
    assert await snapshot(db) == before
    problem = await ledger.get(db, world.awaiting_problem)
    assert problem is not None
    assert problem.status == "awaiting_acceptance"


async def test_a_decision_offered_in_the_office_group_acts_only_there(
    app: App, db: Database, recorder: RecordingRequest, world: World
) -> None:
    """Finding 17: the same buttons pressed in a unit group are refused, and say where."""
    before = await snapshot(db)
    data = f"rv:ok:{world.awaiting_problem}:{world.report_id}"
    await app.process_update(button_update(app, "admin", chat_of("admin", "unit"), data))
    answers = [c.params.get("text") for c in recorder.calls if c.method == "answerCallbackQuery"]
    assert answers == [ot.WHERE_ADMIN]
    assert await snapshot(db) == before


async def test_not_modified_is_no_error(
    app: App, db: Database, recorder: RecordingRequest, world: World
) -> None:
    """Finding 17: the keyboard was already gone; the decision stands and nobody is alarmed."""
    # The card shows the decision in place of its keyboard (a text edit); either edit may
    # find the message already as wanted.
    recorder.errors["editMessageReplyMarkup"] = (400, "Bad Request: " + NOT_MODIFIED)
    recorder.errors["editMessageText"] = (400, "Bad Request: " + NOT_MODIFIED)
    data = f"rv:ok:{world.awaiting_problem}:{world.report_id}"
    await app.process_update(button_update(app, "admin", chat_of("admin", "office"), data))
    said = recorder.sent(OFFICE_GROUP)
    assert len(said) == 1
    assert "已通过验收" in said[0]
    problem = await ledger.get(db, world.awaiting_problem)
    assert problem is not None
    assert problem.status == "closed"
    alerts = await db.fetchall("SELECT key FROM outbox WHERE kind = 'alert'")
    assert alerts == []
