"""Trust under faults, end to end: what the user saw and what the database holds."""

from __future__ import annotations

import asyncio
import errno
import json
import logging
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.clock import Clock
from bot.config import Config
from bot.runtime import Runtime
from bot.sandbox import Sandbox, SimChat, SimUser
from storage import ledger
from tests import dbs
from tests.e2e.conftest import ADMIN_ID, ask, issue_code, no_duties_yet
from tests.e2e.reporting import bound_contact, buttons, press, seed, send_and_wait

PHOTO = b"\xff\xd8\xff\xe0" + b"evidence" * 200
FAST_RETRIES = (0.2, 0.4, 0.6)


@pytest.fixture
async def quick(e2e_config: Config, e2e_clock: Clock) -> AsyncIterator[Runtime]:
    """The runtime, with retries a test can wait for."""
    await no_duties_yet(e2e_config)
    async with Runtime(
        e2e_config, clock=e2e_clock, poll_timeout=1, retry_backoff=FAST_RETRIES
    ) as rt:
        yield rt


def texts_in(sb: Sandbox, chat: SimChat) -> list[str]:
    return [str(m.get("text") or m.get("caption") or "") for m in sb.received(chat)]


async def count(rt: Runtime, sql: str) -> int:
    return int(await rt.db.scalar(sql))


async def office_group(sb: Sandbox) -> SimChat:
    """The office group, registered by the admin."""
    admin = sb.user(ADMIN_ID, "王主任")
    office = sb.group(-100500, "县委巡察办工作群", admins=[admin])
    await ask(sb, admin, office, "/setgroup office")
    return office


async def at_confirm(sb: Sandbox, rt: Runtime) -> tuple[SimUser, SimChat]:
    """A contact with a report on R6-01-001 waiting for 确认提交."""
    await seed(rt)
    alice, dm = await bound_contact(sb, "县财政局", 501, "王芳")
    await ask(sb, alice, dm, "/report R6-01-001")
    await send_and_wait(sb, dm, lambda: sb.send_text(alice, dm, "已全额清退"))
    await press(sb, alice, dm, "完成")
    await press(sb, alice, dm, "持续推进")
    await press(sb, alice, dm, "没有量化成果")
    return alice, dm


async def test_a_failing_download_is_retried_and_the_photo_reaches_the_draft(
    sandbox: Sandbox, quick: Runtime
) -> None:
    """Finding 1: an update whose handler raised is not done; it is tried again."""
    await seed(quick)
    alice, dm = await bound_contact(sandbox, "县财政局", 501, "王芳")
    await ask(sandbox, alice, dm, "/report R6-01-001")
    sandbox.faults.every_nth_5xx(1, methods={"getFile"})  # Telegram's file server is down
    sandbox.send_photo(alice, dm, PHOTO)
    await sandbox.wait_for(lambda: len(sandbox.calls("getFile")) >= 2, timeout=10)
    sandbox.faults.clear()  # and back
    await sandbox.wait_for(lambda: any("附件 1 个" in t for t in texts_in(sandbox, dm)), 10)
    draft = await quick.db.fetchone("SELECT data FROM report_drafts")
    assert draft is not None
    assert len(json.loads(draft["data"])["files"]) == 1
    assert await count(quick, "SELECT COUNT(*) FROM inbox WHERE status != 'done'") == 0
    assert not any("出错" in t or "没有处理成功" in t for t in texts_in(sandbox, dm))


async def test_an_update_that_keeps_failing_is_parked_and_both_sides_are_told(
    sandbox: Sandbox, quick: Runtime
) -> None:
    """Finding 1: after the last attempt the update is parked, the office and user told."""
    await seed(quick)
    office = await office_group(sandbox)
    alice, dm = await bound_contact(sandbox, "县财政局", 501, "王芳")
    await ask(sandbox, alice, dm, "/report R6-01-001")
    sandbox.faults.every_nth_5xx(1, methods={"getFile"})
    sandbox.send_photo(alice, dm, PHOTO)
    await sandbox.wait_for(lambda: any("没有处理成功" in t for t in texts_in(sandbox, dm)), 15)
    assert len(sandbox.calls("getFile")) == len(FAST_RETRIES) + 1
    await sandbox.wait_for(lambda: any("多次处理失败" in t for t in texts_in(sandbox, office)), 10)
    assert await count(quick, "SELECT COUNT(*) FROM inbox WHERE status = 'failed'") == 1
    draft = await quick.db.fetchone("SELECT data FROM report_drafts")
    assert draft is not None
    assert json.loads(draft["data"])["files"] == []
    said = [t for t in texts_in(sandbox, dm) if "没有处理成功" in t]
    assert len(said) == 1  # one answer, not one per attempt


