"""Plain message values the core produces; the Telegram side renders and sends them."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, field_validator, model_validator

CALLBACK_DATA_MAX_BYTES = 64
TEXT_MAX = 4096
CAPTION_MAX = 1024


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


def fit(message: OutMessage) -> list[OutMessage]:
    """The message as parts within Telegram's limits, measured as Telegram measures them.

    Text goes in parts of at most 4,096 UTF-16 units, split at line boundaries; a file
    whose text would pass the 1,024-unit caption goes first without it, then the text.
    Buttons stay on the last part.
    """
    if message.edit_message_id is not None:
        return [message]
    if message.attachment is not None and utf16_len(message.text) > CAPTION_MAX:
        alone = message.model_copy(update={"text": "", "buttons": ()})
        rest = message.model_copy(update={"attachment": None, "reply_to_message_id": None})
        return [alone, *fit(rest)]
    parts = split_text(message.text)
    return [
        message.model_copy(
            update={
                "text": part,
                "buttons": message.buttons if index == len(parts) - 1 else (),
                "attachment": message.attachment if index == 0 else None,
                "reply_to_message_id": message.reply_to_message_id if index == 0 else None,
            }
        )
        for index, part in enumerate(parts)
    ]


def shorten(text: str, width: int) -> str:
    """One line of at most `width` characters: runs of space folded, an ellipsis if cut."""
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def utf16_len(text: str) -> int:
    """Telegram measures text in UTF-16 code units: an emoji outside the BMP counts 2."""
    return len(text.encode("utf-16-le")) // 2


def split_text(text: str, limit: int = TEXT_MAX) -> list[str]:
    """Split at line boundaries so each part fits; a single overlong line is cut hard."""
    parts: list[str] = []
    current = ""
    for line in text.split("\n"):
        candidate = line if not current else current + "\n" + line
        if utf16_len(candidate) <= limit:
            current = candidate
            continue
        if current:
            parts.append(current)
        while utf16_len(line) > limit:
            cut = _cut_point(line, limit)
            parts.append(line[:cut])
            line = line[cut:]
        current = line
    if current or not parts:
        parts.append(current)
    return [p for p in parts if p] or [""]


def _cut_point(line: str, limit: int) -> int:
    used = 0
    for index, char in enumerate(line):
        used += 2 if ord(char) > 0xFFFF else 1
        if used > limit:
            return index
    return len(line)
