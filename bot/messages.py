"""Plain message values the core produces; the Telegram side renders and sends them."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, field_validator, model_validator

from bot.adapters import telegram_parts

CALLBACK_DATA_MAX_BYTES = 64  # the smallest a platform allows (Telegram); a floor, not a fit


class Button(BaseModel):
    """A button as an intent: its label and the action it asks for (callback data)."""

    model_config = ConfigDict(frozen=True)
    text: str
    action: str

    @field_validator("action")
    @classmethod
    def _fits_telegram(cls, value: str) -> str:
        size = len(value.encode("utf-8"))
        if not 1 <= size <= CALLBACK_DATA_MAX_BYTES:
            raise ValueError(f"button action is {size} bytes; Telegram allows 1–64")
        return value


class Attachment(BaseModel):
    """A file to send: one Telegram holds (file_id), or one the bot wrote itself (path).

    path: a file under the bot's data dir (a chart it drew), uploaded when the message
    goes. An outbox row carries the path, not the bytes, so the file must outlive the row.
    """

    model_config = ConfigDict(frozen=True)
    kind: Literal["photo", "document"]
    file_id: str | None = None
    path: str | None = None

    @model_validator(mode="after")
    def _one_source(self) -> Attachment:
        if (self.file_id is None) == (self.path is None):
            raise ValueError("an attachment has a file_id or a path, exactly one of them")
        return self


class OutMessage(BaseModel):
    """One message to one chat, or (edit_message_id set) a change to one the bot sent.

    An edit with text replaces the message's text and buttons; an edit without text only
    replaces its buttons (none: the keyboard comes off).
    """

    model_config = ConfigDict(frozen=True)
    text: str
    buttons: tuple[tuple[Button, ...], ...] = ()
    attachment: Attachment | None = None
    reply_to_message_id: int | None = None
    edit_message_id: int | None = None


def shorten(text: str, width: int) -> str:
    """One line of at most `width` characters: runs of space folded, an ellipsis if cut."""
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


# Telegram's parts, where the outbox and older callers look for them (the adapter owns them).
TEXT_MAX = telegram_parts.LIMITS.text_max
CAPTION_MAX = telegram_parts.CAPTION_MAX
utf16_len = telegram_parts.utf16_len
split_text = telegram_parts.split_text
fit = telegram_parts.fit
