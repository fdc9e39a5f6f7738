"""Which lane an update belongs to: updates of one chat are handled in order."""

from __future__ import annotations

from typing import Any

_KINDS = (
    "message",
    "edited_message",
    "channel_post",
    "edited_channel_post",
    "callback_query",
    "my_chat_member",
    "chat_member",
    "chat_join_request",
    "message_reaction",
)


def lane_of(raw: dict[str, Any]) -> str:
    for kind in _KINDS:
        obj = raw.get(kind)
        if not isinstance(obj, dict):
            continue
        chat = obj.get("chat")
        if not isinstance(chat, dict):
            message = obj.get("message")
            chat = message.get("chat") if isinstance(message, dict) else None
        if isinstance(chat, dict) and "id" in chat:
            return f"chat:{chat['id']}"
        sender = obj.get("from") or obj.get("user")
        if isinstance(sender, dict) and "id" in sender:
            return f"user:{sender['id']}"
    return "misc"
