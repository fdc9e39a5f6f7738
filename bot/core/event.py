"""What happened, as the core sees it: who, where, what, and when — no platform object."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal


@dataclass(frozen=True)
class Sender:
    """Who acted: the platform's own id for them, and how the platform names them."""

    platform: str  # "telegram", "feishu", …
    user_id: int
    name: str
    username: str | None = None


@dataclass(frozen=True)
class Place:
    """Where it happened: a private chat with the bot, or a group."""

    chat_id: int
    private: bool
    title: str = ""
    kind: str = ""  # the platform's own word for it (Telegram: private, group, supergroup)


@dataclass(frozen=True)
class FileRef:
    """A file the user sent: the platform's handle to fetch it, and what it says it is."""

    kind: Literal["photo", "document"]
    ref: str
    name: str | None = None
    size: int | None = None
    mime: str | None = None


@dataclass(frozen=True)
class Event:
    """One thing a user did: wrote (text, a command with its arguments, files, maybe as a
    reply to a message of the bot's) or pressed a button (its action, on which message)."""

    update_id: int
    at: datetime
    who: Sender
    where: Place
    text: str = ""
    command: str | None = None  # without the slash and the bot's name
    args: tuple[str, ...] = ()
    files: tuple[FileRef, ...] = ()
    reply_to: int | None = None  # the bot's message this one answers
    action: str | None = None  # a pressed button's action
    pressed: int | None = None  # the message that button was on
    for_another_bot: bool = False  # the command names another bot (/help@OtherBot)
