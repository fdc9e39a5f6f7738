"""Shared by the robot tests: a pinned clock, each vendor's robot and stand-in, a rig."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx

from bot.messages import OutMessage
from bot.robots import (
    DingTalk,
    Feishu,
    Outcome,
    Robot,
    Vendor,
    WeCom,
)
from bot.sandbox.robots import DingTalkReceiver, FeishuReceiver, Receiver, WeComReceiver

DING_SECRET = "SECding-secret-0000"
FEISHU_SECRET = "feishu-secret-0000"
DAILY = (
    "【一日一小结】2026年11月24日\n"
    "今日新报告整改进展 12 项，销号 3 项，新增逾期 1 项。\n"
    "整改率 62.5%（较昨日 +1.2 个百分点）。"
)
RATE_CODE = {"wecom": "45009", "dingtalk": "130101", "feishu": "11232"}
RATE_WAIT = {"wecom": 60.0, "dingtalk": 600.0, "feishu": 60.0}
CJK = re.compile(r"[\u4e00-\u9fff]")


class Clock:
    """The receivers' clock and the robots' `now`, pinned; tests move it by hand."""

    def __init__(self) -> None:
        self.now = 1_795_500_000.0

    def __call__(self) -> float:
        return self.now


def receiver_for(vendor: Vendor, clock: Clock, **options: Any) -> Receiver:
    if vendor == "wecom":
        return WeComReceiver(clock=clock, **options)
    if vendor == "dingtalk":
        return DingTalkReceiver(secret=DING_SECRET, clock=clock, **options)
    return FeishuReceiver(secret=FEISHU_SECRET, clock=clock, **options)


def robot_for(vendor: Vendor, url: str, secret: str | None = None) -> Robot:
    if vendor == "wecom":
        return WeCom(url)
    if vendor == "dingtalk":
        return DingTalk(url, secret or DING_SECRET)
    return Feishu(url, secret or FEISHU_SECRET)


def url_of(receiver: Receiver) -> str:
    assert isinstance(receiver, WeComReceiver | DingTalkReceiver | FeishuReceiver)
    return receiver.webhook_url


@dataclass
class Rig:
    """One vendor's robot, its receiver (enforcing the vendor's own limits), a clock."""

    vendor: Vendor
    robot: Robot
    receiver: Receiver
    clock: Clock
    client: httpx.AsyncClient
    sent: list[float] = field(default_factory=list)
    rows: int = 0  # outbox rows delivered: each piece's key is its row and its place

    async def send(self, piece: OutMessage, key: str | None = None) -> Outcome:
        return await self.robot.send(self.client, piece, self.clock.now, key)

    async def deliver(self, message: OutMessage) -> list[Outcome]:
        """Every piece, each when the robot's pace allows, as the outbox will do it."""
        outcomes = []
        self.rows += 1
        for n, piece in enumerate(self.robot.pieces(message)):
            self.clock.now += self.robot.pace.delay(self.sent, self.clock.now)
            outcomes.append(await self.send(piece, key=f"row-{self.rows}:{n}"))
            self.sent.append(self.clock.now)
        return outcomes


def loopback() -> httpx.AsyncClient:
    """An HTTP client for the stand-ins: no proxy from the environment, a short timeout."""
    return httpx.AsyncClient(timeout=2.0, trust_env=False)


@asynccontextmanager
async def rigged(vendor: Vendor, clock: Clock, client: httpx.AsyncClient) -> AsyncIterator[Rig]:
    """A vendor's robot and its stand-in, which enforces the vendor's own rate limits."""
    limits = robot_for(vendor, "http://unused").limits
    receiver = receiver_for(
        vendor, clock, per_minute=limits.per_minute, per_second=limits.per_second
    )
    async with receiver:
        yield Rig(vendor, robot_for(vendor, url_of(receiver)), receiver, clock, client)
