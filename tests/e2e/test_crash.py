"""SIGKILL while 200 updates are queued and being handled; after a restart each acted once."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from bot.clock import FAKE_NOW_ENV
from bot.sandbox import Sandbox
from bot.services import binding
from storage import units
from storage.migrations import open_database
from tests import dbs
from tests.e2e.conftest import ADMIN_ID, E2E_START, TOKEN

USERS = 200
REPO = Path(__file__).resolve().parents[2]
RESTART = E2E_START + timedelta(minutes=5)  # later than anything the first process did


def write_config(sb: Sandbox, folder: Path) -> Path:
    path = folder / "config.toml"
    path.write_text(
        "[telegram]\n"
        f'token = "{TOKEN}"\nbase_url = "{sb.base_url}"\nbase_file_url = "{sb.base_file_url}"\n'
        + dbs.storage_toml(dbs.storage(folder, "crash", evidence_dir=str(folder / "ev")))
        + f"[office]\nadmins = [{ADMIN_ID}]\n",
        encoding="utf-8",
    )
    return path


def count(db_path: Any, sql: str) -> int:
    return int(dbs.scalar(db_path, sql))


async def wait_until(predicate: Callable[[], bool], within: float) -> None:
    async with asyncio.timeout(within):
        # Polling is the point: the state lives in another process's database.
        while not predicate():
            await asyncio.sleep(0.05)


def start_bot(config: Path, at: datetime = E2E_START) -> subprocess.Popen[bytes]:
    """Run the bot as a process whose clock starts at `at` (ZHENGGAI_FAKE_NOW), not the hour."""
    return subprocess.Popen(
        [sys.executable, "-m", "bot", "run", "--config", str(config)],
        cwd=REPO,
        env={**os.environ, FAKE_NOW_ENV: at.isoformat()},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


async def test_sigkill_mid_stream_then_restart_applies_each_update_once(tmp_path: Path) -> None:
    async with Sandbox(token=TOKEN, strict=True) as sb:
        config = write_config(sb, tmp_path)
        db_path = dbs.target(tmp_path, "crash")
        db = await open_database(db_path)
        now = E2E_START
        async with db.transaction() as tx:
            unit = await units.create(tx, "县财政局", now)
            codes = [
                (
                    await binding.issue(
                        tx, "contact", unit, by=None, by_label="t", at=now, ttl=timedelta(hours=72)
                    )
                ).code
                for _ in range(USERS)
            ]
        await db.close()

        people = [sb.user(50_000 + i, f"联络员{i}") for i in range(USERS)]
        for person, code in zip(people, codes, strict=True):
            sb.send_text(person, sb.private_chat(person), f"/bind {code}")
        sb.faults.slow(0.3, methods={"sendMessage"})  # handling takes a while: room to crash

        bound = "SELECT COUNT(*) FROM bind_codes WHERE used_at IS NOT NULL"
        first = start_bot(config)
        try:
            await wait_until(lambda: count(db_path, bound) >= 20, 60)
        finally:
            os.kill(first.pid, signal.SIGKILL)
            first.wait(10)
        done_at_kill = count(db_path, bound)
        stored_at_kill = count(db_path, "SELECT COUNT(*) FROM inbox")
        assert 0 < done_at_kill < USERS, "the kill must land mid-stream"

        sb.faults.clear()
        second = start_bot(config, RESTART)
        try:
            await wait_until(
                lambda: count(db_path, "SELECT COUNT(*) FROM inbox WHERE status = 'done'") == USERS,
                90,
            )
        finally:
            second.send_signal(signal.SIGTERM)
            _, err = second.communicate(timeout=30)
        assert second.returncode == 0, err.decode(errors="replace")[-2000:]

    assert stored_at_kill <= USERS
    assert count(db_path, bound) == USERS
    assert count(db_path, "SELECT COUNT(DISTINCT used_by) FROM bind_codes") == USERS
    assert count(db_path, "SELECT COUNT(*) FROM roles WHERE revoked_at IS NULL") == USERS
    assert count(db_path, "SELECT COUNT(*) FROM audit_log WHERE action = 'bind'") == USERS
    assert count(db_path, "SELECT COUNT(*) FROM inbox") == USERS
    # What each user saw: never a refusal, never a second success.
    for person in people:
        texts = [m.get("text", "") for m in sb.received(sb.private_chat(person))]
        assert not any("已被使用" in t or "不正确" in t for t in texts), texts
        assert not any("无需重复绑定" in t for t in texts), texts  # handled a second time
        assert Counter("绑定成功" in t for t in texts)[True] <= 1, texts


async def test_sigkill_mid_report_keeps_the_draft(tmp_path: Path) -> None:
    from tests.e2e.reporting import buttons, seed_rows

    async with Sandbox(token=TOKEN, strict=True) as sb:
        config = write_config(sb, tmp_path)
        db_path = dbs.target(tmp_path, "crash")
        db = await open_database(db_path)
        now = E2E_START
        async with db.transaction() as tx:
            await seed_rows(tx, now)
            unit = await units.by_name(tx, "县财政局")
            issued = await binding.issue(
                tx, "contact", unit, by=None, by_label="t", at=now, ttl=timedelta(hours=1)
            )
        await binding.bind(db, 777, "王芳", None, issued.code, now)
        await db.close()
        alice = sb.user(777, "王芳")
        dm = sb.private_chat(alice)

        async def said(act: Callable[[], object], expect: str) -> dict[str, object]:
            before = len(sb.received(dm))
            act()
            await sb.wait_for(
                lambda: (
                    len(sb.received(dm)) > before and expect in str(sb.received(dm)[-1].get("text"))
                ),
                timeout=20,
            )
            return sb.received(dm)[-1]

        def tap(message: dict[str, object], label: str) -> Callable[[], object]:
            return lambda: sb.press_button(alice, message, buttons(message)[label])

        first = start_bot(config)
        try:
            await said(lambda: sb.send_text(alice, dm, "/report R6-01-001"), "正在报告")
            await said(lambda: sb.send_text(alice, dm, "已全额清退"), "文字 1 段")
            got = await said(
                lambda: sb.send_photo(alice, dm, b"\xff\xd8\xff" + b"x" * 999), "附件 1 个"
            )
            claim = await said(tap(got, "完成"), "整改状态")
        finally:
            os.kill(first.pid, signal.SIGKILL)
            first.wait(10)
        second = start_bot(config, RESTART)
        try:
            money = await said(tap(claim, "已完成，申请验收"), "挽回损失")
            summary = await said(tap(money, "没有量化成果"), "请核对后提交")
            assert "附件：1 个" in str(summary["text"])
            await said(tap(summary, "确认提交"), "报告编号")
        finally:
            second.send_signal(signal.SIGTERM)
            second.communicate(timeout=30)
    assert count(db_path, "SELECT COUNT(*) FROM reports") == 1
    assert count(db_path, "SELECT COUNT(*) FROM attachments") == 1
    assert count(db_path, "SELECT COUNT(*) FROM report_drafts") == 0
    assert dbs.scalar(db_path, "SELECT text FROM reports") == "已全额清退"


async def test_sigkill_during_reports_loses_no_receipt(tmp_path: Path) -> None:
    """Finding 4: every committed report's receipt reaches its contact once, kills or not."""
    from bench.crash import run

    database = None if dbs.ENGINE == "sqlite" else dbs.target(tmp_path, "bench", migrated=False)
    result = await run(contacts=10, reports=60, kills=3, seed_=7, database=database)
    assert result["reports confirmed by contacts"] == 60
    for key in (
        "reports lost",
        "reports doubled",
        "receipts missing",
        "receipts doubled",
        "flood-limit violations",
    ):
        assert result[key] == 0, result
