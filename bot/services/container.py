"""The services a handler reaches through its context."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from zoneinfo import ZoneInfo

from bot.clock import Clock, system_clock
from bot.config import Config
from storage.db import Database


def _nothing() -> None:
    return None


@dataclass
class Services:
    config: Config
    db: Database
    clock: Clock = system_clock
    # Wakes the outbox sender after a commit that queued messages; set by the runtime.
    kick_outbox: Callable[[], None] = field(default=_nothing)

    def today(self) -> date:
        """Today where the office is (schedule.timezone), not where the server is."""
        return self.clock().astimezone(ZoneInfo(self.config.schedule.timezone)).date()


class BotData:
    """Application.bot_data: typed access to the services instead of a dict of Any."""

    def __init__(self) -> None:
        self.services: Services | None = None
