"""A send a crash interrupted may have arrived: uncertain, never resent, and the office told."""

from __future__ import annotations

import json
from pathlib import Path

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


async def test_an_interrupted_reply_is_not_sent_twice(app: App, db: Database) -> None:
    """A receipt on the wire when the process died most likely arrived: not sent again."""
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
    assert again.status == "uncertain"


async def test_a_send_that_never_left_the_process_is_simply_queued_again(
    app: App, db: Database, tmp_path: Path
) -> None:
    """Waiting for its turn under the pace is not being on the wire: the journal tells which."""
    from storage.sends import Journal

    now = utcnow()
    async with db.transaction() as tx:
        for chat, key in ((501, "reply:1:1"), (502, "reply:2:1")):
            await notify.enqueue(tx, key, chat, "reply", OutMessage(text=key), now)
        went, waited = [await outbox.by_key(tx, k) for k in ("reply:1:1", "reply:2:1")]
        assert went is not None
        assert waited is not None
        assert await outbox.start_sending(tx, went.id)
        assert await outbox.start_sending(tx, waited.id)  # both cut off by the crash
    journal = Journal.open(tmp_path / "j.sends.sqlite3")
    journal.record(went.chat_id, 1.0, went.id)  # only this one was recorded going out
    assert app.courier is not None
    sender = OutboxSender(app.courier, db, ChatRateLimiter(journal=journal))
    assert await sender.recover() == 1
    statuses = {i.key: i.status for i in await outbox.all_items(db) if i.kind == "reply"}
    assert statuses == {"reply:1:1": "uncertain", "reply:2:1": "pending"}
    journal.close()
