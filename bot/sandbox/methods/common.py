"""What the served methods share: the registry and Telegram's checks on texts and markup."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.sandbox.errors import bad_request
from bot.sandbox.markdown import parse_markdown, parse_markdown_v2
from bot.sandbox.markup import parse_html, utf16_len
from bot.sandbox.model import Entry, SimChat
from bot.sandbox.state import World

Params = dict[str, Any]
# An effect runs only after validation, faults and flood limits let the call through;
# it may return an awaitable (getUpdates waits for updates).
Effect = Callable[[], Any]
Prepare = Callable[[World, Params], Effect]

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
CALLBACK_DATA_BYTES = 64
NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)


def formatted(
    text: str, parse_mode: str | None, entities: list[dict[str, Any]] | None
) -> tuple[str, list[dict[str, Any]]]:
    """The text a user sees and its entities, for every parse mode Telegram has."""
    mode = (parse_mode or "").lower()
    if mode == "html":
        return parse_html(text)
    if mode == "markdownv2":
        return parse_markdown_v2(text)
    if mode == "markdown":
        return parse_markdown(text)
    if mode:
        raise bad_request("unsupported parse_mode")
    return text, list(entities or [])


def message_text(params: Params) -> tuple[str, list[dict[str, Any]]]:
    """sendMessage/editMessageText text: 1-4096 UTF-16 units after entity parsing."""
    text, entities = formatted(
        params.get("text") or "", params.get("parse_mode"), params.get("entities")
    )
    if not text.strip():
        raise bad_request("message text is empty")
    if utf16_len(text) > TEXT_LIMIT:
        raise bad_request("message is too long")
    return text, entities


def caption(params: Params) -> dict[str, Any]:
    """caption and caption_entities for a media message: at most 1024 units after parsing."""
    raw = params.get("caption")
    if not raw:
        return {}
    text, entities = formatted(raw, params.get("parse_mode"), params.get("caption_entities"))
    if utf16_len(text) > CAPTION_LIMIT:
        raise bad_request("message caption is too long")
    found: dict[str, Any] = {"caption": text}
    if entities:
        found["caption_entities"] = entities
    return found


def check_inline_keyboard(markup: dict[str, Any] | None) -> dict[str, Any] | None:
    """Telegram's checks on an inline keyboard; the markup a Message carries, or None."""
    if not markup or "inline_keyboard" not in markup:
        return None
    for row in markup["inline_keyboard"]:
        for button in row:
            if not str(button.get("text", "")).strip():
                raise bad_request("BUTTON_TEXT_INVALID")
            actions = set(button) - {"text", "icon_custom_emoji_id", "style"}
            if not actions:
                raise bad_request(
                    "can't parse inline keyboard button: "
                    "Text buttons are unallowed in the inline keyboard"
                )
            data = button.get("callback_data")
            if data is not None and not 1 <= len(str(data).encode()) <= CALLBACK_DATA_BYTES:
                raise bad_request("BUTTON_DATA_INVALID")
    return markup if any(markup["inline_keyboard"]) else None


def markup_fields(params: Params) -> tuple[dict[str, Any], list[list[str]] | None]:
    """Message fields for reply_markup, and the reply keyboard a transcript shows."""
    markup = params.get("reply_markup")
    inline = check_inline_keyboard(markup)
    if inline is not None:
        return {"reply_markup": inline}, None
    if markup and "keyboard" in markup:
        rows = [
            [b if isinstance(b, str) else b.get("text", "") for b in r] for r in markup["keyboard"]
        ]
        return {}, rows
    return {}, None


def reply_target(world: World, chat: SimChat, params: Params) -> dict[str, Any]:
    """reply_to_message for reply_parameters (or the old reply_to_message_id), if any."""
    parameters = params.get("reply_parameters") or {}
    message_id = parameters.get("message_id", params.get("reply_to_message_id"))
    if message_id is None:
        return {}
    source = world.find_chat(parameters.get("chat_id", chat.id)) or chat
    target = world.entry(source.id, int(message_id))
    if target is None:
        if parameters.get("allow_sending_without_reply"):
            return {}
        raise bad_request("message to be replied not found")
    return {"reply_to_message": target.as_reply_target()}


def editable(world: World, params: Params, *, deleting: bool = False) -> Entry:
    """The message an edit or delete addresses, or Telegram's error for it."""
    if params.get("inline_message_id"):
        raise bad_request("message to edit not found")
    if params.get("chat_id") in (None, ""):
        raise bad_request("chat_id is empty")
    if params.get("message_id") is None:
        raise bad_request("message identifier is not specified")
    chat = world.target(params["chat_id"])
    found = world.entry(chat.id, int(params["message_id"]))
    if found is None:
        raise bad_request(
            "message to delete not found" if deleting else "message to edit not found"
        )
    if not deleting and not found.by_bot:
        raise bad_request("message can't be edited")
    return found
