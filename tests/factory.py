"""Real Update objects, as Telegram would send them, for driving app.process_update."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from typing import Any

from telegram import Bot, Update

_update_ids = itertools.count(1000)
_message_ids = itertools.count(1)


def user(uid: int, name: str = "测试用户") -> dict[str, Any]:
    return {"id": uid, "is_bot": False, "first_name": name, "language_code": "zh-hans"}


def private_chat(uid: int, name: str = "测试用户") -> dict[str, Any]:
    return {"id": uid, "type": "private", "first_name": name}


def group_chat(chat_id: int, title: str = "测试群") -> dict[str, Any]:
    return {"id": chat_id, "type": "supergroup", "title": title}


def text_update(bot: Bot, sender: dict[str, Any], chat: dict[str, Any], text: str) -> Update:
    message: dict[str, Any] = {
        "message_id": next(_message_ids),
        "date": int(datetime.now(UTC).timestamp()),
        "chat": chat,
        "from": sender,
        "text": text,
    }
    if text.startswith("/"):
        command = text.split()[0]
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
    return Update.de_json({"update_id": next(_update_ids), "message": message}, bot)
