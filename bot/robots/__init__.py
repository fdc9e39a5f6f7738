"""Push-only group robots (WeCom, DingTalk, Feishu webhooks): clients with one API.

How the outbox uses one (`bot/robots/outbox.py`): a message is cut into `pieces(vendor,
message)` when it is queued, one outbox row each; for each row, wait
`robot.pace.delay(send_times, now)` seconds, then
`await robot.send(client, piece, now, key=str(row_id))`, which comes back
`Sent()`, `RetryLater(after, code, meaning)` or `Refused(code, meaning)`. The robot
itself never sleeps and never retries.
"""

from __future__ import annotations

from typing import Literal

from bot.messages import OutMessage
from bot.robots.base import (
    Limits,
    Outcome,
    Pace,
    Refused,
    RetryLater,
    Robot,
    Sent,
    Window,
    plan,
)
from bot.robots.dingtalk import DingTalk
from bot.robots.feishu import Feishu
from bot.robots.wecom import WeCom

Vendor = Literal["wecom", "dingtalk", "feishu"]
VENDORS: tuple[Vendor, ...] = ("wecom", "dingtalk", "feishu")


LIMITS: dict[str, Limits] = {kind.name: kind.limits for kind in (WeCom, DingTalk, Feishu)}


def pieces(vendor: str, message: OutMessage) -> list[OutMessage]:
    """The message as the pieces this vendor's robots carry, each one outbox row (pure)."""
    return plan(message, LIMITS[vendor])


def make_robot(vendor: Vendor, webhook_url: str, secret: str | None = None) -> Robot:
    """The robot for one configured group; a secret given to WeCom is a configuration error
    (its robots sign nothing: the key in the URL is the credential)."""
    if vendor == "wecom":
        if secret is not None:
            raise ValueError("a WeCom group robot has no signing secret; its key is in the URL")
        return WeCom(webhook_url)
    if vendor == "dingtalk":
        return DingTalk(webhook_url, secret)
    if vendor == "feishu":
        return Feishu(webhook_url, secret)
    raise ValueError(f"unknown robot vendor: {vendor!r}")


__all__ = [
    "VENDORS",
    "DingTalk",
    "Feishu",
    "Limits",
    "Outcome",
    "Pace",
    "Refused",
    "RetryLater",
    "Robot",
    "Sent",
    "Vendor",
    "WeCom",
    "Window",
    "make_robot",
    "pieces",
]
