"""Progress reporting end to end over HTTP against the strict sandbox."""

from __future__ import annotations

import hashlib
from pathlib import Path

from bot.messages import OutMessage, utf16_len
from bot.runtime import Runtime
from bot.sandbox import Sandbox
from bot.services import notify
from storage import ledger
from tests.e2e.conftest import ADMIN_ID, ask, issue_code
from tests.e2e.reporting import bound_contact, buttons, press, seed, send_and_wait

PHOTO_A = b"\xff\xd8\xff\xe0" + b"photo-a" * 300
PHOTO_B = b"\xff\xd8\xff\xe0" + b"photo-b" * 500
PDF = b"%PDF-1.4\n" + b"report" * 1000


async def count(rt: Runtime, sql: str) -> int:
    return int(await rt.db.scalar(sql))


async def test_text_two_photos_and_a_pdf_completed(sandbox: Sandbox, runtime: Runtime) -> None:
    await seed(runtime)
    alice, dm = await bound_contact(sandbox, "县财政局", 501, "王芳")
    assert "正在报告：R6-01-001" in await ask(sandbox, alice, dm, "/report R6-01-001")
    await send_and_wait(
        sandbox, dm, lambda: sandbox.send_text(alice, dm, "已全额清退违规津补贴 18.6 万元")
    )
    await send_and_wait(sandbox, dm, lambda: sandbox.send_photo(alice, dm, PHOTO_A))
    await send_and_wait(
        sandbox, dm, lambda: sandbox.send_photo(alice, dm, PHOTO_B, caption="退款凭证")
    )
    got = await send_and_wait(
        sandbox,
        dm,
        lambda: sandbox.send_document(alice, dm, PDF, "清退情况说明.pdf", "application/pdf"),
    )
    assert "附件 3 个" in got
    assert "整改状态" in await press(sandbox, alice, dm, "完成")
    assert "挽回损失" in await press(sandbox, alice, dm, "已完成，申请验收")
    assert "制度" in await send_and_wait(sandbox, dm, lambda: sandbox.send_text(alice, dm, "18.6"))
    assert "问责" in await send_and_wait(sandbox, dm, lambda: sandbox.send_text(alice, dm, "１"))
    summary = await send_and_wait(sandbox, dm, lambda: sandbox.send_text(alice, dm, "2"))
    assert "附件：3 个" in summary
    assert "18.60 万元" in summary
    receipt = await press(sandbox, alice, dm, "确认提交")
    assert "报告编号：" in receipt
    assert "已完成待验收" in receipt
    number = receipt.split("报告编号：", 1)[1].split("\n", 1)[0]

    assert await count(runtime, "SELECT COUNT(*) FROM reports") == 1
    report = await runtime.db.fetchone("SELECT * FROM reports")
    assert report is not None
    assert report["number"] == number
    assert report["text"] == "已全额清退违规津补贴 18.6 万元\n\n退款凭证"
    assert (report["recovered_wan_x100"], report["rules_count"], report["accountable_count"]) == (
        1860,
        1,
        2,
    )
    files = await runtime.db.fetchall("SELECT * FROM attachments ORDER BY id")
    assert [f["kind"] for f in files] == ["photo", "photo", "document"]
    for f, data in zip(files, (PHOTO_A, PHOTO_B, PDF), strict=True):
        assert f["sha256"] == hashlib.sha256(data).hexdigest()
        assert Path(f["local_path"]).read_bytes() == data
        assert f["size"] == len(data)
    assert files[2]["file_name"] == "清退情况说明.pdf"
    problem = (await ledger.by_code(runtime.db, "R6-01-001"))[0]
    assert problem.status == "awaiting_acceptance"
    admin = sandbox.user(ADMIN_ID, "王主任")
    detail = await ask(sandbox, admin, sandbox.private_chat(admin), "/problem R6-01-001")
    assert number in detail
    assert "已全额清退违规津补贴" in detail
    assert "清退情况说明.pdf" in detail
    assert hashlib.sha256(PDF).hexdigest()[:12] in detail
    assert "挽回损失 18.60 万元" in detail
    assert sandbox.rejected() == []


