"""An answered prompt keeps its answer; a decided review card shows the decision and who."""

from __future__ import annotations

from bot.context import App
from storage.db import Database
from tests.conftest import ADMIN_ID
from tests.recording import RecordingRequest
from tests.unit.talk import bind_contact, edits, press, say, send_photo

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


async def reach_confirm(app: App, db: Database, recorder: RecordingRequest) -> None:
    """A report on R6-01-001 (text and a photo), 持续推进, at its confirm card."""
    await bind_contact(app, db, ALICE, "王芳")
    await say(app, ALICE, "/report R6-01-001")
    await say(app, ALICE, "已清退 3 人津补贴")
    await send_photo(app, ALICE, caption="清退凭证")
    await press(app, recorder, ALICE, "完成")
    await press(app, recorder, ALICE, "持续推进")
    await say(app, ALICE, "5")
    await press(app, recorder, ALICE, "跳过")
    await press(app, recorder, ALICE, "跳过")
    assert recorder.sent(ALICE)[-1].startswith("请核对后提交")


async def test_correcting_a_figure_keeps_the_text_and_files(
    talk_app: App, db: Database, recorder: RecordingRequest
) -> None:
    await reach_confirm(talk_app, db, recorder)
    assert "挽回损失：5.00 万元" in recorder.sent(ALICE)[-1]
    await press(talk_app, recorder, ALICE, "修改数字")
    asked = recorder.sent(ALICE)[-1]
    assert "挽回损失多少万元" in asked
    assert "当前填写：5.00 万元" in asked
    await say(talk_app, ALICE, "12.5")
    await say(talk_app, ALICE, "跳过")  # typed, as good as the button
    assert "问责多少人" in recorder.sent(ALICE)[-1]
    await say(talk_app, ALICE, "2")
    card = recorder.sent(ALICE)[-1]
    assert "文字：已清退 3 人津补贴\n\n清退凭证" in card
    assert "附件：1 个" in card
    assert "挽回损失：12.50 万元" in card
    assert "新建/完善制度：未填" in card
    assert "问责：2 人" in card
    await press(talk_app, recorder, ALICE, "确认提交")
    assert "报告编号" in recorder.sent(ALICE)[-1]
    row = await db.fetchone("SELECT text, recovered_wan_x100, accountable_count FROM reports")
    assert tuple(row) == ("已清退 3 人津补贴\n\n清退凭证", 1250, 2)
    assert await db.scalar("SELECT COUNT(*) FROM attachments") == 1


async def test_a_photo_at_the_confirm_card_joins_the_draft(
    talk_app: App, db: Database, recorder: RecordingRequest
) -> None:
    await reach_confirm(talk_app, db, recorder)
    await send_photo(talk_app, ALICE)
    added, card = recorder.sent(ALICE)[-2:]
    assert added == "已补充附件，共 2 个。"
    assert card.startswith("请核对后提交")
    assert "附件：2 个" in card
    assert "挽回损失：5.00 万元" in card
    await press(talk_app, recorder, ALICE, "确认提交")
    assert await db.scalar("SELECT COUNT(*) FROM attachments") == 2
    assert await db.scalar("SELECT COUNT(*) FROM reports") == 1


async def test_typed_skip_at_a_figure_step_is_the_skip_button(
    talk_app: App, db: Database, recorder: RecordingRequest
) -> None:
    await bind_contact(talk_app, db, ALICE, "王芳")
    await say(talk_app, ALICE, "R6-01-002 制度已修订")
    await press(talk_app, recorder, ALICE, "持续推进")
    await say(talk_app, ALICE, "跳过")
    assert "新建或完善制度多少项" in recorder.sent(ALICE)[-1]
    await say(talk_app, ALICE, " 跳过。")
    assert "问责多少人" in recorder.sent(ALICE)[-1]
