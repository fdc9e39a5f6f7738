"""What happened, as the core sees it: who, where, what, and when — no platform object."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from bot.core.limits import Limits


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
    unique: str | None = None  # the platform's lasting id for the same file, where it has one


class FetchFailed(Exception):
    """The platform would not hand over a file (too big for bots, gone): the reason, in words."""


# Fetch a file the user sent: its bytes, or FetchFailed.
Fetch = Callable[[FileRef], Awaitable[bytes]]


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
    reply_text: str = ""  # and what that message says (its text or caption)
    action: str | None = None  # a pressed button's action
    pressed: int | None = None  # the message that button was on
    pressed_text: str = ""  # and what that message says, as the platform still shows it
    for_another_bot: bool = False  # the command names another bot (/help@OtherBot)
    limits: Limits = field(kw_only=True, compare=False)  # what the platform allows
    fetch: Fetch | None = field(default=None, kw_only=True, compare=False, repr=False)

    @property
    def typed(self) -> str:
        """The text the user typed as a message of its own (a file's caption is not)."""
        return "" if self.files else self.text

    async def download(self, file: FileRef) -> bytes:
        """The file's bytes from the platform (FetchFailed when it will not give them)."""
        if self.fetch is None:
            raise FetchFailed("此平台未提供下载")
        return await self.fetch(file)
