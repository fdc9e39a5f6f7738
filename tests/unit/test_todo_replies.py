"""Replying to a day's to-do: with a code it reports on that problem; without one, it asks."""

from __future__ import annotations

from bot.context import App
from storage.db import Database
from tests.conftest import ADMIN_ID
from tests.recording import Call, RecordingRequest
from tests.unit.talk import bind_contact, say

UNIT_GROUP = -1002
ALICE = 501
TODO = Call(
    "sendMessage",
    {
        "text": "【今日待办】县财政局｜11月24日（周二）\n请于今日报告以下问题的整改进展：\n"
        "即将到期（2 项）\n· R6-01-001｜12月24日（周四）到期\n· R6-01-002｜12月24日（周四）到期"
    },
    {"message_id": 4343},
)


async def test_a_reply_to_a_todo_asks_which_problem_unless_it_names_one(
    talk_app: App, db: Database, recorder: RecordingRequest
) -> None:
    await say(talk_app, ADMIN_ID, "/setgroup unit 县财政局", group=UNIT_GROUP)
    await bind_contact(talk_app, db, ALICE, "王芳")
    before = await db.fetchall("SELECT * FROM report_drafts")
    await say(talk_app, ALICE, "已经整改完了", group=UNIT_GROUP, reply_to=TODO)
    said = recorder.sent(UNIT_GROUP)[-1]
    assert said.startswith("这条消息列出了多个问题")
    assert "R6-01-001 已完成" in said
    assert await db.fetchall("SELECT * FROM report_drafts") == before  # nothing started
    await say(talk_app, ALICE, "R6-01-002 已召开专题会", group=UNIT_GROUP, reply_to=TODO)
    drafts = await db.fetchall("SELECT problem_id FROM report_drafts")
    assert len(drafts) == 1
    problem = await db.fetchone("SELECT code FROM problems WHERE id = ?", (drafts[0][0],))
    assert problem is not None
    assert problem[0] == "R6-01-002"
