"""An answered prompt keeps its answer; a decided review card shows the decision and who."""

from __future__ import annotations

from bot.context import App
from storage.db import Database
from tests.conftest import ADMIN_ID
from tests.recording import RecordingRequest
from tests.unit.talk import bind_contact, edits, press, say

ALICE = 501
BOSS = "王主任"


def edited_text(recorder: RecordingRequest, message_id: int) -> str:
    changes = edits(recorder, message_id)
    assert changes, "the message was not changed"
    return str(changes[-1].params.get("text", ""))


async def report_completed(app: App, recorder: RecordingRequest, code: str, text: str) -> None:
    await say(app, ALICE, f"{code} {text}")
    await press(app, recorder, ALICE, "已完成，申请验收")
    await press(app, recorder, ALICE, "没有量化成果")
    await press(app, recorder, ALICE, "确认提交")


async def test_a_pressed_prompt_shows_the_answer(
    talk_app: App, db: Database, recorder: RecordingRequest
) -> None:
    await bind_contact(talk_app, db, ALICE, "王芳")
    await say(talk_app, ALICE, "R6-01-001 已全额清退")
    claim = await press(talk_app, recorder, ALICE, "已完成，申请验收")
    assert edited_text(recorder, claim.result["message_id"]) == (
        "问题 R6-01-001 的整改状态：已完成，申请验收"
    )
    assert "reply_markup" not in edits(recorder, claim.result["message_id"])[-1].params
    money = await press(talk_app, recorder, ALICE, "跳过")
    assert edited_text(recorder, money.result["message_id"]) == "挽回损失：跳过"
    await press(talk_app, recorder, ALICE, "跳过")
    await press(talk_app, recorder, ALICE, "跳过")
    card = await press(talk_app, recorder, ALICE, "确认提交")
    kept = edited_text(recorder, card.result["message_id"])
    assert kept.startswith("请核对后提交：\n问题：R6-01-001")
    assert kept.endswith("（已确认提交）")


async def test_a_decided_card_shows_the_decision_and_who_made_it(
    talk_app: App, db: Database, recorder: RecordingRequest
) -> None:
    await bind_contact(talk_app, db, ALICE, "王芳")
    await report_completed(talk_app, recorder, "R6-01-001", "已全额清退")
    await report_completed(talk_app, recorder, "R6-01-002", "制度已修订")
    await say(talk_app, ADMIN_ID, "/review", name=BOSS)
    cards = [c for c in recorder.calls if "【待验收】" in str(c.params.get("text", ""))]
    first, second = cards
    await press(talk_app, recorder, ADMIN_ID, "通过（销号）", name=BOSS, on=first)
    decided = edited_text(recorder, first.result["message_id"])
    assert decided.startswith(str(first.params["text"]))
    assert "\n\n已通过（销号）——王主任 11月24日（周二）10:" in decided
    # 退回: the reason is typed; the card shows it, and who sent it back.
    await press(talk_app, recorder, ADMIN_ID, "退回", name=BOSS, on=second)
    assert "退回的理由" in recorder.sent(ADMIN_ID)[-1]
    await say(talk_app, ADMIN_ID, "佐证材料不全", name=BOSS)
    assert "已退回" in recorder.sent(ADMIN_ID)[-1]
    decided = edited_text(recorder, second.result["message_id"])
    assert "\n\n已退回：佐证材料不全——王主任 11月24日（周二）10:" in decided
