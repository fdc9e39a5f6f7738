"""Telegram's MarkdownV2 and legacy Markdown parse modes, strict where Telegram is strict."""

from __future__ import annotations

from typing import Any

from bot.sandbox.markup import byte_offset, parse_error, utf16_len

_RESERVED = frozenset("_*[]()~`>#+-=|{}.!")
_TOGGLES = {"__": "underline", "||": "spoiler", "*": "bold", "_": "italic", "~": "strikethrough"}
_TITLES = {
    "bold": "Bold",
    "italic": "Italic",
    "underline": "Underline",
    "strikethrough": "Strikethrough",
    "spoiler": "Spoiler",
    "text_link": "TextUrl",
}


class _Builder:
    """Plain text being built, measured in UTF-16 units as entity offsets are."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.length = 0
        self.entities: list[dict[str, Any]] = []

    def emit(self, text: str) -> None:
        self.parts.append(text)
        self.length += utf16_len(text)

    def entity(self, kind: str, offset: int, **extra: Any) -> None:
        if self.length > offset:
            self.entities.append({"type": kind, "offset": offset, "length": self.length - offset})
            self.entities[-1].update(extra)

    def result(self) -> tuple[str, list[dict[str, Any]]]:
        self.entities.sort(key=lambda e: (e["offset"], -e["length"]))
        return "".join(self.parts), self.entities


def _until(text: str, start: int, end: str) -> tuple[str, int]:
    """Text up to an unescaped `end`, unescaped, and the index after `end`."""
    chunk: list[str] = []
    i = start
    while i < len(text):
        if text[i] == "\\" and i + 1 < len(text):
            chunk.append(text[i + 1])
            i += 2
        elif text.startswith(end, i):
            return "".join(chunk), i + len(end)
        else:
            chunk.append(text[i])
            i += 1
    raise parse_error(f"Can't find end of the entity starting at byte offset {start}")


def parse_markdown_v2(text: str) -> tuple[str, list[dict[str, Any]]]:
    """Parse MarkdownV2; an unescaped reserved character is a 400, as on Telegram."""
    out = _Builder()
    stack: list[tuple[str, int, int]] = []  # marker, entity offset, index in text
    quote: int | None = None
    i = 0
    while i < len(text):
        line_start = i == 0 or text[i - 1] == "\n"
        if line_start and text[i] == ">":
            quote = out.length if quote is None else quote
            i += 1
            continue
        if line_start and quote is not None:
            out.entity("blockquote", quote)
            quote = None
        char = text[i]
        if char == "\\":
            if i + 1 >= len(text) or not 1 <= ord(text[i + 1]) <= 126:
                raise parse_error(f"Character '\\' is reserved and must be escaped at byte {i}")
            out.emit(text[i + 1])
            i += 2
            continue
        if text.startswith("```", i):
            body, i = _until(text, i + 3, "```")
            language, newline, code = body.partition("\n")
            start = out.length
            out.emit(code if newline else body)
            extra = {"language": language} if newline and language.strip() else {}
            out.entity("pre", start, **extra)
            continue
        if char == "`":
            body, i = _until(text, i + 1, "`")
            start = out.length
            out.emit(body)
            out.entity("code", start)
            continue
        if char == "[":
            stack.append(("[", out.length, i))
            i += 1
            continue
        if char == "]" and stack and stack[-1][0] == "[":
            if not text.startswith("(", i + 1):
                raise parse_error(f"Character ']' is reserved and must be escaped at byte {i}")
            url, i = _until(text, i + 2, ")")
            _, start, _ = stack.pop()
            out.entity("text_link", start, url=url)
            continue
        marker = next((m for m in _TOGGLES if text.startswith(m, i)), None)
        if marker is not None:
            if stack and stack[-1][0] == marker:
                _, start, _ = stack.pop()
                out.entity(_TOGGLES[marker], start)
            elif any(m == marker for m, _, _ in stack):
                where = byte_offset(text, i)
                raise parse_error(
                    f"Can't find end of {_TITLES[_TOGGLES[marker]]} entity at {where}"
                )
            else:
                stack.append((marker, out.length, i))
            i += len(marker)
            continue
        if char in _RESERVED:
            raise parse_error(
                f"Character '{char}' is reserved and must be escaped with the preceding '\\'"
            )
        out.emit(char)
        i += 1
    if quote is not None:
        out.entity("blockquote", quote)
    if stack:
        marker, _, index = stack[-1]
        title = _TITLES.get(_TOGGLES.get(marker, "text_link"), "TextUrl")
        where = byte_offset(text, index)
        raise parse_error(f"Can't find end of {title} entity at byte offset {where}")
    return out.result()


_LEGACY = {"*": "bold", "_": "italic", "`": "code"}


def parse_markdown(text: str) -> tuple[str, list[dict[str, Any]]]:
    """Parse legacy Markdown: *bold*, _italic_, `code`, ```pre```, [text](url)."""
    out = _Builder()
    i = 0
    while i < len(text):
        char = text[i]
        if char == "\\" and i + 1 < len(text) and text[i + 1] in "_*`[":
            out.emit(text[i + 1])
            i += 2
        elif text.startswith("```", i):
            end = text.find("```", i + 3)
            if end < 0:
                where = byte_offset(text, i)
                raise parse_error(f"Can't find end of the entity starting at byte offset {where}")
            start = out.length
            out.emit(text[i + 3 : end])
            out.entity("pre", start)
            i = end + 3
        elif char in _LEGACY or char == "[":
            close = "]" if char == "[" else char
            end = text.find(close, i + 1)
            if end < 0:
                where = byte_offset(text, i)
                raise parse_error(f"Can't find end of the entity starting at byte offset {where}")
            start = out.length
            out.emit(text[i + 1 : end])
            if char == "[":
                if not text.startswith("(", end + 1) or text.find(")", end) < 0:
                    where = byte_offset(text, i)
                    raise parse_error(f"Can't find end of the entity at byte offset {where}")
                url_end = text.find(")", end)
                out.entity("text_link", start, url=text[end + 2 : url_end])
                i = url_end + 1
            else:
                out.entity(_LEGACY[char], start)
                i = end + 1
        else:
            out.emit(char)
            i += 1
    return out.result()
