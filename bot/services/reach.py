"""Who a message for the office or the leaders reaches: their registered Telegram groups,
and the group robots configured for them in other platforms (WeCom, DingTalk, Feishu: push
only). One planned message becomes one outbox row per chat, each under its own key, so
every copy is sent once however often the duty runs."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from bot.config import AUDIENCES, ChannelsConfig
from bot.messages import OutMessage
from bot.services.notify import Planned

# A robot is addressed by the audience it was configured for: its "chat" on its platform.
ROBOT_CHAT = {"office": 1, "leaders": 2}


def robots_on(channels: ChannelsConfig) -> tuple[tuple[str, str], ...]:
    """(vendor, audience) of every robot with a webhook, in a fixed order."""
    return tuple((vendor, audience) for vendor, audience, _ in channels.configured())


@dataclass(frozen=True)
class Reach:
    office: list[int]  # the office's Telegram groups
    leaders: list[int]  # the leaders' Telegram groups
    robots: tuple[tuple[str, str], ...] = ()  # (vendor, audience) configured

    def any(self, audiences: Iterable[str]) -> bool:
        wanted = set(audiences)
        return any(getattr(self, a) for a in wanted) or any(a in wanted for _, a in self.robots)

    def planned(
        self,
        key: str,
        kind: str,
        message: OutMessage,
        audiences: Iterable[str] = AUDIENCES,
        not_before: datetime | None = None,
    ) -> list[Planned]:
        """The message to every Telegram group and robot of these audiences: `key@chat` on
        Telegram, `key@vendor:audience` for a robot."""
        wanted = tuple(audiences)
        found = [
            Planned(f"{key}@{chat}", chat, kind, message, not_before)
            for audience in wanted
            for chat in getattr(self, audience)
        ]
        found += [
            Planned(
                f"{key}@{vendor}:{audience}",
                ROBOT_CHAT[audience],
                kind,
                message,
                not_before,
                platform=vendor,
            )
            for vendor, audience in self.robots
            if audience in wanted
        ]
        return found
