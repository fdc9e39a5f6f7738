"""Fixtures: a strict sandbox on a free port, a real PTB Bot talking to it, a fake clock."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from telegram import Bot

from bot.sandbox import Sandbox, SimChat, SimUser

TOKEN = "123456:TEST-TOKEN"


class FakeClock:
    """A monotonic clock the test moves by hand, so flood tests never sleep."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def sb(clock: FakeClock) -> AsyncIterator[Sandbox]:
    async with Sandbox(token=TOKEN, strict=True, clock=clock) as sandbox:
        yield sandbox


@pytest.fixture
async def bot(sb: Sandbox) -> AsyncIterator[Bot]:
    async with Bot(TOKEN, base_url=sb.base_url, base_file_url=sb.base_file_url) as ptb_bot:
        yield ptb_bot


@pytest.fixture
def alice(sb: Sandbox) -> SimUser:
    return sb.user(101, "王芳", username="wangfang", language_code="zh-hans")


@pytest.fixture
def dm(sb: Sandbox, alice: SimUser) -> SimChat:
    return sb.private_chat(alice)


@pytest.fixture
def grp(sb: Sandbox) -> SimChat:
    return sb.group(-100123, "县委巡察办工作群", supergroup=True)
