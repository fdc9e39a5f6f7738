"""The inbox worker: stored first, in order per chat, concurrent across chats, once."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from telegram.request import RequestData

from bot.context import App
from bot.inbox import InboxWorker
from storage import inbox, state
from storage.db import Database
from tests.factory import private_chat, text_update, user
from tests.recording import RecordingRequest


class SlowChatRequest(RecordingRequest):
    """Answers one chat slowly, as a congested chat would."""

    def __init__(self, slow_chat: int, delay: float) -> None:
        super().__init__()
        self.slow_chat, self.delay = slow_chat, delay

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        *args: Any,
        **kwargs: Any,
    ) -> tuple[int, bytes]:
        params = request_data.parameters if request_data else {}
        if str(params.get("chat_id")) == str(self.slow_chat):
            await asyncio.sleep(self.delay)
        return await super().do_request(url, method, request_data, *args, **kwargs)


def raw(app: App, uid: int, text: str) -> dict[str, Any]:
    return text_update(app.bot, user(uid), private_chat(uid), text).to_dict()


async def test_updates_are_stored_with_their_offset_before_handling(app: App, db: Database) -> None:
    worker = InboxWorker(app, db)
    updates = [raw(app, 11, "/start"), raw(app, 12, "/help")]
    fresh = await worker.accept(updates, next_offset=updates[-1]["update_id"] + 1)
    assert fresh == 2
    assert await state.get(db, inbox.OFFSET_KEY) == str(updates[-1]["update_id"] + 1)
    await worker.drain()
    for u in updates:
        item = await inbox.get(db, u["update_id"])
        assert item is not None
        assert item.status == "done"
        assert json.loads(item.payload)["message"]["text"] == u["message"]["text"]


async def test_duplicate_delivery_is_handled_once(
    app: App, db: Database, recorder: RecordingRequest
) -> None:
    worker = InboxWorker(app, db)
    update = raw(app, 13, "/start")
    await worker.accept([update])
    await worker.drain()
    assert await worker.accept([update]) == 0
    await worker.drain()
    assert len(recorder.sent(13)) == 1


async def test_order_per_chat_and_a_slow_chat_does_not_block_others(
    config: Any, db: Database
) -> None:
    from bot.app import build_application
    from bot.services.container import Services

    request = SlowChatRequest(slow_chat=21, delay=0.3)
    app = build_application(Services(config=config, db=db), request=request)
    await app.initialize()
    try:
        worker = InboxWorker(app, db)
        slow = [raw(app, 21, t) for t in ("/start", "/help", "/cancel")]
        fast = [raw(app, 22, t) for t in ("/start", "/help", "/cancel")]
        await worker.accept(slow + fast)
        await asyncio.sleep(0.15)
        assert len(request.sent(22)) == 3  # the fast chat is done while the slow one waits
        assert len(request.sent(21)) <= 1
        await worker.drain()
        assert [t[:4] for t in request.sent(21)] == [t[:4] for t in request.sent(22)]
        assert "当前没有进行中的操作" in request.sent(21)[-1]
    finally:
        await app.shutdown()


async def test_resume_hands_back_unfinished_updates(
    app: App, db: Database, recorder: RecordingRequest
) -> None:
    update = raw(app, 14, "/start")
    async with db.transaction() as tx:  # stored, then the process died before handling it
        await inbox.store(tx, [(update["update_id"], "chat:14", json.dumps(update))], _now())
    worker = InboxWorker(app, db)
    assert await worker.resume() == 1
    await worker.drain()
    assert len(recorder.sent(14)) == 1
    assert (await inbox.counts(db)) == {"done": 1}


def _now() -> Any:
    from storage.times import utcnow

    return utcnow()


async def test_the_pollers_parsed_updates_are_used_unless_the_stored_form_differs(
    app: App, db: Database, monkeypatch: Any
) -> None:
    """An update the poller parsed is handled as parsed (not parsed again from JSON); one
    whose stored form was changed — a binding code hashed — is handled as stored, so no
    handler ever sees the code in clear."""
    from telegram import Update
    from telegram.ext import TypeHandler

    from tests.factory import text_update

    seen: list[str] = []

    async def look(update: Update, _: object) -> None:
        message = update.effective_message
        seen.append(message.text or "" if message is not None else "")

    app.add_handler(TypeHandler(Update, look), group=-100)
    parses: list[int] = []
    real = Update.de_json

    def counting(data: Any, bot: Any = None) -> Update | None:
        parses.append(int(data["update_id"]))
        return real(data, bot)

    plain = text_update(app.bot, user(31), private_chat(31), "/help")
    secret = text_update(app.bot, user(32), private_chat(32), "/bind ABCD-EFGH-JKMN")
    monkeypatch.setattr("bot.inbox.Update.de_json", counting)
    worker = InboxWorker(app, db)
    await worker.accept([plain.to_dict(), secret.to_dict()], parsed=[plain, secret])
    await worker.drain()
    assert parses == [secret.update_id]  # the plain one was not parsed again
    assert seen[0] == "/help"
    assert seen[1].startswith("/bind #h:")
    assert "ABCD" not in seen[1]