async def test_who_may_not_report_is_told_why(sandbox: Sandbox, runtime: Runtime) -> None:
    await seed(runtime)
    bob, bob_dm = await bound_contact(sandbox, "县水利局", 502, "赵强")
    assert "属于“县财政局”" in await ask(sandbox, bob, bob_dm, "/report R6-01-001")
    stranger = sandbox.user(503, "路人")
    assert "请先绑定身份" in await ask(
        sandbox, stranger, sandbox.private_chat(stranger), "/report R6-01-001"
    )
    admin = sandbox.user(ADMIN_ID, "王主任")
    code = (
        (await ask(sandbox, admin, sandbox.private_chat(admin), "/code leader"))
        .split("绑定码：", 1)[1]
        .split("\n", 1)[0]
    )
    leader = sandbox.user(504, "纪委刘书记")
    leader_dm = sandbox.private_chat(leader)
    await ask(sandbox, leader, leader_dm, f"/bind {code}")
    assert "仅供查阅" in await ask(sandbox, leader, leader_dm, "/report R6-01-001")
    assert "仅供查阅" in await ask(sandbox, leader, leader_dm, "R6-01-001 已完成整改")
    assert await count(runtime, "SELECT COUNT(*) FROM reports") == 0
    assert await count(runtime, "SELECT COUNT(*) FROM report_drafts") == 0


async def test_figures_are_checked_and_full_width_digits_read(
    sandbox: Sandbox, runtime: Runtime
) -> None:
    await seed(runtime)
    alice, dm = await bound_contact(sandbox, "县财政局", 501, "王芳")
    await ask(sandbox, alice, dm, "R6-01-002 制度已修订")
    await press(sandbox, alice, dm, "持续推进")
    say = lambda text: send_and_wait(sandbox, dm, lambda: sandbox.send_text(alice, dm, text))  # noqa: E731
    assert "不能为负数" in await say("-5")
    assert "不是数字" in await say("abc")
    assert "科学计数法" in await say("1e9")
    assert "超过上限" in await say("2000000")
    assert "制度" in await say("0.5")
    assert "整数" in await say("1.5")
    assert "问责" in await say("１２")
    await say("0")
    await press(sandbox, alice, dm, "确认提交")
    report = await runtime.db.fetchone("SELECT * FROM reports")
    assert report is not None
    assert (report["recovered_wan_x100"], report["rules_count"], report["accountable_count"]) == (
        50,
        12,
        0,
    )
    assert report["text"] == "制度已修订"
    assert report["claim"] == "progress"
    problem = (await ledger.by_code(runtime.db, "R6-01-002"))[0]
    assert problem.status == "in_progress"


