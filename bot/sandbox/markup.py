"""Telegram's text measure (UTF-16 units) and its HTML parse mode: plain text plus entities."""

from __future__ import annotations

import re
from typing import Any

from bot.sandbox.errors import ApiError, bad_request

_TAG = re.compile(
    r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)"
    r"((?:\s+[a-zA-Z_:-]+(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s\"'>]+))?)*)\s*>"
)
_ATTR = re.compile(r"([a-zA-Z_:-]+)(?:\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s\"'>]+))?")
_ENTITY = re.compile(r"&(#[0-9]{1,7}|#x[0-9a-fA-F]{1,6}|lt|gt|amp|quot);")
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_KINDS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}


def utf16_len(text: str) -> int:
    """Length as Telegram counts it: characters outside the BMP (emoji) count twice."""
    return len(text.encode("utf-16-le")) // 2


def parse_error(detail: str) -> ApiError:
    """400 "can't parse entities", as Telegram words it."""
    return bad_request(f"can't parse entities: {detail}")


def byte_offset(text: str, index: int) -> int:
    """UTF-8 offset of a character index: the unit Telegram's parse errors use."""
    return len(text[:index].encode("utf-8"))


class _Open:
    """A start tag waiting for its end tag."""

    def __init__(self, name: str, offset: int, attrs: dict[str, str]) -> None:
        self.name = name
        self.offset = offset
        self.attrs = attrs
        self.language: str | None = None


def _attrs(raw: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for match in _ATTR.finditer(raw):
        value = match.group(2) or ""
        if value[:1] in {'"', "'"}:
            value = value[1:-1]
        found[match.group(1).lower()] = _unescape(value)
    return found


def _unescape(text: str) -> str:
    def one(match: re.Match[str]) -> str:
        name = match.group(1)
        if name.startswith("#x"):
            return chr(int(name[2:], 16))
        if name.startswith("#"):
            return chr(int(name[1:]))
        return _NAMED[name]

    return _ENTITY.sub(one, text)


def _entity(tag: _Open, end: int) -> dict[str, Any] | None:
    kind = _KINDS[tag.name]
    entity: dict[str, Any] = {"type": kind, "offset": tag.offset, "length": end - tag.offset}
    if tag.name == "a":
        entity["url"] = tag.attrs.get("href", "")
    elif tag.name == "pre" and tag.language:
        entity["language"] = tag.language
    elif tag.name == "tg-emoji":
        entity["custom_emoji_id"] = tag.attrs.get("emoji-id", "")
    elif tag.name == "blockquote" and "expandable" in tag.attrs:
        entity["type"] = "expandable_blockquote"
    return entity if entity["length"] > 0 else None


def parse_html(text: str) -> tuple[str, list[dict[str, Any]]]:
    """Parse HTML as Telegram does; raise 400 "can't parse entities" where Telegram would."""
    out: list[str] = []
    length = 0
    stack: list[_Open] = []
    entities: list[dict[str, Any]] = []
    i = 0
    while i < len(text):
        if text[i] != "<":
            nxt = text.find("<", i)
            chunk = _unescape(text[i : nxt if nxt >= 0 else len(text)])
            out.append(chunk)
            length += utf16_len(chunk)
            i = nxt if nxt >= 0 else len(text)
            continue
        match = _TAG.match(text, i)
        if match is None:
            raise parse_error(f"Unclosed start tag at byte offset {byte_offset(text, i)}")
        closing, name = match.group(1) == "/", match.group(2).lower()
        if name not in _KINDS:
            where = byte_offset(text, i)
            raise parse_error(f'Unsupported start tag "{name}" at byte offset {where}')
        if closing:
            if not stack or stack[-1].name != name:
                expected = f'"</{stack[-1].name}>"' if stack else "no end tag"
                raise parse_error(
                    f"Unmatched end tag at byte offset {byte_offset(text, i)}, "
                    f'expected {expected}, found "</{name}>"'
                )
            tag = stack.pop()
            language = tag.attrs.get("class", "").removeprefix("language-")
            if name == "code" and stack and stack[-1].name == "pre" and language:
                # <pre><code class="language-x"> is one pre entity with a language.
                stack[-1].language = language
            else:
                made = _entity(tag, length)
                if made:
                    entities.append(made)
        else:
            attrs = _attrs(match.group(3))
            if name == "span" and attrs.get("class") != "tg-spoiler":
                where = byte_offset(text, i)
                raise parse_error(f'Unsupported start tag "span" at byte offset {where}')
            stack.append(_Open(name, length, attrs))
        i = match.end()
    if stack:
        raise parse_error(f'Can\'t find end tag corresponding to start tag "{stack[-1].name}"')
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(out), entities