async def test_a_button_press_replayed_after_a_restart_keeps_its_effect(
    sandbox: Sandbox, e2e_config: Config, e2e_clock: Clock
) -> None:
    """Finding 3: the press is too old to answer by then; the report is made all the same."""
    await no_duties_yet(e2e_config)
    async with Runtime(e2e_config, clock=e2e_clock, poll_timeout=1) as rt:
        alice, dm = await at_confirm(sandbox, rt)
    summary = sandbox.received(dm)[-1]
    sandbox.press_button(alice, summary, buttons(summary)["确认提交"])  # while the bot is down
    assert sandbox.expire_callbacks() >= 1  # the restart takes longer than Telegram waits
    async with Runtime(e2e_config, clock=e2e_clock, poll_timeout=1) as rt:
        await sandbox.wait_for(lambda: any("报告编号" in t for t in texts_in(sandbox, dm)), 10)
        assert await count(rt, "SELECT COUNT(*) FROM reports") == 1
        assert (await ledger.by_code(rt.db, "R6-01-001"))[0].status == "in_progress"
    assert buttons(sandbox.received(dm)[-2]) == {}  # the summary's keyboard came off


async def test_a_500_on_the_receipt_never_tells_the_user_to_retry(
    sandbox: Sandbox, quick: Runtime
) -> None:
    """Findings 4 and 5: the receipt is part of the effect; a 500 only delays it."""
    alice, dm = await at_confirm(sandbox, quick)
    sandbox.faults.every_nth_5xx(1, methods={"sendMessage"})
    summary = sandbox.received(dm)[-1]
    sandbox.press_button(alice, summary, buttons(summary)["确认提交"])
    await sandbox.wait_for(lambda: any(c.status >= 500 for c in sandbox.calls("sendMessage")), 10)
    sandbox.faults.clear()
    await sandbox.wait_for(lambda: any("报告编号" in t for t in texts_in(sandbox, dm)), 15)
    assert sum("报告编号" in t for t in texts_in(sandbox, dm)) == 1
    assert not any("请稍后再试" in t or "出错" in t for t in texts_in(sandbox, dm))
    assert await count(quick, "SELECT COUNT(*) FROM reports") == 1


async def test_a_500_after_binding_says_it_worked(sandbox: Sandbox, quick: Runtime) -> None:
    """Finding 5: the binding stands and the user reads that it did."""
    await seed(quick)
    code = await issue_code(sandbox, "县财政局")
    bob = sandbox.user(502, "李强")
    dm = sandbox.private_chat(bob)
    sandbox.faults.every_nth_5xx(1, methods={"sendMessage"})
    sandbox.send_text(bob, dm, f"/bind {code}")
    await sandbox.wait_for(lambda: any(c.status >= 500 for c in sandbox.calls("sendMessage")), 10)
    sandbox.faults.clear()
    await sandbox.wait_for(lambda: any("绑定成功" in t for t in texts_in(sandbox, dm)), 15)
    assert texts_in(sandbox, dm) == [t for t in texts_in(sandbox, dm) if "绑定成功" in t]


async def test_a_quick_report_for_another_problem_asks_where_it_belongs(
    sandbox: Sandbox, runtime: Runtime
) -> None:
    """Finding 6: never filed under the open draft silently; the open draft is kept."""
    await seed(runtime)
    alice, dm = await bound_contact(sandbox, "县财政局", 501, "王芳")
    await ask(sandbox, alice, dm, "/report R6-01-001")
    await send_and_wait(sandbox, dm, lambda: sandbox.send_text(alice, dm, "第一项已清退"))
    question = await send_and_wait(
        sandbox, dm, lambda: sandbox.send_text(alice, dm, "R6-01-002 已完成清退，凭证已归档")
    )
    assert "R6-01-002" in question
    assert "R6-01-001" in question
    first = await press(sandbox, alice, dm, "另起一份 R6-01-002 的报告")
    assert "R6-01-002" in first
    await press(sandbox, alice, dm, "已完成，申请验收")
    await press(sandbox, alice, dm, "没有量化成果")
    before = len(texts_in(sandbox, dm))
    await press(sandbox, alice, dm, "确认提交")
    # The receipt, then the kept draft taken up again (one effect: they may arrive together).
    await sandbox.wait_for(lambda: len(texts_in(sandbox, dm)) >= before + 2, 10)
    receipt, restored = texts_in(sandbox, dm)[before : before + 2]
    assert receipt.startswith("已收到您的报告")
    assert "问题：R6-01-002" in receipt
    assert "R6-01-001" in restored
    report = await runtime.db.fetchone("SELECT problem_id, text FROM reports")
    assert report is not None
    assert report["text"] == "已完成清退，凭证已归档"
    other = (await ledger.by_code(runtime.db, "R6-01-002"))[0]
    assert report["problem_id"] == other.id
    kept = await runtime.db.fetchone("SELECT data, shelved FROM report_drafts")
    assert kept is not None
    assert kept["shelved"] == 0  # taken up again once the other report was in
    assert json.loads(kept["data"])["texts"] == ["第一项已清退"]


async def test_the_same_quick_report_can_belong_to_the_open_draft(
    sandbox: Sandbox, runtime: Runtime
) -> None:
    """Finding 6: the contact may say it belongs to the open draft after all."""
    await seed(runtime)
    alice, dm = await bound_contact(sandbox, "县财政局", 501, "王芳")
    await ask(sandbox, alice, dm, "/report R6-01-001")
    await send_and_wait(
        sandbox, dm, lambda: sandbox.send_text(alice, dm, "R6-01-002 同步整改的部分已完成")
    )
    got = await press(sandbox, alice, dm, "归入正在填写的 R6-01-001 报告")
    assert "文字 1 段" in got
    draft = await runtime.db.fetchone("SELECT problem_id, data FROM report_drafts")
    assert draft is not None
    assert json.loads(draft["data"])["texts"] == ["R6-01-002 同步整改的部分已完成"]


async def test_a_notice_with_an_emoji_caption_reaches_everyone(
    sandbox: Sandbox, runtime: Runtime
) -> None:
    """Finding 8: 508 emoji fit 1,024 characters but not 1,024 UTF-16 units."""
    await seed(runtime)
    admin = sandbox.user(ADMIN_ID, "王主任")
    await office_group(sandbox)
    _alice, dm = await bound_contact(sandbox, "县财政局", 501, "王芳")
    adm = sandbox.private_chat(admin)
    await ask(sandbox, admin, adm, "/notice")
    caption = "📢" * 508
    await send_and_wait(sandbox, adm, lambda: sandbox.send_photo(admin, adm, PHOTO, caption))
    sent = await press(sandbox, admin, adm, "全部单位")
    assert "1 名联络员" in sent
    await sandbox.wait_for(lambda: any(caption in t for t in texts_in(sandbox, dm)), 10)
    assert any("photo" in m for m in sandbox.received(dm))
    assert sandbox.rejected() == []


async def test_a_permanent_refusal_of_a_broadcast_is_reported_with_its_reason(
    sandbox: Sandbox, runtime: Runtime
) -> None:
    """Finding 8: a 400 is told to the office once, with Telegram's reason."""
    await seed(runtime)
    admin = sandbox.user(ADMIN_ID, "王主任")
    office = await office_group(sandbox)
    async with runtime.db.transaction() as tx:  # a unit group Telegram no longer knows
        await tx.execute(
            "INSERT INTO chats (chat_id, type, title) VALUES (-424242, 'group', '旧群')"
        )
        unit = await tx.fetchone("SELECT id FROM units WHERE name = '县财政局'")
        assert unit is not None
        await tx.execute(
            "UPDATE chats SET purpose = 'unit', unit_id = ? WHERE chat_id = -424242", (unit[0],)
        )
    adm = sandbox.private_chat(admin)
    await ask(sandbox, admin, adm, "/notice 请于本周五前报送整改材料")
    await press(sandbox, admin, adm, "全部单位")
    await sandbox.wait_for(
        lambda: any("chat not found" in t.lower() for t in texts_in(sandbox, office)), 10
    )
    assert sum("拒收" in t for t in texts_in(sandbox, office)) == 1


