"""姓名 and 职务 at binding: asked once, kept across a restart, and signed on reports."""

from __future__ import annotations

from bot.app import build_application
from bot.config import Config
from bot.context import App
from bot.services.container import Services
from storage import people
from storage.db import Database
from tests.conftest import ADMIN_ID
from tests.recording import RecordingRequest
from tests.unit.talk import bind_contact, contact_code, drain, press, say

ALICE = 501
UNIT_GROUP = -1002


async def test_binding_asks_for_name_and_title_and_keeps_them(
    talk_app: App, db: Database, recorder: RecordingRequest
) -> None:
    await bind_contact(talk_app, db, ALICE, "fang_w", names="王芳 办公室主任")
    bound, kept = recorder.sent(ALICE)[-2:]
    assert "绑定成功" in bound
    assert "请回复您的姓名和职务，例如：张三 办公室主任" in bound
    assert "王芳（办公室主任）" in kept
    person = await people.by_tg_id(db, ALICE)
    assert person is not None
    assert (person.full_name, person.title, person.name) == ("王芳", "办公室主任", "fang_w")
    # Answered: the next text is no longer taken as a name.
    await say(talk_app, ALICE, "你好", name="fang_w")
    assert "没有理解" in recorder.sent(ALICE)[-1]


async def test_skip_keeps_the_telegram_name(
    talk_app: App, db: Database, recorder: RecordingRequest
) -> None:
    await bind_contact(talk_app, db, ALICE, "fang_w", names="跳过")
    assert "“fang_w”" in recorder.sent(ALICE)[-1]
    person = await people.by_tg_id(db, ALICE)
    assert person is not None
    assert person.full_name is None
    assert person.signature == "fang_w"


async def test_the_question_survives_a_restart_and_commands_still_work(
    talk_app: App, config: Config, db: Database, recorder: RecordingRequest
) -> None:
    await say(talk_app, ALICE, f"/bind {await contact_code(db)}")
    await say(talk_app, ALICE, "/help")  # a command while the question is open: answered
    assert "/report" in recorder.sent(ALICE)[-1]
    # A new process on the same database: the question is still open.
    services = talk_app.bot_data.services
    assert services is not None
    restarted = build_application(
        Services(config=config, db=db, clock=services.clock), request=recorder
    )
    await restarted.initialize()
    try:
        await say(restarted, ALICE, "王芳　科员")  # a full-width space splits too
        assert "王芳（科员）" in recorder.sent(ALICE)[-1]
    finally:
        await restarted.shutdown()


async def test_cancel_drops_the_question(
    talk_app: App, db: Database, recorder: RecordingRequest
) -> None:
    await say(talk_app, ALICE, f"/bind {await contact_code(db)}")
    await say(talk_app, ALICE, "/cancel")
    assert "已取消" in recorder.sent(ALICE)[-1]
    await say(talk_app, ALICE, "王芳 科员")
    assert "没有理解" in recorder.sent(ALICE)[-1]


async def test_the_report_is_signed_with_name_and_title(
    talk_app: App, db: Database, recorder: RecordingRequest
) -> None:
    await say(talk_app, ADMIN_ID, "/setgroup unit 县财政局", group=UNIT_GROUP)
    await bind_contact(talk_app, db, ALICE, "fang_w", names="王芳 办公室主任")
    await say(talk_app, ALICE, "R6-01-001 已全额清退", name="fang_w")
    await press(talk_app, recorder, ALICE, "已完成，申请验收", name="fang_w")
    await press(talk_app, recorder, ALICE, "没有量化成果", name="fang_w")
    await press(talk_app, recorder, ALICE, "确认提交", name="fang_w")
    await drain(talk_app, db)
    copy = recorder.sent(UNIT_GROUP)[-1]
    assert "【整改进展】" in copy
    assert "报告人：王芳（办公室主任）｜已完成，申请验收" in copy
    await say(talk_app, ADMIN_ID, "/review")
    card = next(t for t in recorder.sent(ADMIN_ID) if "【待验收】R6-01-001" in t)
    assert "王芳（办公室主任）" in card
    assert "fang_w" not in card
    await say(talk_app, ADMIN_ID, "/problem R6-01-001")
    assert "王芳（办公室主任）｜已完成，申请验收" in recorder.sent(ADMIN_ID)[-1]


async def test_a_leader_is_shown_as_leader_for_reading(
    talk_app: App, db: Database, recorder: RecordingRequest
) -> None:
    await say(talk_app, ADMIN_ID, "/code leader")
    code = recorder.sent(ADMIN_ID)[-1].split("绑定码：")[1].split("\n")[0]
    assert "身份：领导（查阅）" in recorder.sent(ADMIN_ID)[-1]
    await say(talk_app, 601, f"/bind {code}")
    assert "您的身份：领导（查阅）" in recorder.sent(601)[-1]
    await say(talk_app, 601, "跳过")
    await say(talk_app, 601, "/start")
    assert "您的身份：领导（查阅）" in recorder.sent(601)[-1]
    await say(talk_app, 601, "/report R6-01-001")
    assert recorder.sent(601)[-1].startswith("领导身份仅供查阅，不能报告整改进展")
