"""End to end: the real application over real HTTP against the strict local sandbox."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.clock import Clock, pinned_clock
from bot.config import Config, parse_config
from bot.runtime import Runtime
from bot.sandbox import Sandbox, SimChat, SimUser
from bot.services.duties.runner import SINCE_KEY
from storage import state
from storage.migrations import open_database
from tests import dbs

TOKEN = "424242:E2E-sandbox-token"
ADMIN_ID = 9001
CODE_RE = re.compile(r"绑定码：([A-Z0-9-]+)")
# Every e2e test runs at this moment, not the machine's: a Tuesday (a working day), 10:00 in the
# office's time zone, outside quiet hours. Its clock then moves on with real elapsed time.
E2E_START = datetime(2026, 11, 24, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
E2E_TODAY = E2E_START.date()


@pytest.fixture
def e2e_clock() -> Clock:
    """This test's clock, for its Runtime: E2E_START, moving on with real elapsed time."""
    return pinned_clock(E2E_START)


@pytest.fixture
async def sandbox() -> AsyncIterator[Sandbox]:
    async with Sandbox(token=TOKEN, strict=True) as sb:
        yield sb


def sandbox_config(sb: Sandbox, folder: Path, **office: Any) -> Config:
    return parse_config(
        {
            "telegram": {
                "token": TOKEN,
                "base_url": sb.base_url,
                "base_file_url": sb.base_file_url,
            },
            "storage": dbs.storage(folder, "e2e", evidence_dir=str(folder / "ev")),
            "office": {"admins": [ADMIN_ID], **office},
        },
        "e2e",
    )


@pytest.fixture
def e2e_config(sandbox: Sandbox, tmp_path: Path) -> Config:
    return sandbox_config(sandbox, tmp_path)


async def no_duties_yet(config: Config, now: datetime = E2E_START) -> None:
    """Duties begin in a month: no reminder or digest interleaves with what a test checks.

    (The duties have their own tests; a test that spans 09:00 or 18:00 should not get one.)
    """
    db = await open_database(config.storage.target)
    async with db.transaction() as tx:
        later = now + timedelta(days=30)
        await state.put(tx, SINCE_KEY, later.isoformat())
    await db.close()


@pytest.fixture
async def runtime(e2e_config: Config, e2e_clock: Clock) -> AsyncIterator[Runtime]:
    await no_duties_yet(e2e_config, e2e_clock())
    async with Runtime(e2e_config, clock=e2e_clock, poll_timeout=1) as rt:
        yield rt


async def ask(sb: Sandbox, who: SimUser, chat: SimChat, text: str) -> str:
    """Send a text as a user and return the bot's answer in that chat."""
    before = len(sb.received(chat))
    sb.send_text(who, chat, text)
    await sb.wait_for(lambda: len(sb.received(chat)) > before, timeout=10)
    return str(sb.received(chat)[-1].get("text", ""))


async def issue_code(sb: Sandbox, unit: str) -> str:
    admin = sb.user(ADMIN_ID, "王主任")
    reply = await ask(sb, admin, sb.private_chat(admin), f"/code {unit}")
    found = CODE_RE.search(reply)
    assert found, reply
    return found.group(1)