async def test_a_code_shown_in_a_group_is_burned(sandbox: Sandbox, runtime: Runtime) -> None:
    """Finding 15: nobody can bind with a code a group has seen."""
    await seed(runtime)
    code = await issue_code(sandbox, "县财政局")
    bob = sandbox.user(502, "李强")
    group = sandbox.group(-100777, "县财政局整改群", admins=[bob])
    said = await ask(sandbox, bob, group, f"/bind {code}")
    assert "作废" in said
    eve = sandbox.user(503, "旁观者")
    refused = await ask(sandbox, eve, sandbox.private_chat(eve), f"/bind {code}")
    assert "作废" in refused
    assert await count(runtime, "SELECT COUNT(*) FROM roles WHERE role = 'contact'") == 0


async def test_no_binding_code_rests_in_clear(
    sandbox: Sandbox, runtime: Runtime, caplog: pytest.LogCaptureFixture
) -> None:
    """Finding 18: not in the inbox, not in a log line, not in the office's trace."""
    caplog.set_level(logging.INFO)  # what `zhenggai run` logs (bot.logs.setup)
    await seed(runtime)
    code = await issue_code(sandbox, "县财政局")
    bob = sandbox.user(502, "李强")
    dm = sandbox.private_chat(bob)
    assert "绑定成功" in await ask(sandbox, bob, dm, f"/bind {code}")
    carol = sandbox.user(504, "赵敏")
    await ask(sandbox, carol, sandbox.private_chat(carol), "/bind WRNG-CODE-XXYY")
    await ask(sandbox, carol, sandbox.private_chat(carol), code.lower())  # pasted, no command
    rows = await runtime.db.fetchall("SELECT payload FROM inbox")
    stored = "\n".join(str(r[0]) for r in rows)
    for secret in (code, code.replace("-", ""), "WRNG-CODE-XXYY", code.lower()):
        assert secret not in stored
        assert secret not in caplog.text
    assert "#h:" in stored


# Another process takes the database's write lock and keeps it 30 s: SQLite's file lock, or the
# advisory lock every PostgreSQL write transaction of the bot takes first.
HOLD_SQLITE = (
    "import sqlite3, sys, time, pathlib\n"
    "c = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
    "c.execute('BEGIN EXCLUSIVE')\n"
    "pathlib.Path(sys.argv[2]).touch()\n"
    "time.sleep(30)\n"
    "c.execute('COMMIT')\n"
)
HOLD_POSTGRESQL = (
    "import asyncio, sys, pathlib, asyncpg\n"
    "from storage.postgres import WRITER_LOCK\n"
    "async def hold():\n"
    "    c = await asyncpg.connect(sys.argv[1])\n"
    "    await c.execute('SELECT pg_advisory_lock($1)', WRITER_LOCK)\n"
    "    pathlib.Path(sys.argv[2]).touch()\n"
    "    await asyncio.sleep(30)\n"
    "    await c.close()\n"
    "asyncio.run(hold())\n"
)