async def test_a_long_text_with_emoji_rtl_and_zero_width_is_kept_exactly(
    sandbox: Sandbox, runtime: Runtime
) -> None:
    await seed(runtime)
    alice, dm = await bound_contact(sandbox, "县财政局", 501, "王芳")
    piece = "整改😀\u202eמבחן\u202c\u200b\u200d👨‍👩‍👧 "
    text = piece * (4096 // utf16_len(piece))
    text += "字" * (4096 - utf16_len(text))  # Telegram's 4,096, counted as it counts them
    assert utf16_len(text) == 4096
    await ask(sandbox, alice, dm, "/report R6-01-003")
    await send_and_wait(sandbox, dm, lambda: sandbox.send_text(alice, dm, text))
    await press(sandbox, alice, dm, "完成")
    await press(sandbox, alice, dm, "持续推进")
    await press(sandbox, alice, dm, "没有量化成果")
    await press(sandbox, alice, dm, "确认提交")
    stored = await runtime.db.scalar("SELECT text FROM reports")
    assert stored == text
    assert sandbox.rejected() == []


async def test_quick_report_and_reply_to_a_reminder(sandbox: Sandbox, runtime: Runtime) -> None:
    await seed(runtime)
    alice, dm = await bound_contact(sandbox, "县财政局", 501, "王芳")
    group = sandbox.group(-100321, "县财政局整改群")
    admin = sandbox.user(ADMIN_ID, "王主任")
    await ask(sandbox, admin, group, "/setgroup unit 县财政局")
    assert "整改状态" in await ask(sandbox, alice, dm, "Ｒ６-01-002，已完成制度修订")
    await press(sandbox, alice, dm, "已完成，申请验收")
    await press(sandbox, alice, dm, "没有量化成果")
    await press(sandbox, alice, dm, "确认提交")
    # A reminder the office sent, replied to in the unit's group.
    async with runtime.db.transaction() as tx:
        await notify.enqueue(
            tx,
            "remind:test",
            group.id,
            "reminder",
            OutMessage(text="【到期提醒】R6-01-003 将于 3 天后到期，请及时报告进展。"),
            runtime.services.clock(),
        )
    runtime.sender.kick()
    await sandbox.wait_for(lambda: "到期提醒" in str(sandbox.received(group)[-1].get("text")))
    reminder = sandbox.received(group)[-1]
    reply = await send_and_wait(
        sandbox,
        group,
        lambda: sandbox.send_text(alice, group, "已召开专题会，正在整改", reply_to=reminder),
    )
    assert "R6-01-003" in reply
    await press(sandbox, alice, group, "持续推进")
    await press(sandbox, alice, group, "没有量化成果")
    await press(sandbox, alice, group, "确认提交")
    rows = await runtime.db.fetchall(
        "SELECT p.code, r.text, r.claim FROM reports r JOIN problems p ON p.id = r.problem_id"
        " ORDER BY r.id"
    )
    assert [tuple(r) for r in rows] == [
        ("R6-01-002", "已完成制度修订", "completed"),
        ("R6-01-003", "已召开专题会，正在整改", "progress"),
    ]
    # The first report was copied to the unit's group through the outbox (五方报备).
    await sandbox.wait_for(
        lambda: any("【整改进展】县财政局" in str(m.get("text")) for m in sandbox.received(group))
    )


async def test_a_double_tap_on_submit_gives_one_report(sandbox: Sandbox, runtime: Runtime) -> None:
    await seed(runtime)
    alice, dm = await bound_contact(sandbox, "县财政局", 501, "王芳")
    await ask(sandbox, alice, dm, "R6-01-001 清退完毕")
    await press(sandbox, alice, dm, "持续推进")
    await press(sandbox, alice, dm, "没有量化成果")
    summary = sandbox.received(dm)[-1]
    sandbox.press_button(alice, summary, buttons(summary)["确认提交"])
    second = sandbox.press_button(alice, summary, buttons(summary)["确认提交"])
    await sandbox.wait_for(lambda: sandbox.callback_answer(second["id"]) is not None)
    await runtime.worker.drain()
    assert await count(runtime, "SELECT COUNT(*) FROM reports") == 1
    assert "过期" in str(sandbox.callback_answer(second["id"]))


async def test_extension_request_is_stored_for_review(sandbox: Sandbox, runtime: Runtime) -> None:
    await seed(runtime)
    alice, dm = await bound_contact(sandbox, "县财政局", 501, "王芳")
    assert "用法" in await ask(sandbox, alice, dm, "/extend R6-01-001")
    assert "不是有效日期" in await ask(sandbox, alice, dm, "/extend R6-01-001 明年 审批慢")
    assert "必须晚于" in await ask(sandbox, alice, dm, "/extend R6-01-001 2020-01-01 审批慢")
    ok = await ask(sandbox, alice, dm, "/extend R6-01-001 2030-06-30 上级审批流程调整")
    assert "延期申请已提交" in ok
    assert "待审核" in await ask(sandbox, alice, dm, "/extend R6-01-001 2030-07-30 再延")
    rows = await runtime.db.fetchall("SELECT requested_deadline, status FROM extension_requests")
    assert [tuple(r) for r in rows] == [("2030-06-30", "pending")]
    assert "仅供查阅" not in ok
    _ = issue_code  # the helper module re-exports it for other tests


async def test_a_file_over_20_mb_is_kept_by_id_and_the_contact_told(
    sandbox: Sandbox, runtime: Runtime
) -> None:
    await seed(runtime)
    alice, dm = await bound_contact(sandbox, "县财政局", 501, "王芳")
    await ask(sandbox, alice, dm, "/report R6-01-001")
    big = b"%PDF-1.4\n" + bytes(21 * 1024 * 1024)
    await send_and_wait(
        sandbox,
        dm,
        lambda: sandbox.send_document(alice, dm, big, "会议录像.pdf", "application/pdf"),
        until="附件 1 个",
    )
    said = [str(m.get("text")) for m in sandbox.received(dm)[-2:]]
    assert any("超过 20 MB" in t and "会议录像.pdf" in t for t in said)
    await press(sandbox, alice, dm, "完成")
    await press(sandbox, alice, dm, "持续推进")
    await press(sandbox, alice, dm, "没有量化成果")
    await press(sandbox, alice, dm, "确认提交")
    row = await runtime.db.fetchone("SELECT file_id, sha256, local_path, note FROM attachments")
    assert row is not None
    assert row["file_id"]
    assert row["sha256"] is None
    assert row["local_path"] is None
    assert "20 MB" in row["note"]
