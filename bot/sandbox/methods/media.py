"""Photos and documents: uploads, resending by file_id, and getFile."""

from __future__ import annotations

from typing import Any

from bot.sandbox.errors import ApiError, bad_request
from bot.sandbox.files import DOWNLOAD_LIMIT
from bot.sandbox.methods.common import (
    Effect,
    Params,
    caption,
    markup_fields,
    reply_target,
)
from bot.sandbox.spec import Upload
from bot.sandbox.state import World

_PHOTO_LIMIT = 10 * 1024 * 1024
_UPLOAD_LIMIT = 50 * 1024 * 1024
_WRONG_ID = "wrong file identifier/HTTP URL specified"


def _source(world: World, value: Upload | str, limit: int) -> Upload | dict[str, Any]:
    """An upload to store, or what Telegram already holds for a file_id."""
    if isinstance(value, Upload):
        if not value.data:
            raise bad_request("file must be non-empty")
        if len(value.data) > limit:
            if limit == _PHOTO_LIMIT:
                raise bad_request("PHOTO_INVALID_DIMENSIONS")
            raise ApiError(413, "Request Entity Too Large")
        return value
    if value.startswith(("http://", "https://")):
        # No internet here; Telegram would fetch the URL itself.
        raise bad_request("failed to get HTTP URL content")
    if value.startswith("attach://"):
        raise bad_request(f"file {value[9:]} not found in the request")
    known = world.files.sent_as(value)
    if known is None:
        raise bad_request(_WRONG_ID)
    return known


def send_photo(world: World, params: Params) -> Effect:
    """Validate a photo and plan a message with its sizes (thumbnail first)."""
    chat = world.target(params["chat_id"])
    source = _source(world, params["photo"], _PHOTO_LIMIT)
    if isinstance(source, dict) and "photo" not in source:
        raise bad_request("type of file mismatch")
    fields = caption(params)
    markup, keyboard = markup_fields(params)
    reply = reply_target(world, chat, params)

    def effect() -> dict[str, Any]:
        sizes = world.files.photo(source.data) if isinstance(source, Upload) else source["photo"]
        world.bot_uploads.update(size["file_id"] for size in sizes)
        entry = world.add_message(
            chat, None, "photo", {"photo": sizes, **fields, **reply, **markup}
        )
        entry.keyboard = keyboard
        return entry.snapshot()

    return effect


def send_document(world: World, params: Params) -> Effect:
    """Validate a document and plan a message carrying it."""
    chat = world.target(params["chat_id"])
    source = _source(world, params["document"], _UPLOAD_LIMIT)
    if isinstance(source, dict) and "document" not in source:
        raise bad_request("type of file mismatch")
    fields = caption(params)
    markup, keyboard = markup_fields(params)
    reply = reply_target(world, chat, params)

    def effect() -> dict[str, Any]:
        if isinstance(source, Upload):
            document = world.files.document(source.data, source.filename, source.content_type)
        else:
            document = source["document"]
        world.bot_uploads.add(document["file_id"])
        entry = world.add_message(
            chat, None, "document", {"document": document, **fields, **reply, **markup}
        )
        entry.keyboard = keyboard
        return entry.snapshot()

    return effect


def get_file(world: World, params: Params) -> Effect:
    """A File with a download path; bots may not download files over 20 MB."""
    stored = world.files.get(params["file_id"])
    if stored is None:
        raise bad_request("wrong file_id or the file is temporarily unavailable")
    if len(stored.data) > DOWNLOAD_LIMIT:
        raise bad_request("file is too big")
    return stored.file_object
