"""What a chat looked like, message by message, for assertions and for `zhenggai demo`."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from bot.sandbox.model import Entry, SimChat
from bot.sandbox.state import World

_INDENT = "    "


def view(entry: Entry) -> dict[str, Any]:
    """One message as a transcript row."""
    message = entry.message
    rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
    buttons = [[str(b.get("text", "")) for b in row] for row in rows] or entry.keyboard or []
    row: dict[str, Any] = {
        "from": "bot" if entry.sender is None else entry.sender.name,
        "text": str(message.get("text", message.get("caption", ""))),
        "kind": entry.kind,
        "buttons": buttons,
        "edited": entry.edited,
        "deleted": entry.deleted,
        "message_id": entry.message_id,
        "date": message["date"],
        "delivered": entry.delivered,
        "reply_to": (message.get("reply_to_message") or {}).get("message_id"),
    }
    if entry.kind == "document":
        row["file_name"] = message["document"].get("file_name", "")
    return row


def format_transcript(chat: SimChat, entries: list[Entry], bot_name: str) -> str:
    """A readable transcript: a header, then one block per message."""
    lines = [f"== {chat.label} ({chat.type} {chat.id}) =="]
    for entry in entries:
        row = view(entry)
        who = bot_name if row["from"] == "bot" else row["from"]
        head = f"[{row['message_id']}] {who}"
        if row["reply_to"] is not None:
            head += f" (reply to {row['reply_to']})"
        notes = [
            note
            for note, on in (
                ("edited", row["edited"]),
                ("deleted", row["deleted"]),
                ("not delivered to the bot: privacy mode", not row["delivered"]),
            )
            if on
        ]
        if notes:
            head += f" ({', '.join(notes)})"
        lines.append(head + ":")
        if entry.kind == "photo":
            lines.append(f"{_INDENT}[photo]")
        elif entry.kind == "document":
            lines.append(f"{_INDENT}[document {row['file_name']}]")
        lines.extend(_INDENT + line for line in row["text"].splitlines() if row["text"])
        lines.extend(_INDENT + " ".join(f"[{b}]" for b in line) for line in row["buttons"])
    return "\n".join(lines)


def stuck_report(world: World, predicate: Callable[[], bool], timeout: float) -> str:
    """Why a wait_for gave up: the condition, and what the bot did meanwhile."""
    try:
        what = inspect.getsource(predicate).strip()[:200]
    except (OSError, TypeError):
        what = getattr(predicate, "__qualname__", repr(predicate))
    recent = [f"{c.method} -> {c.status} {c.error or ''}".strip() for c in world.calls]
    rejected = [f"{c.method} {c.status}: {c.error}" for c in world.calls if c.status >= 400]
    return (
        f"still false after {timeout}s: {what}\n"
        f"pending updates: {world.updates.pending()}\n"
        f"last calls: {recent[-8:]}\n"
        f"rejected calls: {rejected[-5:]}"
    )
