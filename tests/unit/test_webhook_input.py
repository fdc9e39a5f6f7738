"""The webhook refuses what is not a storable update with a 400, and stores nothing for it.

Telegram sends well-formed updates; anyone who learns the URL and secret can send anything.
JSON nested 100,000 deep once gave a 500 (RecursionError), an update_id of 2**70 a 500
(SQLite overflow), and {"update_id": true} was stored as update 1.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import pytest
from aiohttp.test_utils import TestClient, TestServer
from pydantic import SecretStr

from bot.config import TelegramConfig
from bot.context import App
from bot.inbox import InboxWorker
from bot.webhook import SECRET_HEADER, WebhookServer
from storage import inbox
from storage.db import Database

SECRET = "s3cret_webhook-token"
HEADERS = {SECRET_HEADER: SECRET, "Content-Type": "application/json"}


@pytest.fixture
async def client(app: App, db: Database) -> AsyncIterator[tuple[TestClient, InboxWorker]]:
    config = TelegramConfig(
        mode="webhook",
        webhook_url="https://bot.example.org/telegram",
        webhook_secret=SecretStr(SECRET),
    )
    worker = InboxWorker(app, db)
    server = WebhookServer(app, config, worker)
    async with TestClient(TestServer(server.web_app())) as test_client:
        yield test_client, worker
    await worker.drain()


def start(update_id: object) -> dict[str, object]:
    sender = {"id": 901, "is_bot": False, "first_name": "王芳"}
    return {
        "update_id": update_id,
        "message": {
            "message_id": 1,
            "date": 1_800_000_000,
            "from": sender,
            "chat": {"id": 901, "type": "private", "first_name": "王芳"},
            "text": "/start",
            "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
        },
    }


def nested(depth: int) -> bytes:
    return b'{"update_id": 7, "x": ' + b"[" * depth + b"]" * depth + b"}"


async def stored(db: Database) -> int:
    return int(await db.scalar("SELECT COUNT(*) FROM inbox"))


@pytest.mark.parametrize(
    "body",
    [
        nested(100_000),
        nested(500),  # parses, but no update nests like that
        json.dumps(start(2**70)).encode(),
        json.dumps(start(2**31)).encode(),
        json.dumps(start(-1)).encode(),
        json.dumps(start(True)).encode(),
        json.dumps(start(False)).encode(),
        json.dumps(start(3.0)).encode(),
        json.dumps(start("3")).encode(),
        json.dumps([start(3)]).encode(),
        b"not json",
        b"\xff\xfe{",
        b"",
    ],
    ids=[
        "nested-100k",
        "nested-500",
        "id-2**70",
        "id-2**31",
        "id-negative",
        "id-true",
        "id-false",
        "id-float",
        "id-string",
        "a-list",
        "not-json",
        "not-utf8",
        "empty",
    ],
)
async def test_what_is_not_an_update_gets_400_and_nothing_is_stored(
    client: tuple[TestClient, InboxWorker], db: Database, body: bytes
) -> None:
    test_client, _ = client
    response = await test_client.post("/telegram", data=body, headers=HEADERS)
    assert response.status == 400
    assert await stored(db) == 0


@pytest.mark.parametrize("update_id", [0, 1, 2**31 - 1])
async def test_a_valid_update_gets_200_and_is_stored(
    client: tuple[TestClient, InboxWorker], db: Database, update_id: int
) -> None:
    test_client, worker = client
    response = await test_client.post("/telegram", json=start(update_id), headers=HEADERS)
    assert response.status == 200
    item = await inbox.get(db, update_id)
    assert item is not None
    assert json.loads(item.payload)["message"]["text"] == "/start"
    await worker.drain()


async def test_without_the_secret_it_is_still_403(
    client: tuple[TestClient, InboxWorker], db: Database
) -> None:
    test_client, _ = client
    response = await test_client.post("/telegram", json=start(5))
    assert response.status == 403
    assert await stored(db) == 0
