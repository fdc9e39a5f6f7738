"""A send a crash interrupted may have arrived: uncertain, never resent, and the office told."""

from __future__ import annotations

import json

from bot.context import App
from bot.delivery import OutboxSender
from bot.messages import OutMessage
from bot.ratelimit import ChatRateLimiter
from bot.services import notify
from storage import chats, outbox, people
from storage.db import Database
from storage.times import utcnow


async def test_interrupted_sends_become_uncertain_and_the_office_is_told(
    app: App, db: Database
) -> None:
    now = utcnow()
    async with db.transaction() as tx:
        admin = await people.upsert(tx, 1, "王主任", None, now)
        await chats.remember(tx, -10, "supergroup", "县委巡察办工作群")
        await chats.register(tx, -10, "office", None, admin.id, now)
        await chats.remember(tx, -20, "supergroup", "县财政局整改群")
        await notify.enqueue(
            tx, "remind:1", -20, "reminder", OutMessage(text="【到期提醒】R6-01-001 将于…"), now
        )
        await notify.enqueue(tx, "remind:2", -20, "reminder", OutMessage(text="第二条"), now)
        first = await outbox.by_key(tx, "remind:1")
        assert first is not None
        assert await outbox.start_sending(tx, first.id)  # the crash happened right here
    assert app.courier is not None
    sender = OutboxSender(app.courier, db, ChatRateLimiter())
    assert await sender.recover() == 1
    items = {i.key: i for i in await outbox.all_items(db)}
    assert items["remind:1"].status == "uncertain"
    assert items["remind:2"].status == "pending"  # not touched: it never started
    alert = items["uncertain:" + str(first.id)]
    assert alert.chat_id == -10
    text = json.loads(alert.payload)["text"]
    assert "县财政局整改群" in text
    assert "【到期提醒】R6-01-001" in text
    assert await sender.recover() == 0  # a second start finds nothing more to recover


async def test_an_interrupted_reply_is_sent_again_saying_it_may_be_a_repeat(
    app: App, db: Database
) -> None:
    """A receipt the crash cut off: better twice (same number, marked) than never."""
    now = utcnow()
    async with db.transaction() as tx:
        await notify.enqueue(
            tx, "reply:77:1", 501, "reply", OutMessage(text="已收到您的报告。\n报告编号：X"), now
        )
        item = await outbox.by_key(tx, "reply:77:1")
        assert item is not None
        assert await outbox.start_sending(tx, item.id)  # the crash happened right here
    assert app.courier is not None
    sender = OutboxSender(app.courier, db, ChatRateLimiter())
    assert await sender.recover() == 1
    again = await outbox.by_key(db, "reply:77:1")
    assert again is not None
    assert again.status == "pending"
    text = json.loads(again.payload)["text"]
    assert text.startswith("（系统重启，补发上一条回复")
    assert text.endswith("报告编号：X")
    assert [i.key for i in await outbox.all_items(db) if i.kind == "alert"] == []
