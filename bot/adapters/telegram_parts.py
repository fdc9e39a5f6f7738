"""Telegram's limits and how a message is cut to them: data and pure functions, no PTB.

The core never holds these numbers; the Telegram adapter and the Telegram outbox read them
here (`bot.adapters.telegram` re-exports LIMITS). Telegram counts text in UTF-16 code units.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.core.limits import Limits

if TYPE_CHECKING:
    from bot.messages import OutMessage

LIMITS = Limits(
    text_max=4096,
    text_measure="utf16",
    action_max_bytes=64,
    buttons_per_row=8,
    can_edit=True,
    download_max=20 * 1024 * 1024,  # getFile hands bots nothing larger
)
CAPTION_MAX = 1024  # a photo's or document's caption


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


def utf16_len(text: str) -> int:
    """Telegram measures text in UTF-16 code units: an emoji outside the BMP counts 2."""
    return len(text.encode("utf-16-le")) // 2


def split_text(text: str, limit: int = LIMITS.text_max) -> list[str]:
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
