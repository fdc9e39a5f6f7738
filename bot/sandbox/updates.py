"""The bot's update queue, with getUpdates' confirm-by-offset and long-poll semantics."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from bot.sandbox.errors import ApiError

# Telegram's default when allowed_updates was never given: all but these.
_OPT_IN = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
CONFLICT_POLL = (
    "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running"
)


class UpdateQueue:
    """Unconfirmed updates in order; an update leaves only when a later offset confirms it."""

    def __init__(self, first_id: int = 1) -> None:
        self._items: list[dict[str, Any]] = []
        self._next_id = first_id
        self._changed = asyncio.Event()
        self._poll_generation = 0
        self.allowed: frozenset[str] | None = None
        self.closed = False

    def push(self, kind: str, payload: dict[str, Any]) -> dict[str, Any] | None:
        """Queue an update unless allowed_updates filters its type out (as Telegram does)."""
        if self.allowed is not None and kind not in self.allowed:
            return None
        if self.allowed is None and kind in _OPT_IN:
            return None
        update = {"update_id": self._next_id, kind: payload}
        self._next_id += 1
        self._items.append(update)
        self._wake()
        return update

    def confirm(self, offset: int) -> None:
        """Forget updates below a positive offset; a negative one keeps only the last -offset."""
        if offset > 0:
            self._items = [u for u in self._items if u["update_id"] >= offset]
        elif offset < 0:
            self._items = self._items[offset:]

    def peek(self, limit: int = 100) -> list[dict[str, Any]]:
        """The oldest unconfirmed updates, still unconfirmed."""
        return self._items[:limit]

    def pending(self) -> int:
        """How many updates wait for confirmation."""
        return len(self._items)

    def drop_all(self) -> None:
        """drop_pending_updates: forget everything queued."""
        self._items.clear()

    def remove(self, update_id: int) -> None:
        """Forget one update (a webhook delivery succeeded)."""
        self._items = [u for u in self._items if u["update_id"] != update_id]

    def set_allowed(self, allowed: list[str] | None) -> None:
        """Remember allowed_updates; an empty list means Telegram's default set."""
        if allowed is not None:
            self.allowed = frozenset(allowed) or None

    def begin_poll(self) -> int:
        """Every getUpdates starts here: a poll still waiting is answered 409, as on Telegram."""
        self._poll_generation += 1
        self._wake()
        return self._poll_generation

    async def wait(self, seconds: float, generation: int) -> None:
        """Long poll: return when an update is queued, the timeout passes or the sandbox stops."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        while not self._items and not self.closed:
            remaining = deadline - loop.time()
            if remaining <= 0:
                return
            changed = self._changed
            # asyncio.timeout, not wait_for: 3.11's wait_for can swallow a cancellation.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(remaining):
                    await changed.wait()
            if generation != self._poll_generation:
                raise ApiError(409, CONFLICT_POLL)

    async def changed(self, seconds: float) -> None:
        """Wait until the queue changes or `seconds` pass (for the webhook pusher)."""
        changed = self._changed
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                await changed.wait()

    def close(self) -> None:
        """Release every long poll: the sandbox is stopping."""
        self.closed = True
        self._wake()

    def _wake(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()
