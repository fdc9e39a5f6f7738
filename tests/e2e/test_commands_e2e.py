"""Start-up polls at once; each person's command list follows in the background, once."""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import datetime

import pytest

from bot import texts
from bot.clock import Clock
from bot.commands import commands_for_roles
from bot.config import Config
from bot.ratelimit import Pace
from bot.runtime import Runtime
from bot.sandbox import Sandbox
from bot.sandbox.state import Call
from storage import people, units
from storage.migrations import open_database
from storage.models import Role
from tests.e2e.conftest import ADMIN_ID, no_duties_yet

PEOPLE = 300
FIRST_ID = 50_000
# Faster than production's 10/s so the test is short, slow enough that polling starts first.
PACE = Pace(background_per_second=100)


def role_of(i: int) -> Role:
    return "leader" if i % 10 == 0 else "contact"


async def bind_people(config: Config, at: datetime) -> None:
    """PEOPLE bound people in the database before the bot ever starts."""
    db = await open_database(config.storage.target)
    async with db.transaction() as tx:
        unit = await units.create(tx, "县财政局", at)
        for i in range(PEOPLE):
            person = await people.upsert(tx, FIRST_ID + i, f"联络员{i}", None, at)
            role = role_of(i)
            unit_id = unit.id if role == "contact" else None
            await people.grant(tx, person.id, role, unit_id, at, None, None)
    await db.close()


def personal(calls: list[Call]) -> list[Call]:
    return [c for c in calls if c.method == "setMyCommands" and c.params["scope"]["type"] == "chat"]


async def test_polling_starts_before_the_personal_lists_and_a_restart_republishes_none(
    sandbox: Sandbox, e2e_config: Config, e2e_clock: Clock
) -> None:
    await no_duties_yet(e2e_config, e2e_clock())
    await bind_people(e2e_config, e2e_clock())
    sandbox.faults.every_nth_429(150, retry_after=1, methods={"setMyCommands"})

    started = time.monotonic()  # the sandbox stamps calls with the same clock
    async with Runtime(e2e_config, clock=e2e_clock, pace=PACE, poll_timeout=1) as rt:
        await sandbox.wait_for(lambda: bool(sandbox.calls("getUpdates")), timeout=5)
        first_poll = sandbox.calls("getUpdates")[0].at
        assert first_poll - started <= 2.0
        await asyncio.wait(rt.chores, timeout=15)
        assert all(task.done() for task in rt.chores)
        lists = personal(sandbox.calls())
        assert max(c.at for c in lists) > first_poll  # most went out after polling began
        assert any(c.status == 429 for c in lists)  # and a 429 only delayed them
        for i in range(PEOPLE):
            pairs = commands_for_roles([role_of(i)], bootstrap_admin=False)
            assert pairs is not None
            got = sandbox.commands({"type": "chat", "chat_id": FIRST_ID + i})
            assert [(c["command"], c["description"]) for c in got] == pairs, i
        admin = sandbox.commands({"type": "chat", "chat_id": ADMIN_ID})  # bootstrap, from config
        assert [c["command"] for c in admin] == [name for name, _ in texts.COMMANDS_ADMIN]

    seen, polls = len(sandbox.calls()), len(sandbox.calls("getUpdates"))
    async with Runtime(e2e_config, clock=e2e_clock, pace=PACE, poll_timeout=1) as rt:
        await asyncio.wait(rt.chores, timeout=5)
        await sandbox.wait_for(lambda: len(sandbox.calls("getUpdates")) > polls, timeout=5)
    again = sandbox.calls()[seen:]
    assert [c for c in again if c.method in {"setMyCommands", "deleteMyCommands"}] == []


async def test_a_stop_mid_way_cancels_cleanly_and_the_next_start_does_only_the_rest(
    sandbox: Sandbox, e2e_config: Config, e2e_clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    await no_duties_yet(e2e_config, e2e_clock())
    await bind_people(e2e_config, e2e_clock())

    async with Runtime(e2e_config, clock=e2e_clock, pace=PACE, poll_timeout=1) as rt:
        await sandbox.wait_for(lambda: len(personal(sandbox.calls())) >= 20, timeout=5)
        chores = list(rt.chores)
    assert all(task.cancelled() for task in chores)  # stopped mid-way, not finished
    first = {c.params["scope"]["chat_id"] for c in personal(sandbox.calls()) if c.status == 200}
    assert 20 <= len(first) < PEOPLE

    seen = len(sandbox.calls())
    async with Runtime(e2e_config, clock=e2e_clock, pace=PACE, poll_timeout=1) as rt:
        await asyncio.wait(rt.chores, timeout=10)
    second = [c.params["scope"]["chat_id"] for c in personal(sandbox.calls()[seen:])]
    # At most the one in flight at the stop goes out twice; nothing else is repeated.
    assert len(set(second) & first) <= 1
    assert first | set(second) == {*range(FIRST_ID, FIRST_ID + PEOPLE), ADMIN_ID}
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []
