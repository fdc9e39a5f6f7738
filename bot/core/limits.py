"""What a platform allows: each adapter gives its own; the core holds no platform's numbers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class Limits:
    text_max: int  # one message's text
    text_measure: Literal["utf16", "utf8", "chars"]  # how the platform counts it
    action_max_bytes: int  # a button's action (Telegram: callback_data)
    buttons_per_row: int
    can_edit: bool  # whether a message the bot sent can be changed
    download_max: int | None = None  # the largest file a bot may fetch (None: no limit said)
