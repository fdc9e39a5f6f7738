"""A request object that answers like Telegram and records every call, for unit tests."""

from __future__ import annotations

import itertools
import json
import time
from dataclasses import dataclass
from typing import Any

from telegram.request import BaseRequest, RequestData

BOT_USER = {"id": 7000000001, "is_bot": True, "first_name": "整改通", "username": "zhenggai_bot"}


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    result: Any = None  # what Telegram answered (a sent message carries its message_id)


class RecordingRequest(BaseRequest):
    def __init__(self) -> None:
        self.calls: list[Call] = []
        self._ids = itertools.count(1)
        # Telegram's error answers to give: method -> (status, description).
        self.errors: dict[str, tuple[int, str]] = {}

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    @property
    def read_timeout(self) -> float | None:
        return 5.0

    def sent(self, chat_id: int | None = None) -> list[str]:
        """Texts the bot sent (to one chat, or everywhere), in order."""
        return [
            str(c.params.get("text") or c.params.get("caption") or "")
            for c in self.calls
            if c.method in {"sendMessage", "sendPhoto", "sendDocument"}
            and (chat_id is None or int(c.params["chat_id"]) == chat_id)
        ]

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: float | None = None,
        write_timeout: float | None = None,
        connect_timeout: float | None = None,
        pool_timeout: float | None = None,
    ) -> tuple[int, bytes]:
        endpoint = url.rsplit("/", 1)[-1]
        params = dict(request_data.parameters) if request_data else {}
        self.calls.append(Call(endpoint, params))
        if endpoint in self.errors:
            status, description = self.errors[endpoint]
            body = {"ok": False, "error_code": status, "description": description}
            return status, json.dumps(body).encode()
        result: Any = True
        if endpoint == "getMe":
            result = BOT_USER
        elif endpoint in {"sendMessage", "sendPhoto", "sendDocument"}:
            chat_id = int(params["chat_id"])
            chat = {"id": chat_id, "type": "private" if chat_id > 0 else "supergroup"}
            chat |= {"first_name": "user"} if chat_id > 0 else {"title": "group"}
            result = {
                "message_id": next(self._ids),
                "date": int(time.time()),
                "chat": chat,
                "from": BOT_USER,
                "text": params.get("text", ""),
            }
        elif endpoint == "getUpdates":
            result = []
        elif endpoint == "getFile":  # the file's bytes are then this same JSON answer
            name = f"photos/{params.get('file_id', 'f')}.jpg"
            result = {"file_id": params.get("file_id"), "file_unique_id": "u", "file_path": name}
        self.calls[-1].result = result
        return 200, json.dumps({"ok": True, "result": result}).encode()
