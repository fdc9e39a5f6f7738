"""The pinned clock tests use: it starts where it is told and moves on with real time."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.cli import main
from bot.clock import FAKE_NOW_ENV, pinned_clock

TUESDAY_10 = datetime(2026, 11, 24, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def test_pinned_clock_starts_at_its_moment_and_runs() -> None:
    clock = pinned_clock(TUESDAY_10)
    first = clock()
    assert first.tzinfo is UTC
    assert timedelta(0) <= first - TUESDAY_10 < timedelta(seconds=1)
    time.sleep(0.05)
    assert clock() - first >= timedelta(seconds=0.05)


def test_pinned_clock_needs_an_aware_moment() -> None:
    with pytest.raises(ValueError, match="aware"):
        pinned_clock(datetime(2026, 11, 24, 10, 0))


def test_run_refuses_a_fake_now_that_is_not_a_moment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        f'[telegram]\ntoken = "1:secret-abcdefgh"\n[storage]\npath = "{tmp_path / "z.db"}"\n',
        encoding="utf-8",
    )
    monkeypatch.setenv(FAKE_NOW_ENV, "tomorrow morning")
    monkeypatch.setattr("bot.logs.setup", lambda *_args, **_kwargs: None)  # keep pytest's logging
    assert main(["run", "--config", str(config)]) == 2
    err = capsys.readouterr().err
    assert FAKE_NOW_ENV in err
    assert "secret-abcdefgh" not in err
