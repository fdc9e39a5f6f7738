"""Time as a dependency, so tests can move it."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

Clock = Callable[[], datetime]

# Tests only: `zhenggai run` reads this ISO moment (e.g. 2026-11-24T10:00+08:00) and runs on a
# pinned clock starting there, so a test that runs the bot as a subprocess does not depend on
# the hour it runs at. Unset, the bot uses the system clock.
FAKE_NOW_ENV = "ZHENGGAI_FAKE_NOW"


def system_clock() -> datetime:
    return datetime.now(UTC)


def pinned_clock(start: datetime) -> Clock:
    """A clock that reads `start` now and then moves on with real elapsed (monotonic) time.

    Tests pin the moment (a working day, daytime, outside quiet hours) so their outcome does not
    depend on when they run, while pacing, timeouts and retries still see time pass.
    """
    if start.tzinfo is None:
        raise ValueError("pinned_clock needs an aware datetime")
    origin = time.monotonic()

    def now() -> datetime:
        return (start + timedelta(seconds=time.monotonic() - origin)).astimezone(UTC)

    return now
