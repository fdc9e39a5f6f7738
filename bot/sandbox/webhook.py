"""Optional webhook delivery: POST each update until the bot's endpoint answers 200."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import aiohttp

from bot.sandbox.state import World

_SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
_RETRY_PAUSE = 0.2
_IDLE_CHECK = 0.1


class WebhookPusher:
    """Delivers updates one at a time, in order, as Telegram does with max_connections=1."""

    def __init__(self, world: World) -> None:
        self._world = world
        self.enabled = False
        self._task: asyncio.Task[None] | None = None
        self._session: aiohttp.ClientSession | None = None

    def start(self) -> None:
        """Run in the current loop until stop()."""
        self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10))
        self._task = asyncio.create_task(self._run(), name="sandbox-webhook")

    async def stop(self) -> None:
        """Cancel delivery and close the client session."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def _run(self) -> None:
        world = self._world
        while not world.updates.closed:
            pending = world.updates.peek(1)
            if not (self.enabled and world.webhook.url and pending):
                await world.updates.changed(_IDLE_CHECK)
                continue
            if await self._post(pending[0]):
                world.updates.remove(pending[0]["update_id"])
            else:
                await asyncio.sleep(_RETRY_PAUSE)

    async def _post(self, update: dict[str, Any]) -> bool:
        hook = self._world.webhook
        assert self._session is not None
        headers = {_SECRET_HEADER: hook.secret_token} if hook.secret_token else {}
        try:
            async with self._session.post(hook.url, json=update, headers=headers) as response:
                await response.read()
                status, reason = response.status, response.reason
        except (aiohttp.ClientError, TimeoutError) as exc:
            self._failed(f"Connection failed: {exc!r}")
            return False
        if status != 200:
            self._failed(f"Wrong response from the webhook: {status} {reason}")
            return False
        return True

    def _failed(self, message: str) -> None:
        self._world.webhook.last_error_date = self._world.now()
        self._world.webhook.last_error_message = message
