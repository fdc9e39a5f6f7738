"""Reports: the same update twice gives one; withdrawing within 24 hours, by the author only."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from bot.context import App
from bot.inbox import InboxWorker
from bot.services import binding
from bot.services.reporting import flow
from bot.services.reporting.draft import Draft
from storage import ledger, units
from storage.db import Database
from tests.e2e.reporting import seed_rows
from tests.recording import RecordingRequest

ALICE = 321


async def ready_draft(db: Database) -> Draft:
    now = datetime.now(UTC)
    async with db.transaction() as tx:
        await seed_rows(tx, now)
        unit = await units.by_name(tx, "县财政局")
        issued = await binding.issue(
            tx, "contact", unit, by=None, by_label="t", at=now, ttl=timedelta(hours=1)
        )
    await binding.bind(db, ALICE, "王芳", None, issued.code, now)
    problem = (await ledger.by_code(db, "R6-01-001"))[0]
    person = await db.scalar("SELECT id FROM people WHERE tg_user_id = ?", (ALICE,))
    draft = await flow.begin(db, int(person), ALICE, problem, ["已清退"], now)
    draft.claim, draft.step = "completed", "confirm"
    await flow.save(db, draft, problem, now)
    return draft


def submit_update(draft: Draft) -> dict[str, Any]:
    sender = {"id": ALICE, "is_bot": False, "first_name": "王芳"}
    return {
        "update_id": 5000,
        "callback_query": {
            "id": "cq-1",
            "from": sender,
            "chat_instance": "ci",
            "data": f"rd:{draft.nonce}:ok",
            "message": {
                "message_id": 9,
                "date": 1_800_000_000,
                "text": "请核对后提交",
                "chat": {"id": ALICE, "type": "private", "first_name": "王芳"},
                "from": {"id": 7000000001, "is_bot": True, "first_name": "整改通"},
                "reply_markup": {
                    "inline_keyboard": [
                        [{"text": "确认提交", "callback_data": f"rd:{draft.nonce}:ok"}]
                    ]
                },
            },
        },
    }


async def test_same_update_twice_gives_one_report(
    app: App, db: Database, recorder: RecordingRequest
) -> None:
    draft = await ready_draft(db)
    worker = InboxWorker(app, db)
    update = submit_update(draft)
    assert await worker.accept([update]) == 1
    await worker.drain()
    assert await worker.accept([update]) == 0  # Telegram sent it again: nothing new
    await worker.drain()
    assert await worker.resume() == 0
    assert await db.scalar("SELECT COUNT(*) FROM reports") == 1
    assert await db.scalar("SELECT source_update_id FROM reports") == 5000
    assert sum("报告编号" in t for t in recorder.sent(ALICE)) == 1
    problem = (await ledger.by_code(db, "R6-01-001"))[0]
    assert problem.status == "awaiting_acceptance"


async def say(app: App, uid: int, text: str) -> None:
    from tests.factory import private_chat, text_update, user

    await app.process_update(text_update(app.bot, user(uid), private_chat(uid), text))


async def test_withdraw_within_24_hours_by_the_author(
    app: App, db: Database, recorder: RecordingRequest
) -> None:
    draft = await ready_draft(db)
    worker = InboxWorker(app, db)
    await worker.accept([submit_update(draft)])
    await worker.drain()
    number = str(await db.scalar("SELECT number FROM reports"))
    await say(app, 999, f"/withdraw {number}")  # not a contact at all
    assert "请先绑定身份" in recorder.sent(999)[-1]
    async with db.transaction() as tx:
        await tx.execute(
            "UPDATE reports SET created_at = ?",
            ((datetime.now(UTC) - timedelta(hours=25)).isoformat(),),
        )
    await say(app, ALICE, f"/withdraw {number}")
    assert "超过 24 小时" in recorder.sent(ALICE)[-1]
    async with db.transaction() as tx:
        await tx.execute("UPDATE reports SET created_at = ?", (datetime.now(UTC).isoformat(),))
    await say(app, ALICE, f"/withdraw {number}")
    assert "已撤回报告" in recorder.sent(ALICE)[-1]
    assert "未启动" in recorder.sent(ALICE)[-1]
    assert await db.scalar("SELECT COUNT(*) FROM reports WHERE withdrawn_at IS NOT NULL") == 1
    assert (await ledger.by_code(db, "R6-01-001"))[0].status == "imported"
    await say(app, ALICE, f"/withdraw {number}")
    assert "已经撤回" in recorder.sent(ALICE)[-1]
