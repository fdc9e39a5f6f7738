"""The robot tests' fixtures: a pinned clock, a loopback client, each vendor's rig."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from bot.robots import VENDORS
from tests.unit.robots.rig import Clock, Rig, loopback, rigged


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with loopback() as http:
        yield http


@pytest.fixture(params=VENDORS)
async def rig(
    request: pytest.FixtureRequest, clock: Clock, client: httpx.AsyncClient
) -> AsyncIterator[Rig]:
    async with rigged(request.param, clock, client) as each:
        yield each
