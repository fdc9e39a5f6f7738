"""The Telegram adapter applies a dialog's effects: what Telegram receives, in which order.

A dialog says nothing of Telegram; these tests hang a small dialog on the real application
(real Updates through `app.process_update`, a recording request) and read the calls.
"""

from __future__ import annotations

import itertools

from telegram import Update
from telegram.ext import CallbackQueryHandler

from bot.adapters.telegram import on
from bot.context import App
from bot.core.effects import Effects
from bot.core.event import Event
from bot.messages import OutMessage
from bot.services.container import Services
from tests.factory import private_chat, user
from tests.recording import BOT_USER, RecordingRequest

_ids = itertools.count(900_000)
UID = 4242


async def press(app: App, data: str, shown: str = "原来的消息") -> None:
    number = next(_ids)
    query = {
        "id": f"cq-{number}",
        "from": user(UID, "张三"),
        "chat_instance": "ci",
        "data": data,
        "message": {
            "message_id": 77,
            "date": 0,
            "chat": private_chat(UID, "张三"),
            "from": BOT_USER,
            "text": shown,
            "reply_markup": {"inline_keyboard": [[{"text": "按钮", "callback_data": data}]]},
        },
    }
    await app.process_update(
        Update.de_json({"update_id": number, "callback_query": query}, app.bot)
    )


async def quiet(ev: Event, svc: Services, out: Effects) -> None:
    """A press whose dialog sets no notice: it edits the pressed message and says more."""
    assert ev.pressed is not None
    out.edit(ev.pressed, OutMessage(text=f"{ev.pressed_text}（已处理）"))
    out.say("详情见下。")
    out.send_file("明细.csv", b"a,b\n", "明细")


async def alerting(ev: Event, svc: Services, out: Effects) -> None:
    out.answer_press("已过期", alert=True)


async def test_every_press_is_answered_first_then_the_edit_the_words_and_the_file(
    talk_app: App, recorder: RecordingRequest
) -> None:
    talk_app.add_handler(CallbackQueryHandler(on(quiet), pattern="^probe$"), group=-50)
    talk_app.add_handler(CallbackQueryHandler(on(alerting), pattern="^old$"), group=-50)
    await press(talk_app, "probe")
    await press(talk_app, "old")
    calls = [c for c in recorder.calls if c.method != "getMe"]
    methods = [c.method for c in calls]
    assert methods == [
        "answerCallbackQuery",
        "editMessageText",
        "sendMessage",
        "sendDocument",
        "answerCallbackQuery",
    ]
    first, edit, words, _, alert = calls
    assert "text" not in first.params  # a silent answer: the spinner stops, nothing shows
    assert (edit.params["message_id"], edit.params["text"]) == (77, "原来的消息（已处理）")
    assert words.params["text"] == "详情见下。"
    assert (alert.params["text"], alert.params["show_alert"]) == ("已过期", True)
