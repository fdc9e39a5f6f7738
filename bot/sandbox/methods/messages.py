"""Sending, editing and deleting text messages, and answering button presses."""

from __future__ import annotations

from typing import Any

from bot.sandbox.errors import bad_request
from bot.sandbox.methods.common import (
    NOT_MODIFIED,
    Effect,
    Params,
    caption,
    check_inline_keyboard,
    editable,
    markup_fields,
    message_text,
    reply_target,
)
from bot.sandbox.state import World

_CALLBACK_TEXT_LIMIT = 200
_QUERY_INVALID = "query is too old and response timeout expired or query ID is invalid"


def send_message(world: World, params: Params) -> Effect:
    """Validate a text message and plan to append it to the chat."""
    chat = world.target(params["chat_id"])
    text, entities = message_text(params)
    markup, keyboard = markup_fields(params)
    reply = reply_target(world, chat, params)

    def effect() -> dict[str, Any]:
        body: dict[str, Any] = {"text": text, **reply, **markup}
        if entities:
            body["entities"] = entities
        entry = world.add_message(chat, None, "text", body)
        entry.keyboard = keyboard
        return entry.snapshot()

    return effect


def edit_message_text(world: World, params: Params) -> Effect:
    """Replace a bot message's text; without reply_markup the inline keyboard goes away."""
    entry = editable(world, params)
    if entry.kind != "text":
        raise bad_request("there is no text in the message to edit")
    text, entities = message_text(params)
    markup = check_inline_keyboard(params.get("reply_markup"))
    current = entry.message
    if (
        current.get("text") == text
        and current.get("entities", []) == entities
        and current.get("reply_markup") == markup
    ):
        raise bad_request(NOT_MODIFIED)

    def effect() -> dict[str, Any]:
        message = entry.message
        message["text"] = text
        _put(message, "entities", entities or None)
        _put(message, "reply_markup", markup)
        message["edit_date"] = world.now()
        entry.edited = True
        return entry.snapshot()

    return effect


def edit_message_caption(world: World, params: Params) -> Effect:
    """Replace a media message's caption."""
    entry = editable(world, params)
    if entry.kind == "text":
        raise bad_request("there is no caption in the message to edit")
    fields = caption(params)
    markup = check_inline_keyboard(params.get("reply_markup"))
    current = entry.message
    if (
        current.get("caption") == fields.get("caption")
        and current.get("caption_entities") == fields.get("caption_entities")
        and current.get("reply_markup") == markup
    ):
        raise bad_request(NOT_MODIFIED)

    def effect() -> dict[str, Any]:
        message = entry.message
        for key in ("caption", "caption_entities"):
            _put(message, key, fields.get(key))
        _put(message, "reply_markup", markup)
        message["edit_date"] = world.now()
        entry.edited = True
        return entry.snapshot()

    return effect


def edit_message_reply_markup(world: World, params: Params) -> Effect:
    """Replace or remove a bot message's inline keyboard."""
    entry = editable(world, params)
    markup = check_inline_keyboard(params.get("reply_markup"))
    if entry.message.get("reply_markup") == markup:
        raise bad_request(NOT_MODIFIED)

    def effect() -> dict[str, Any]:
        _put(entry.message, "reply_markup", markup)
        entry.message["edit_date"] = world.now()
        entry.edited = True
        return entry.snapshot()

    return effect


def delete_message(world: World, params: Params) -> Effect:
    """Mark a message deleted; the transcript keeps it, received() no longer shows it."""
    entry = editable(world, params, deleting=True)

    def effect() -> bool:
        entry.deleted = True
        return True

    return effect


def delete_messages(world: World, params: Params) -> Effect:
    """Delete several messages; Telegram skips the ones it cannot find."""
    chat = world.target(params["chat_id"])
    ids = params["message_ids"]
    if not 1 <= len(ids) <= 100:
        raise bad_request("message_ids must contain 1-100 identifiers")

    def effect() -> bool:
        for message_id in ids:
            found = world.entry(chat.id, int(message_id))
            if found is not None:
                found.deleted = True
        return True

    return effect


def answer_callback_query(world: World, params: Params) -> Effect:
    """Record the answer to a button press; each query can be answered once."""
    record = world.callbacks.get(params["callback_query_id"])
    if record is None or record.answer is not None or record.expired:
        raise bad_request(_QUERY_INVALID)
    text = params.get("text") or ""
    if len(text) > _CALLBACK_TEXT_LIMIT:
        raise bad_request("MESSAGE_TOO_LONG")

    def effect() -> bool:
        keys = ("text", "show_alert", "url", "cache_time")
        record.answer = {k: params[k] for k in keys if k in params}
        return True

    return effect


def _put(message: dict[str, Any], key: str, value: Any) -> None:
    if value is None:
        message.pop(key, None)
    else:
        message[key] = value
