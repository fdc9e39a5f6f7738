"""Command lists go out only when they changed; refusals are remembered, not retried."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.command_sweep import CommandSweep
from bot.commands import (
    UNREACHABLE,
    Outcome,
    digest,
    key_of,
    needs_publishing,
    publish_defaults,
    publish_person,
)
from bot.context import App
from bot.ratelimit import ChatRateLimiter, Pace
from storage import people, state, units
from storage.db import Database
from storage.models import Role
from tests.conftest import ADMIN_ID
from tests.recording import RecordingRequest
from tests.unit.test_pacing import FakeClock, send

CONTACT = 501
NOW = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("stored", "wanted", "retry", "expected"),
    [
        (None, "d1", False, True),  # never published
        ("d1", "d1", False, False),  # unchanged
        ("d0", "d1", False, True),  # the role changed
        (UNREACHABLE + "d1", "d1", False, False),  # refused before: not again in the background
        (UNREACHABLE + "d1", "d1", True, True),  # … but on /start, once the chat exists
        (UNREACHABLE + "d0", "d1", False, True),  # a new list is worth one more try
        ("d1", None, False, True),  # unbound: take their list off
        (None, None, False, False),  # never had one
    ],
)
def test_needs_publishing(
    stored: str | None, wanted: str | None, retry: bool, expected: bool
) -> None:
    assert needs_publishing(stored, wanted, retry_unreachable=retry) is expected


def test_digest_depends_on_the_list_and_the_bot() -> None:
    pairs = [("start", "开始")]
    assert digest(1, pairs) == digest(1, list(pairs))
    assert digest(1, pairs) != digest(2, pairs)
    assert digest(1, pairs) != digest(1, [("start", "开始使用")])


async def bind(db: Database, tg_user_id: int, role: Role = "contact") -> None:
    async with db.transaction() as tx:
        unit = await units.create(tx, f"单位{tg_user_id}{role}", NOW)
        person = await people.upsert(tx, tg_user_id, "王芳", None, NOW)
        unit_id = unit.id if role == "contact" else None
        await people.grant(tx, person.id, role, unit_id, NOW, None, None)


def set_calls(recorder: RecordingRequest) -> list[str]:
    return [c.method for c in recorder.calls if c.method.endswith("MyCommands")]


async def test_a_person_is_published_once_then_again_when_their_role_changes(
    app: App, db: Database, recorder: RecordingRequest
) -> None:
    await bind(db, CONTACT)

    async def publish() -> Outcome:
        return await publish_person(app.bot, db, CONTACT, [ADMIN_ID], retry_unreachable=False)

    assert await publish() is Outcome.PUBLISHED
    assert await publish() is Outcome.UNCHANGED
    assert set_calls(recorder) == ["setMyCommands"]
    await bind(db, CONTACT, "leader")
    assert await publish() is Outcome.PUBLISHED
    assert set_calls(recorder) == ["setMyCommands"] * 2


async def test_a_refused_chat_is_recorded_and_left_until_start(
    app: App, db: Database, recorder: RecordingRequest
) -> None:
    await bind(db, CONTACT)
    recorder.errors["setMyCommands"] = (400, "Bad Request: chat not found")
    assert (
        await publish_person(app.bot, db, CONTACT, [], retry_unreachable=False)
        is Outcome.UNREACHABLE
    )
    assert str(await state.get(db, key_of(CONTACT))).startswith(UNREACHABLE)
    assert (
        await publish_person(app.bot, db, CONTACT, [], retry_unreachable=False) is Outcome.UNCHANGED
    )
    assert set_calls(recorder) == ["setMyCommands"]
    del recorder.errors["setMyCommands"]  # they opened the chat and sent /start
    assert (
        await publish_person(app.bot, db, CONTACT, [], retry_unreachable=True) is Outcome.PUBLISHED
    )


async def test_someone_no_longer_bound_loses_their_list(
    app: App, db: Database, recorder: RecordingRequest
) -> None:
    async with db.transaction() as tx:  # published once, since unbound (their roles revoked)
        await state.put(tx, key_of(CONTACT), "d0")
    assert (
        await publish_person(app.bot, db, CONTACT, [], retry_unreachable=False) is Outcome.REMOVED
    )
    assert set_calls(recorder) == ["deleteMyCommands"]
    assert await state.get(db, key_of(CONTACT)) is None


async def test_the_sweep_picks_only_the_changed_and_the_defaults_go_once(
    app: App, db: Database, recorder: RecordingRequest
) -> None:
    await publish_defaults(app.bot, db)
    await publish_defaults(app.bot, db)
    assert set_calls(recorder) == ["setMyCommands"] * 2  # private chats and groups, once
    for uid in (501, 502, 503):
        await bind(db, uid)
    sweep = CommandSweep(app.bot, db, [ADMIN_ID], ChatRateLimiter(), per_second=1000)
    assert await sweep.due() == [ADMIN_ID, 501, 502, 503]
    await sweep.run()
    assert await sweep.due() == []
    await bind(db, 502, "leader")
    assert await sweep.due() == [502]


def test_background_work_waits_while_messages_use_half_the_budget() -> None:
    clock = FakeClock()
    limiter = ChatRateLimiter(Pace(), clock)
    assert limiter.spare() == 0
    for n in range(Pace().global_per_second // 2):
        send(limiter, clock, 1000 + n)
    assert limiter.spare() > 0  # a burst of replies: the command lists wait
    clock.now += Pace().global_window
    assert limiter.spare() == 0
