"""Binding codes never rest in clear: a `/bind CODE` is stored as `/bind #h:<its hash>`.

The inbox keeps every update as it came; for a binding that would mean a live code on
disk. The code is replaced by the hash the code table keys on before the update is
stored, so the handler binds by hash and the clear code exists only in the one request.
A bare code pasted into a private chat counts as `/bind` (people do that).
"""

from __future__ import annotations

import copy
import re
from typing import Any

from bot.services.binding import ALPHABET, CODE_LENGTH, code_hash, normalise

HASHED = "#h:"
_BIND = re.compile(r"^/bind(@\w+)?(?=\s|$)", re.IGNORECASE)
_MESSAGES = ("message", "edited_message")


def looks_like_code(text: str) -> bool:
    """Twelve characters of the code alphabet once case, spaces and dashes are dropped."""
    folded = normalise(text)
    return len(folded) == CODE_LENGTH and all(ch in ALPHABET for ch in folded)


def redact_update(raw: dict[str, Any]) -> dict[str, Any]:
    """The update with any binding code replaced by its hash (a copy when changed)."""
    for kind in _MESSAGES:
        message = raw.get(kind)
        if not isinstance(message, dict) or not isinstance(message.get("text"), str):
            continue
        text: str = message["text"]
        command = _BIND.match(text)
        private = isinstance(message.get("chat"), dict) and message["chat"].get("type") == "private"
        if command is not None:
            argument = text[command.end() :].strip()
            if not argument or argument.startswith(HASHED):
                continue
            new_text = f"{command.group(0)} {HASHED}{code_hash(argument)}"
        elif private and looks_like_code(text):
            new_text = f"/bind {HASHED}{code_hash(text)}"
        else:
            continue
        raw = copy.deepcopy(raw)
        raw[kind]["text"] = new_text
        length = len(new_text.split()[0])
        raw[kind]["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
    return raw
