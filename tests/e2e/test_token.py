"""`zhenggai run` that cannot start: one line on stderr, never the token, and no hang."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

from bot.sandbox import Sandbox
from tests import dbs
from tests.e2e.conftest import TOKEN
from tests.e2e.test_crash import REPO, write_config

WRONG_TOKEN = "424242:WRONG-e2e-secret-0123456789abcdef"


def run_bot(config: Path, within: float = 15.0) -> tuple[int, str, str, float]:
    """Run the bot to its end (in a thread: the sandbox serves on the test's loop)."""
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "bot", "run", "--config", str(config)],
        cwd=REPO,
        capture_output=True,
        timeout=within,
        check=False,
    )
    elapsed = time.monotonic() - started
    return done.returncode, done.stdout.decode(), done.stderr.decode(), elapsed


def assert_one_secret_free_line(out: str, err: str, token: str) -> str:
    secret = token.partition(":")[2]
    for stream in (out, err):
        assert token not in stream
        assert secret not in stream
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    return lines[0]


async def test_a_token_telegram_refuses_is_one_line_and_exit_2(tmp_path: Path) -> None:
    async with Sandbox(token=TOKEN, strict=True) as sb:
        config = write_config(sb, tmp_path)
        text = config.read_text(encoding="utf-8").replace(TOKEN, WRONG_TOKEN)
        config.write_text(text, encoding="utf-8")
        code, out, err, elapsed = await asyncio.to_thread(run_bot, config)
        refused = [call.status for call in sb.rejected()]

    assert code == 2, err
    assert elapsed < 15
    line = assert_one_secret_free_line(out, err, WRONG_TOKEN)
    assert "Telegram 拒绝了 Bot token（401 Unauthorized）" in line
    assert "ZHENGGAI_TELEGRAM_TOKEN" in line
    assert refused == [401], "the sandbox answers a wrong token 401, as Telegram does"


async def test_any_other_start_up_crash_is_one_line_without_the_token(tmp_path: Path) -> None:
    async with Sandbox(token=TOKEN, strict=True) as sb:
        config = write_config(sb, tmp_path)
        # Storage that cannot be opened and that quotes the secret: the error names it. On
        # SQLite a path that cannot be created; on PostgreSQL a database that does not exist.
        secret = TOKEN.partition(":")[2]
        text = config.read_text(encoding="utf-8")
        if dbs.ENGINE == "sqlite":
            blocker = tmp_path / "a-file"
            blocker.write_text("", encoding="utf-8")
            wrong = str(blocker / secret / TOKEN / "db.sqlite3")
            text = text.replace(str(tmp_path / "crash.sqlite3"), wrong)
        else:
            url = str(dbs.target(tmp_path, "crash"))
            text = text.replace(url, url.replace(urlsplit(url).path, f"/{secret}"))
        config.write_text(text, encoding="utf-8")
        code, out, err, elapsed = await asyncio.to_thread(run_bot, config)

    assert code == 1, err
    assert elapsed < 15
    line = assert_one_secret_free_line(out, err, TOKEN)
    assert line.startswith("整改通启动失败："), line
    assert "<token>" in line
