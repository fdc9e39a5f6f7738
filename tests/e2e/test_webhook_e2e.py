"""Webhook mode: stored before 200, refused without the secret."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from bot.clock import Clock
from bot.config import parse_config
from bot.runtime import Runtime
from bot.sandbox import Sandbox
from storage import inbox
from tests import dbs
from tests.e2e.conftest import ADMIN_ID, TOKEN

SECRET = "s3cret_webhook-token"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
async def webhook_rt(
    sandbox: Sandbox, tmp_path: Path, e2e_clock: Clock
) -> AsyncIterator[tuple[Runtime, str]]:
    port = free_port()
    url = f"http://127.0.0.1:{port}/telegram"
    config = parse_config(
        {
            "telegram": {
                "token": TOKEN,
                "base_url": sandbox.base_url,
                "base_file_url": sandbox.base_file_url,
                "mode": "webhook",
                "webhook_url": url,
                "webhook_secret": SECRET,
                "listen": "127.0.0.1",
                "port": port,
            },
            "storage": dbs.storage(tmp_path, "w"),
            "office": {"admins": [ADMIN_ID]},
        }
    )
    async with Runtime(config, clock=e2e_clock) as rt:
        yield rt, url


def update(update_id: int, user_id: int, text: str) -> dict[str, object]:
    sender = {"id": user_id, "is_bot": False, "first_name": "王芳"}
    return {
        "update_id": update_id,
        "message": {
            "message_id": 1,
            "date": 1_800_000_000,
            "from": sender,
            "chat": {"id": user_id, "type": "private", "first_name": "王芳"},
            "text": text,
            "entities": [{"type": "bot_command", "offset": 0, "length": len(text)}],
        },
    }


async def test_webhook_requires_secret_and_stores_before_answering(
    sandbox: Sandbox, webhook_rt: tuple[Runtime, str]
) -> None:
    rt, url = webhook_rt
    alice = sandbox.user(901, "王芳")
    dm = sandbox.private_chat(alice)
    async with httpx.AsyncClient() as client:
        refused = await client.post(url, json=update(1, 901, "/start"))
        assert refused.status_code == 403
        wrong = await client.post(
            url,
            json=update(1, 901, "/start"),
            headers={"X-Telegram-Bot-Api-Secret-Token": "guess"},
        )
        assert wrong.status_code == 403
        assert await inbox.get(rt.db, 1) is None
        ok = await client.post(
            url,
            json=update(2, 901, "/start"),
            headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
        )
        assert ok.status_code == 200
        assert await inbox.get(rt.db, 2) is not None  # stored by the time Telegram hears 200
        again = await client.post(
            url,
            json=update(2, 901, "/start"),
            headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
        )
        assert again.status_code == 200
    await sandbox.wait_for(lambda: len(sandbox.received(dm)) >= 1, timeout=10)
    await rt.worker.drain()
    assert len(sandbox.received(dm)) == 1  # the duplicate delivery had no second effect
    assert "还没有绑定" in sandbox.received(dm)[0]["text"]
