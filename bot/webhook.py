"""Webhook mode: an update is in the inbox before Telegram gets its 200."""

from __future__ import annotations

import hmac
import json
import logging
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web

from bot.config import TelegramConfig
from bot.context import App
from bot.inbox import InboxWorker
from bot.polling import ALLOWED_UPDATES

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_DEPTH = 64  # a real update nests about a dozen levels (a reply inside a reply…)
MAX_UPDATE_ID = 2**31  # Telegram's update ids are positive 32-bit integers


def _too_deep(value: Any, limit: int = MAX_DEPTH) -> bool:
    """Whether the JSON value nests deeper than `limit` (walked without recursion)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            if depth > limit:
                return True
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)
    return False


def parse_update(body: bytes) -> dict[str, Any] | None:
    """The update in a webhook body, or None when it is not one we can store.

    Not JSON, nested deeper than MAX_DEPTH, not an object, or an update_id that is not a plain
    int (a bool is an int to Python) in 0 <= id < 2**31: SQLite and the handlers need no
    more guessing than that.
    """
    try:
        raw = json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return None
    if not isinstance(raw, dict) or _too_deep(raw):
        return None
    update_id = raw.get("update_id")
    if type(update_id) is not int or not 0 <= update_id < MAX_UPDATE_ID:
        return None
    return raw


class WebhookServer:
    def __init__(self, app: App, config: TelegramConfig, worker: InboxWorker) -> None:
        self._app = app
        self._config = config
        self._worker = worker
        self._secret = config.webhook_secret.get_secret_value()
        self._path = urlsplit(config.webhook_url).path or "/"
        self._runner: web.AppRunner | None = None

    def web_app(self) -> web.Application:
        server = web.Application(client_max_size=4 * 1024 * 1024)
        server.router.add_post(self._path, self.receive)
        return server

    async def receive(self, request: web.Request) -> web.Response:
        """Store the update durably, then answer 200; anything else is refused."""
        given = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), self._secret.encode()):
            log.warning("webhook request without the right secret from %s", request.remote)
            return web.Response(status=403, text="forbidden")
        raw = parse_update(await request.read())
        if raw is None:  # nothing is stored
            log.warning("webhook request that is not an update from %s", request.remote)
            return web.Response(status=400, text="not an update")
        await self._worker.accept([raw])
        return web.Response(status=200, text="ok")

    async def start(self) -> None:
        self._runner = web.AppRunner(self.web_app(), access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self._config.listen, self._config.port)
        await site.start()
        await self._app.bot.set_webhook(
            self._config.webhook_url, secret_token=self._secret, allowed_updates=ALLOWED_UPDATES
        )
        log.info("webhook listening on %s:%s%s", self._config.listen, self._config.port, self._path)

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
