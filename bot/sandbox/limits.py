"""Telegram's flood limits as the sandbox enforces them on sends."""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

SEND_METHODS = frozenset({"sendmessage", "sendphoto", "senddocument"})


@dataclass(frozen=True)
class FloodLimits:
    """Per chat a token bucket; per group a minute window; overall a one-second window."""

    per_chat_rate: float = 1.0
    per_chat_burst: int = 5
    group_per_minute: int = 20
    global_per_second: int = 30
    enabled: bool = True


@dataclass(frozen=True)
class FloodViolation:
    """A 429 the sandbox gave because the bot sent too fast."""

    method: str
    chat_id: int
    rule: str  # "chat", "group" or "global"
    retry_after: int
    at: float


class FloodControl:
    """Decides whether a send fits the limits; only sends that fit use up budget."""

    def __init__(self, limits: FloodLimits, clock: Callable[[], float]) -> None:
        self.limits = limits
        self._clock = clock
        self._buckets: dict[int, tuple[float, float]] = {}  # chat -> (tokens, at)
        self._groups: dict[int, deque[float]] = {}
        self._global: deque[float] = deque()

    def admit(self, chat_id: int, is_group: bool) -> tuple[str, int] | None:
        """None if the send may go now (and count it); else the rule broken and retry_after."""
        limits = self.limits
        if not limits.enabled:
            return None
        now = self._clock()
        waits: list[tuple[float, str]] = []
        tokens, at = self._buckets.get(chat_id, (float(limits.per_chat_burst), now))
        tokens = min(float(limits.per_chat_burst), tokens + (now - at) * limits.per_chat_rate)
        if tokens < 1.0:
            waits.append(((1.0 - tokens) / limits.per_chat_rate, "chat"))
        window = self._groups.setdefault(chat_id, deque()) if is_group else None
        if window is not None:
            _prune(window, now - 60.0)
            if len(window) >= limits.group_per_minute:
                waits.append((window[0] + 60.0 - now, "group"))
        _prune(self._global, now - 1.0)
        if len(self._global) >= limits.global_per_second:
            waits.append((self._global[0] + 1.0 - now, "global"))
        if waits:
            wait, rule = max(waits)
            return rule, max(1, math.ceil(wait - 1e-9))
        self._buckets[chat_id] = (tokens - 1.0, now)
        if window is not None:
            window.append(now)
        self._global.append(now)
        return None


def _prune(window: deque[float], older_than: float) -> None:
    while window and window[0] <= older_than:
        window.popleft()
