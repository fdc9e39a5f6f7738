"""Acting as users: their messages, uploads and button presses become the bot's updates."""

from __future__ import annotations

import copy
import re
from typing import Any

from bot.sandbox.errors import SandboxError
from bot.sandbox.markup import utf16_len
from bot.sandbox.model import Entry, SimChat, SimUser
from bot.sandbox.state import CallbackRecord, World

_COMMAND = re.compile(r"/[A-Za-z0-9_]{1,32}(?:@([A-Za-z0-9_]{3,32}))?(?![A-Za-z0-9_@])")
_MENTION = re.compile(r"(?<![A-Za-z0-9_])@([A-Za-z0-9_]{5,32})")

ReplyTo = dict[str, Any] | int | None


def text_entities(text: str) -> list[dict[str, Any]]:
    """Entities Telegram clients attach: a bot_command at offset 0 and @mentions."""
    entities: list[dict[str, Any]] = []
    command = _COMMAND.match(text)
    if command:
        entities.append({"type": "bot_command", "offset": 0, "length": command.end()})
    for found in _MENTION.finditer(text):
        offset = utf16_len(text[: found.start()])
        entities.append({"type": "mention", "offset": offset, "length": utf16_len(found.group())})
    return entities


def _check_author(world: World, user: SimUser, chat: SimChat) -> None:
    if world.users.get(user.id) is not user:
        raise SandboxError(f"user {user.id} was not made with sb.user()")
    if world.chats.get(chat.id) is not chat:
        raise SandboxError(f"chat {chat.id} was not made with sb.private_chat() or sb.group()")
    if chat.user is not None and chat.user.id != user.id:
        raise SandboxError(f"{user.name} cannot write in the private chat of {chat.user.name}")


def _reply(world: World, chat: SimChat, reply_to: ReplyTo) -> Entry | None:
    if reply_to is None:
        return None
    message_id = reply_to if isinstance(reply_to, int) else int(reply_to["message_id"])
    target = world.entry(chat.id, message_id)
    if target is None:
        raise SandboxError(f"no message {message_id} to reply to in chat {chat.id}")
    return target


def _reaches_bot(
    world: World, chat: SimChat, text: str, entities: list[dict[str, Any]], reply: Entry | None
) -> bool:
    """Privacy mode: in groups the bot gets commands, replies to it and mentions of it only."""
    if not chat.is_group:
        return True
    if not chat.bot_member:
        return False
    if not world.privacy_mode or chat.bot_admin:
        return True
    username = str(world.bot_user.get("username", "")).lower()
    command = _COMMAND.match(text) if entities and entities[0]["type"] == "bot_command" else None
    if command is not None:
        return command.group(1) is None or command.group(1).lower() == username
    if reply is not None and reply.by_bot:
        return True
    return f"@{username}" in text.lower()


def post(
    world: World,
    user: SimUser,
    chat: SimChat,
    kind: str,
    body: dict[str, Any],
    reply_to: ReplyTo = None,
) -> dict[str, Any]:
    """Add a user's message to the chat and, if the bot would see it, to its updates."""
    _check_author(world, user, chat)
    reply = _reply(world, chat, reply_to)
    if reply is not None:
        body["reply_to_message"] = reply.as_reply_target()
    entry = world.add_message(chat, user, kind, body)
    text = str(body.get("text", body.get("caption", "")))
    entities = body.get("entities", body.get("caption_entities", []))
    entry.delivered = _reaches_bot(world, chat, text, entities, reply)
    if entry.delivered:
        world.updates.push("message", entry.snapshot())
    return entry.snapshot()


def text_body(text: str, key: str = "text") -> dict[str, Any]:
    """A text or caption with the entities a client would add."""
    if key == "text" and not text.strip():
        raise SandboxError("Telegram clients do not send empty messages")
    limit = 4096 if key == "text" else 1024
    if utf16_len(text) > limit:
        raise SandboxError(f"a {key} of more than {limit} characters cannot be sent")
    body: dict[str, Any] = {key: text} if text else {}
    entities = text_entities(text)
    if entities:
        body["entities" if key == "text" else "caption_entities"] = entities
    return body


def edit_text(world: World, user: SimUser, message: dict[str, Any], text: str) -> dict[str, Any]:
    """The user edits their own text message: an edited_message update."""
    chat = world.chats.get(int(message["chat"]["id"]))
    entry = world.entry(chat.id, int(message["message_id"])) if chat else None
    if chat is None or entry is None or entry.sender is not user or entry.kind != "text":
        raise SandboxError("only an existing text message of this user can be edited")
    entry.message.pop("entities", None)
    entry.message.update(text_body(text))
    entry.message["edit_date"] = world.now()
    entry.edited = True
    if entry.delivered:
        world.updates.push("edited_message", entry.snapshot())
    return entry.snapshot()


def press_button(
    world: World, user: SimUser, message: dict[str, Any] | int, data: str, chat: SimChat | None
) -> dict[str, Any]:
    """Press an inline button of a bot message as it is now; a callback_query update."""
    if isinstance(message, int):
        if chat is None:
            raise SandboxError("pass chat= when the message is given by its id")
        chat_id, message_id = chat.id, message
    else:
        chat_id, message_id = int(message["chat"]["id"]), int(message["message_id"])
    entry = world.entry(chat_id, message_id)
    if entry is None or not entry.by_bot:
        raise SandboxError(f"no bot message {message_id} in chat {chat_id} to press a button on")
    _check_author(world, user, world.chats[chat_id])
    rows = (entry.message.get("reply_markup") or {}).get("inline_keyboard", [])
    offered = [b.get("callback_data") for row in rows for b in row if "callback_data" in b]
    if data not in offered:
        raise SandboxError(
            f"message {message_id} has no button with callback_data {data!r} now; "
            f"its buttons: {offered!r}"
        )
    query: dict[str, Any] = {
        "id": world.new_id(),
        "from": user.to_dict(),
        "message": entry.snapshot(),
        "chat_instance": str((chat_id * 6364136223846793005 + 1442695040888963407) % 2**63),
        "data": data,
    }
    world.callbacks[query["id"]] = CallbackRecord(query)
    world.updates.push("callback_query", copy.deepcopy(query))
    return copy.deepcopy(query)


def member_update(
    world: World, chat: SimChat, by: SimUser, old: str, new: str
) -> dict[str, Any] | None:
    """The my_chat_member update Telegram sends when the bot's status in a chat changes."""

    def member(status: str) -> dict[str, Any]:
        found: dict[str, Any] = {"status": status, "user": world.bot_user}
        if status == "kicked":
            found["until_date"] = 0
        return found

    payload = {
        "chat": chat.to_dict(),
        "from": by.to_dict(),
        "date": world.now(),
        "old_chat_member": member(old),
        "new_chat_member": member(new),
    }
    return world.updates.push("my_chat_member", payload)
