"""A unit's group: /help shows members no admin commands; an unbound member's reply is answered."""

from __future__ import annotations

from bot.context import App
from storage.db import Database
from tests.conftest import ADMIN_ID
from tests.recording import Call, RecordingRequest
from tests.unit.talk import bind_contact, say

UNIT_GROUP = -1002
ALICE, STRANGER = 501, 777
REMINDER = Call(
    "sendMessage",
    {"text": "【逾期提醒】R6-01-001 已逾期 3 天。\n请尽快完成整改并报告进展。"},
    {"message_id": 4242},
)


async def test_help_in_a_unit_group_shows_members_no_admin_commands(
    talk_app: App, db: Database, recorder: RecordingRequest
) -> None:
    await say(talk_app, ADMIN_ID, "/setgroup unit 县财政局", group=UNIT_GROUP)
    await bind_contact(talk_app, db, ALICE, "王芳")
    await say(talk_app, ALICE, "/help", group=UNIT_GROUP)
    member = recorder.sent(UNIT_GROUP)[-1]
    assert "/setgroup" not in member
    assert "管理员" not in member
    assert "本群已登记为：单位群（县财政局）" in member
    assert "“回复”机器人在本群发出的提醒" in member
    assert "/bind" not in member  # bound: no binding hint
    await say(talk_app, STRANGER, "/help", group=UNIT_GROUP)
    assert "您尚未绑定身份" in recorder.sent(UNIT_GROUP)[-1]
    await say(talk_app, ADMIN_ID, "/help", group=UNIT_GROUP)
    assert "/setgroup unit 单位名称" in recorder.sent(UNIT_GROUP)[-1]


async def test_an_unbound_members_reply_to_a_reminder_is_answered(
    talk_app: App, recorder: RecordingRequest
) -> None:
    await say(talk_app, ADMIN_ID, "/setgroup unit 县财政局", group=UNIT_GROUP)
    await say(talk_app, STRANGER, "已经整改完了", group=UNIT_GROUP, reply_to=REMINDER)
    said = recorder.sent(UNIT_GROUP)[-1]
    assert said.startswith("您尚未绑定身份，这条回复不会记为整改进展")
    assert "/bind" in said
    # A reply to someone else, or plain talk in the group: the bot keeps quiet.
    before = len(recorder.sent(UNIT_GROUP))
    await say(talk_app, STRANGER, "收到", group=UNIT_GROUP)
    assert len(recorder.sent(UNIT_GROUP)) == before
