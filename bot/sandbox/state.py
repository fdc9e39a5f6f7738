"""Everything the sandbox knows: users, chats, messages, updates, files, calls."""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bot.sandbox.errors import ApiError, bad_request, forbidden, too_many_requests
from bot.sandbox.faults import Faults
from bot.sandbox.files import FileStore
from bot.sandbox.limits import SEND_METHODS, FloodControl, FloodLimits, FloodViolation
from bot.sandbox.model import Entry, SimChat, SimUser
from bot.sandbox.spec import Spec
from bot.sandbox.updates import UpdateQueue


@dataclass
class Call:
    """One API call the bot made and how the sandbox answered it (status 0: still running)."""

    method: str
    params: dict[str, Any]
    status: int = 0
    error: str | None = None
    at: float = 0.0
    warnings: list[str] = field(default_factory=list)


@dataclass
class Webhook:
    """What setWebhook stored, and how delivery to it went."""

    url: str = ""
    secret_token: str | None = None
    max_connections: int = 40
    allowed_updates: list[str] | None = None
    last_error_date: int | None = None
    last_error_message: str | None = None


@dataclass
class CallbackRecord:
    """A callback query a user made and the bot's answer to it."""

    query: dict[str, Any]
    answer: dict[str, Any] | None = None
    expired: bool = False  # Telegram refuses answers to queries older than a few seconds


class World:
    """The shared state behind the HTTP side and the acting-as-users side."""

    def __init__(
        self,
        *,
        spec: Spec,
        bot_user: dict[str, Any],
        strict: bool,
        privacy_mode: bool,
        limits: FloodLimits,
        clock: Callable[[], float],
        seed: int,
    ) -> None:
        self.spec = spec
        self.bot_user = bot_user
        self.strict = strict
        self.privacy_mode = privacy_mode
        self.clock = clock
        self.rng = random.Random(f"ids-{seed}")
        self.users: dict[int, SimUser] = {}
        self.chats: dict[int, SimChat] = {}
        self.log: dict[int, list[Entry]] = {}
        self.files = FileStore()
        self.updates = UpdateQueue()
        self.callbacks: dict[str, CallbackRecord] = {}
        self.commands: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self.webhook = Webhook()
        self.calls: list[Call] = []
        self.faults = Faults(seed)
        self.flood = FloodControl(limits, clock)
        self.flood_violations: list[FloodViolation] = []
        self.bot_uploads: set[str] = set()
        self.stopping = asyncio.Event()

    @staticmethod
    def now() -> int:
        """Message dates are wall-clock unix time, as on Telegram."""
        return int(time.time())

    def find_chat(self, chat_id: Any) -> SimChat | None:
        """A known chat by id or @username, or None."""
        if isinstance(chat_id, str) and chat_id.startswith("@"):
            name = chat_id[1:].lower()
            for chat in self.chats.values():
                if chat.user is not None and (chat.user.username or "").lower() == name:
                    return chat
            return None
        if isinstance(chat_id, int):
            return self.chats.get(chat_id)
        return None

    def target(self, chat_id: Any) -> SimChat:
        """The chat a bot call addresses, or the error Telegram answers instead."""
        chat = self.find_chat(chat_id)
        if chat is None:
            if isinstance(chat_id, int) and chat_id in self.users:
                raise forbidden("bot can't initiate conversation with a user")
            raise bad_request("chat not found")
        if chat.blocked:
            raise forbidden("bot was blocked by the user")
        if chat.is_group and not chat.bot_member:
            raise forbidden("bot was kicked from the group chat")
        return chat

    def entries(self, chat_id: int) -> list[Entry]:
        """Messages of a chat in order, deleted ones included."""
        return self.log.setdefault(chat_id, [])

    def entry(self, chat_id: int, message_id: int) -> Entry | None:
        """A message that exists (not deleted) in this chat."""
        for item in self.log.get(chat_id, []):
            if item.message_id == message_id:
                return None if item.deleted else item
        return None

    def add_message(
        self, chat: SimChat, sender: SimUser | None, kind: str, body: dict[str, Any]
    ) -> Entry:
        """Append a message; ids grow per chat and the date is now."""
        entries = self.entries(chat.id)
        message_id = entries[-1].message_id + 1 if entries else 1
        message: dict[str, Any] = {
            "message_id": message_id,
            "date": self.now(),
            "chat": chat.to_dict(),
            "from": dict(self.bot_user) if sender is None else sender.to_dict(),
        }
        message.update(body)
        item = Entry(chat.id, message_id, sender, kind, message)
        entries.append(item)
        return item

    def new_id(self) -> str:
        """A numeric string id like Telegram's callback query ids, reproducible by seed."""
        return str(self.rng.randrange(10**17, 10**18))

    def check_gate(self, method: str, chat_id: Any) -> ApiError | None:
        """Injected faults, then flood limits: the answer a valid call gets instead of effect."""
        chat = self.find_chat(chat_id)
        fault = self.faults.check(method, chat_id if isinstance(chat_id, int) else None, chat)
        if fault is not None:
            return fault
        if chat is None or method.lower() not in SEND_METHODS:
            return None
        broken = self.flood.admit(chat.id, chat.is_group)
        if broken is None:
            return None
        rule, retry_after = broken
        self.flood_violations.append(
            FloodViolation(method, chat.id, rule, retry_after, self.clock())
        )
        return too_many_requests(retry_after)
