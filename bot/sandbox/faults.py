"""Injected failures: deterministic 429s, 5xx, slow answers and blocked chats."""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass
from http import HTTPStatus

from bot.sandbox.errors import ApiError, forbidden, too_many_requests
from bot.sandbox.model import SimChat

SENDS = frozenset({"sendMessage", "sendPhoto", "sendDocument"})
# Methods that reach a chat, so a blocked user or a kicked bot makes them fail.
_CHAT_PREFIXES = ("send", "edit", "copy", "forward", "pin", "unpin")


@dataclass
class _Rule:
    kind: str  # "429", "5xx" or "slow"
    methods: frozenset[str] | None  # lower-case names; None: all but getUpdates
    every: int = 0
    rate: float = 0.0
    status: int = 0
    retry_after: int = 1
    seconds: float = 0.0
    seen: int = 0

    def matches(self, method: str) -> bool:
        if self.methods is None:
            return method.lower() != "getupdates"
        return method.lower() in self.methods


def _lower(methods: Iterable[str] | None) -> frozenset[str] | None:
    return None if methods is None else frozenset(m.lower() for m in methods)


class Faults:
    """Failures to inject; the same seed and the same calls give the same failures."""

    def __init__(self, seed: int = 0) -> None:
        self._seed = seed
        self._rng = random.Random(f"faults-{seed}")
        self._rules: list[_Rule] = []
        self._forbidden: dict[int, str | None] = {}

    def every_nth_429(
        self, k: int, retry_after: int = 1, methods: Iterable[str] | None = SENDS
    ) -> None:
        """Answer every k-th call of these methods with 429."""
        self._rules.append(_Rule("429", _lower(methods), every=k, retry_after=retry_after))

    def random_429(
        self, rate: float = 0.05, retry_after: int = 1, methods: Iterable[str] | None = SENDS
    ) -> None:
        """Answer this share of calls with 429, chosen by the seeded generator."""
        self._rules.append(_Rule("429", _lower(methods), rate=rate, retry_after=retry_after))

    def random_5xx(
        self, rate: float = 0.01, status: int = 500, methods: Iterable[str] | None = SENDS
    ) -> None:
        """Answer this share of calls with a server error."""
        self._rules.append(_Rule("5xx", _lower(methods), rate=rate, status=status))

    def every_nth_5xx(
        self, k: int, status: int = 502, methods: Iterable[str] | None = SENDS
    ) -> None:
        """Answer every k-th call of these methods with a server error."""
        self._rules.append(_Rule("5xx", _lower(methods), every=k, status=status))

    def slow(self, seconds: float, methods: Iterable[str] | None = None) -> None:
        """Answer late, after the call took effect, as a congested Telegram does."""
        self._rules.append(_Rule("slow", _lower(methods), seconds=seconds))

    def forbid(self, chat_id: int, description: str | None = None) -> None:
        """Answer 403 to everything sent to this chat, as if blocked or kicked."""
        self._forbidden[chat_id] = description

    def clear(self) -> None:
        """Remove every fault and restart the random sequence."""
        self._rules.clear()
        self._forbidden.clear()
        self._rng = random.Random(f"faults-{self._seed}")

    def check(self, method: str, chat_id: int | None, chat: SimChat | None) -> ApiError | None:
        """The failure this call gets, if any; counts the call for every_nth rules."""
        if chat_id in self._forbidden and method.lower().startswith(_CHAT_PREFIXES):
            return _forbidden(chat_id, chat, self._forbidden[chat_id])
        chosen: ApiError | None = None
        for rule in self._rules:
            if rule.kind == "slow" or not rule.matches(method):
                continue
            rule.seen += 1
            fires = rule.seen % rule.every == 0 if rule.every else self._rng.random() < rule.rate
            if fires and chosen is None:
                chosen = _failure(rule)
        return chosen

    def delay(self, method: str) -> float:
        """Seconds to hold this call's answer back."""
        return sum(r.seconds for r in self._rules if r.kind == "slow" and r.matches(method))


def _failure(rule: _Rule) -> ApiError:
    if rule.kind == "429":
        return too_many_requests(rule.retry_after)
    try:
        phrase = HTTPStatus(rule.status).phrase
    except ValueError:
        phrase = "Server Error"
    return ApiError(rule.status, phrase)


def _forbidden(chat_id: int, chat: SimChat | None, description: str | None) -> ApiError:
    if description:
        return ApiError(403, description)
    is_private = chat.type == "private" if chat is not None else chat_id > 0
    if is_private:
        return forbidden("bot was blocked by the user")
    return forbidden("bot was kicked from the group chat")
