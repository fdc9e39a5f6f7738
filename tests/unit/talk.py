"""Talking to the bot in unit tests: texts, replies, photos and button presses as real Updates.

The application runs on a pinned clock (a Tuesday, 10:00 in the office's time zone) and a
recording request; what the bot sent is read back from the recording, buttons included.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from telegram import Update

from bot.app import build_application
from bot.clock import pinned_clock
from bot.config import Config
from bot.context import App
from bot.services import binding
from bot.services.container import Services
from storage import units
from storage.db import Database
from tests.e2e.reporting import seed_rows
from tests.factory import group_chat, private_chat, user
from tests.recording import BOT_USER, Call, RecordingRequest

TUESDAY_10 = datetime(2026, 11, 24, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
SENDS = {"sendMessage", "sendPhoto", "sendDocument"}
_ids = itertools.count(700_000)


@pytest.fixture
async def talk_app(config: Config, db: Database, recorder: RecordingRequest) -> AsyncIterator[App]:
    """The application on a pinned clock, with the four-problem ledger of the e2e tests."""
    clock = pinned_clock(TUESDAY_10)
    async with db.transaction() as tx:
        await seed_rows(tx, clock())
    application = build_application(Services(config=config, db=db, clock=clock), request=recorder)
    await application.initialize()
    yield application
    await application.shutdown()


def _message(chat: dict[str, Any], sender: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return {
        "message_id": next(_ids),
        "date": int(TUESDAY_10.timestamp()),
        "chat": chat,
        "from": sender,
        **fields,
    }


def chat_for(uid: int, name: str, group: int | None) -> dict[str, Any]:
    return private_chat(uid, name) if group is None else group_chat(group)


async def say(
    app: App,
    uid: int,
    text: str,
    *,
    name: str = "测试用户",
    group: int | None = None,
    reply_to: Call | None = None,
) -> None:
    """A text (a command when it starts with /), optionally as a Telegram reply."""
    chat = chat_for(uid, name, group)
    fields: dict[str, Any] = {"text": text}
    if text.startswith("/"):
        fields["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
    if reply_to is not None:
        fields["reply_to_message"] = _message(
            chat, BOT_USER, text=reply_to.params.get("text", "")
        ) | {"message_id": reply_to.result["message_id"]}
    update = {"update_id": next(_ids), "message": _message(chat, user(uid, name), **fields)}
    await app.process_update(Update.de_json(update, app.bot))


async def send_photo(app: App, uid: int, *, name: str = "测试用户", caption: str = "") -> None:
    photo = [{"file_id": f"ph-{next(_ids)}", "file_unique_id": "u1", "width": 9, "height": 9}]
    fields: dict[str, Any] = {"photo": photo} | ({"caption": caption} if caption else {})
    chat = private_chat(uid, name)
    update = {"update_id": next(_ids), "message": _message(chat, user(uid, name), **fields)}
    await app.process_update(Update.de_json(update, app.bot))


def buttons_of(call: Call) -> dict[str, str]:
    markup = call.params.get("reply_markup") or {}
    if isinstance(markup, str):
        markup = json.loads(markup)
    return {b["text"]: b["callback_data"] for r in markup.get("inline_keyboard", []) for b in r}


def last_with(recorder: RecordingRequest, chat_id: int, label: str) -> Call:
    """The bot's latest message in that chat that shows a button with this label."""
    return next(
        c
        for c in reversed(recorder.calls)
        if c.method in SENDS and int(c.params["chat_id"]) == chat_id and label in buttons_of(c)
    )


async def press(
    app: App,
    recorder: RecordingRequest,
    uid: int,
    label: str,
    *,
    name: str = "测试用户",
    group: int | None = None,
    on: Call | None = None,
) -> Call:
    """Press the button with this label on `on` (else the bot's latest message showing it)."""
    chat = chat_for(uid, name, group)
    shown = on or last_with(recorder, int(chat["id"]), label)
    data = buttons_of(shown)[label]
    markup = {
        "inline_keyboard": [[{"text": t, "callback_data": d}] for t, d in buttons_of(shown).items()]
    }
    number = next(_ids)
    query = {
        "id": f"cq-{number}",
        "from": user(uid, name),
        "chat_instance": "ci",
        "data": data,
        "message": _message(chat, BOT_USER, text=shown.params.get("text", ""))
        | {"message_id": shown.result["message_id"], "reply_markup": markup},
    }
    await app.process_update(
        Update.de_json({"update_id": number, "callback_query": query}, app.bot)
    )
    return shown


def edits(recorder: RecordingRequest, message_id: int) -> list[Call]:
    """The bot's changes to one of its messages (new text, or the keyboard taken off)."""
    return [
        c
        for c in recorder.calls
        if c.method.startswith("editMessage") and int(c.params["message_id"]) == message_id
    ]


async def contact_code(db: Database, unit: str = "县财政局") -> str:
    """A live binding code for a contact of that unit."""
    async with db.transaction() as tx:
        found = await units.by_name(tx, unit)
        issued = await binding.issue(
            tx, "contact", found, by=None, by_label="t", at=TUESDAY_10, ttl=timedelta(hours=72)
        )
    return issued.code


async def bind_contact(
    app: App, db: Database, uid: int, name: str, unit: str = "县财政局", names: str | None = None
) -> None:
    """Bind a contact by /bind; answer the 姓名职务 question with `names` (None: 跳过)."""
    await say(app, uid, f"/bind {await contact_code(db, unit)}", name=name)
    await say(app, uid, names or "跳过", name=name)


async def drain(app: App, db: Database) -> None:
    """Send what the outbox holds (copies, notices to units): the courier's work, done now."""
    rows = await db.fetchall("SELECT id FROM outbox WHERE status = 'pending' ORDER BY id")
    assert app.courier is not None
    await app.courier.deliver_now([int(r[0]) for r in rows])