async def test_the_bot_waits_out_a_30_second_lock_and_loses_nothing(
    sandbox: Sandbox, e2e_config: Config, e2e_clock: Clock, tmp_path: Path
) -> None:
    """Finding 9: another process holds the database for 30 s; every update is handled once."""
    await no_duties_yet(e2e_config)
    async with Runtime(e2e_config, clock=e2e_clock, poll_timeout=1) as rt:
        await seed(rt)
        codes = [await issue_code(sandbox, "县财政局") for _ in range(5)]
        ready = tmp_path / "locked"
        holder = await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            HOLD_SQLITE if dbs.ENGINE == "sqlite" else HOLD_POSTGRESQL,
            str(e2e_config.storage.target),
            str(ready),
        )
        try:
            while not ready.exists():
                await asyncio.sleep(0.05)
            people = [sandbox.user(600 + i, f"联络员{i}") for i in range(5)]
            for person, code in zip(people, codes, strict=True):
                sandbox.send_text(person, sandbox.private_chat(person), f"/bind {code}")
            await asyncio.sleep(8)  # past SQLite's own 5 s: the old bot exited here
            waiting = asyncio.ensure_future(rt.wait())
            await asyncio.sleep(0.5)
            assert not waiting.done(), "the bot stopped while the database was locked"
            waiting.cancel()
            assert await asyncio.wait_for(holder.wait(), 40) == 0
            for person in people:
                chat = sandbox.private_chat(person)
                await sandbox.wait_for(
                    lambda chat=chat: any("绑定成功" in t for t in texts_in(sandbox, chat)), 20
                )
        finally:
            if holder.returncode is None:
                holder.kill()
        assert await count(rt, "SELECT COUNT(*) FROM roles WHERE role = 'contact'") == 5
    statuses = dbs.rows(
        e2e_config.storage.target, "SELECT status, COUNT(*) FROM inbox GROUP BY status"
    )
    assert set(dict(statuses)) == {"done"}  # nothing failed, nothing left behind
    for person in people:
        said = texts_in(sandbox, sandbox.private_chat(person))
        assert sum("绑定成功" in t for t in said) == 1


@pytest.fixture
def full_disk(e2e_config: Config, monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """The evidence folder's disk is full while the flag is set: writes fail with ENOSPC
    after half the bytes, as a real full disk does (bot.services.reporting.evidence)."""
    full = [True]
    real = Path.write_bytes

    def write_bytes(self: Path, data: Any) -> int:
        folder = e2e_config.storage.evidence_dir
        if full[0] and folder in self.parents:
            real(self, bytes(data)[: len(data) // 2])
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(self, data)

    monkeypatch.setattr(Path, "write_bytes", write_bytes)
    return full


async def test_a_full_disk_refuses_the_photo_plainly_and_keeps_running(
    sandbox: Sandbox, runtime: Runtime, e2e_config: Config, full_disk: list[bool]
) -> None:
    """Finding 10: a clear message, no partial file, the draft unchanged; then work resumes."""
    await seed(runtime)
    office = await office_group(sandbox)
    alice, dm = await bound_contact(sandbox, "县财政局", 501, "王芳")
    await ask(sandbox, alice, dm, "/report R6-01-001")
    said = await send_and_wait(sandbox, dm, lambda: sandbox.send_photo(alice, dm, PHOTO))
    assert "存储空间已满" in said
    await sandbox.wait_for(lambda: any("存储空间已满" in t for t in texts_in(sandbox, office)), 10)
    folder = e2e_config.storage.evidence_dir
    assert [p for p in folder.rglob("*") if p.is_file()] == []  # no .part keeps the disk full
    draft = await runtime.db.fetchone("SELECT data FROM report_drafts")
    assert draft is not None
    assert json.loads(draft["data"])["files"] == []
    full_disk[0] = False  # space is back
    got = await send_and_wait(
        sandbox, dm, lambda: sandbox.send_photo(alice, dm, PHOTO), "附件 1 个"
    )
    assert "附件 1 个" in got
    assert len([p for p in folder.rglob("*") if p.is_file()]) == 1
    assert await count(runtime, "SELECT COUNT(*) FROM inbox WHERE status != 'done'") == 0


async def test_a_document_named_with_a_nul_is_kept(sandbox: Sandbox, runtime: Runtime) -> None:
    """Finding 16: any file name is only a name; the file is kept."""
    await seed(runtime)
    alice, dm = await bound_contact(sandbox, "县财政局", 501, "王芳")
    await ask(sandbox, alice, dm, "/report R6-01-001")
    got = await send_and_wait(
        sandbox,
        dm,
        lambda: sandbox.send_document(alice, dm, b"%PDF-1.4 x", "说明\x00../../etc.pdf"),
        "附件 1 个",
    )
    assert "附件 1 个" in got
    row = await runtime.db.fetchone("SELECT data FROM report_drafts")
    assert row is not None
    kept = json.loads(row["data"])["files"][0]
    assert kept["file_name"] == "说明\x00../../etc.pdf"
    assert Path(kept["local_path"]).read_bytes() == b"%PDF-1.4 x"
