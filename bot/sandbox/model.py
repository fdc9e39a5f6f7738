"""Simulated users, chats and the messages in them."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any


@dataclass
class SimUser:
    """A Telegram user the test acts as."""

    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = None

    @property
    def name(self) -> str:
        """The display name Telegram clients show."""
        return f"{self.first_name} {self.last_name}" if self.last_name else self.first_name

    def to_dict(self) -> dict[str, Any]:
        """The User object."""
        user: dict[str, Any] = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        for key in ("last_name", "username", "language_code"):
            value = getattr(self, key)
            if value is not None:
                user[key] = value
        return user


@dataclass
class SimChat:
    """A private chat with the bot, or a group the bot is in."""

    id: int
    type: str  # "private", "group" or "supergroup"
    title: str | None = None
    user: SimUser | None = None
    bot_member: bool = True
    bot_admin: bool = False
    blocked: bool = False  # private: the user blocked the bot
    admins: list[SimUser] = field(default_factory=list)

    @property
    def is_group(self) -> bool:
        """Groups and supergroups share Telegram's group limits and privacy mode."""
        return self.type in {"group", "supergroup"}

    @property
    def label(self) -> str:
        """What a transcript calls this chat."""
        if self.user is not None:
            return self.user.name
        return self.title or str(self.id)

    def to_dict(self) -> dict[str, Any]:
        """The Chat object as it appears inside a Message."""
        chat: dict[str, Any] = {"id": self.id, "type": self.type}
        if self.user is not None:
            chat.update({k: v for k, v in self.user.to_dict().items() if k in _PRIVATE_KEYS})
        else:
            chat["title"] = self.title or ""
        return chat


_PRIVATE_KEYS = ("first_name", "last_name", "username")


@dataclass
class Entry:
    """One message in a chat, by the bot (sender None) or a user, as it is now."""

    chat_id: int
    message_id: int
    sender: SimUser | None
    kind: str  # "text", "photo" or "document"
    message: dict[str, Any]
    edited: bool = False
    deleted: bool = False
    delivered: bool = True  # False: privacy mode kept it from the bot
    # A reply keyboard is not part of the Message object, but a transcript shows it.
    keyboard: list[list[str]] | None = None

    @property
    def by_bot(self) -> bool:
        """True for messages the bot sent."""
        return self.sender is None

    def snapshot(self) -> dict[str, Any]:
        """A copy the caller may keep or change without touching the chat."""
        return copy.deepcopy(self.message)

    def as_reply_target(self) -> dict[str, Any]:
        """The message as Telegram nests it in reply_to_message: one level deep."""
        nested = copy.deepcopy(self.message)
        nested.pop("reply_to_message", None)
        return nested
