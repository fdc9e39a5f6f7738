"""The office's workflows over HTTP: notices with receipts, review, extensions, 回头看."""

from __future__ import annotations

import random
from datetime import date

from bot.runtime import Runtime
from bot.sandbox import Sandbox
from storage import audit, chats, ledger, people, units
from tests.e2e.conftest import ADMIN_ID, ask
from tests.e2e.reporting import bound_contact, buttons, press, seed, send_and_wait

UNITS = 200


async def two_hundred_units(sb: Sandbox, rt: Runtime) -> list[tuple[int, int]]:
    """200 units, each with a group and a bound contact; returns (group, contact) ids."""
    now = rt.services.clock()
    pairs = []
    async with rt.db.transaction() as tx:
        admin = await people.upsert(tx, ADMIN_ID, "王主任", None, now)
        for n in range(UNITS):
            unit = await units.create(tx, f"第{n + 1}单位", now)
            group, contact = -200_000 - n, 300_000 + n
            await chats.remember(tx, group, "supergroup", f"第{n + 1}单位整改群")
            await chats.register(tx, group, "unit", unit.id, admin.id, now)
            person = await people.upsert(tx, contact, f"联络员{n + 1}", None, now)
            await people.grant(tx, person.id, "contact", unit.id, now, None, None)
            await chats.remember(tx, contact, "private", "")
            sb.group(group, f"第{n + 1}单位整改群")
            sb.private_chat(sb.user(contact, f"联络员{n + 1}"))
            pairs.append((group, contact))
    return pairs


def notices_in(sb: Sandbox, chat: int) -> list[dict[str, object]]:
    return [m for m in sb.received(chat) if "【通知】" in str(m.get("text") or m.get("caption"))]


async def test_notice_to_200_units_once_each_despite_429_and_500(
    sandbox: Sandbox, runtime: Runtime
) -> None:
    pairs = await two_hundred_units(sandbox, runtime)
    admin = sandbox.user(ADMIN_ID, "王主任")
    dm = sandbox.private_chat(admin)
    reply = await ask(sandbox, admin, dm, "/notice 请各单位于本周五前报送整改台账更新情况。")
    assert "发送给" in reply
    sandbox.faults.random_429(rate=0.05, retry_after=1)
    sandbox.faults.random_5xx(rate=0.01, status=500)
    sent = await press(sandbox, admin, dm, "全部单位")
    assert "200 个单位" in sent
    targets = [c for pair in pairs for c in pair]
    await sandbox.wait_for(lambda: all(notices_in(sandbox, c) for c in targets), timeout=120)
    await runtime.worker.drain()
    assert all(len(notices_in(sandbox, c)) == 1 for c in targets)  # none lost, none doubled
    assert sandbox.flood_violations == []
    assert any(c.status == 429 for c in sandbox.calls("sendMessage"))  # the faults did happen
    sandbox.faults.clear()
    # A random half acknowledges (some press twice); the receipts add up.
    rng = random.Random(3)
    half = rng.sample([c for _, c in pairs], UNITS // 2)
    queries = []
    for contact in half:
        message = notices_in(sandbox, contact)[0]
        user = sandbox.user(contact, "联络员")
        queries.append(sandbox.press_button(user, message, buttons(message)["已阅"]))
        if contact % 7 == 0:
            queries.append(sandbox.press_button(user, message, buttons(message)["已阅"]))
    await sandbox.wait_for(
        lambda: all(sandbox.callback_answer(q["id"]) is not None for q in queries), timeout=60
    )
    before = len(sandbox.received(dm))
    sandbox.send_text(admin, dm, "/receipts")
    # A long answer comes in parts; the last carries the 提醒未阅 button.
    await sandbox.wait_for(lambda: "提醒未阅" in buttons(sandbox.received(dm)[-1]), timeout=15)
    receipts = "\n".join(str(m["text"]) for m in sandbox.received(dm)[before:])
    assert "应阅 200 人，已阅 100 人（50.0%），未阅 100 人" in receipts
    assert receipts.count("· 联络员") == 200
    count = await runtime.db.scalar("SELECT COUNT(*) FROM notice_receipts")
    assert count == 100
    reminded = await press_answer(sandbox, admin, dm, "提醒未阅")
    assert "已提醒 100 名" in reminded
    again = await press_answer(sandbox, admin, dm, "提醒未阅")
    assert "一小时内已提醒过" in again


async def press_answer(sb: Sandbox, user: object, chat: object, label: str) -> str:
    latest = next(m for m in reversed(sb.received(chat)) if label in buttons(m))  # type: ignore[arg-type]
    query = sb.press_button(user, latest, buttons(latest)[label])  # type: ignore[arg-type]
    await sb.wait_for(lambda: sb.callback_answer(query["id"]) is not None, timeout=10)
    return str(sb.callback_answer(query["id"]))


async def report_completed(sb: Sandbox, user: object, dm: object, code: str, text: str) -> None:
    await ask(sb, user, dm, f"{code} {text}")  # type: ignore[arg-type]
    await press(sb, user, dm, "已完成，申请验收")  # type: ignore[arg-type]
    await press(sb, user, dm, "没有量化成果")  # type: ignore[arg-type]
    await press(sb, user, dm, "确认提交")  # type: ignore[arg-type]


async def test_review_flows_and_their_audit(sandbox: Sandbox, runtime: Runtime) -> None:
    await seed(runtime)
    alice, alice_dm = await bound_contact(sandbox, "县财政局", 501, "王芳")
    await report_completed(sandbox, alice, alice_dm, "R6-01-001", "已全额清退")
    await report_completed(sandbox, alice, alice_dm, "R6-01-002", "制度已修订")
    assert "延期申请已提交" in await ask(
        sandbox, alice, alice_dm, "/extend R6-01-003 2030-06-30 审批流程调整"
    )
    admin = sandbox.user(ADMIN_ID, "王主任")
    dm = sandbox.private_chat(admin)
    before = len(sandbox.received(dm))
    sandbox.send_text(admin, dm, "/review")
    await sandbox.wait_for(lambda: len(sandbox.received(dm)) >= before + 4, timeout=20)
    items = sandbox.received(dm)[before:]
    assert "待验收 2 项，待审核延期申请 1 项" in str(items[0]["text"])
    first, second, extension = items[1], items[2], items[3]
    assert "R6-01-001" in str(first["text"])
    assert "已全额清退" in str(first["text"])
    # A second /review lists the same item again: its buttons will be stale.
    before = len(sandbox.received(dm))
    sandbox.send_text(admin, dm, "/review")
    await sandbox.wait_for(lambda: len(sandbox.received(dm)) >= before + 4, timeout=20)
    old_copy = sandbox.received(dm)[before + 1]
    assert "R6-01-001" in str(old_copy["text"])
    # 通过 (销号)
    sandbox.press_button(admin, first, buttons(first)["通过（销号）"])
    await sandbox.wait_for(lambda: "已销号" in str(sandbox.received(dm)[-1]["text"]), timeout=10)
    assert (await ledger.by_code(runtime.db, "R6-01-001"))[0].status == "closed"
    # The stale copy's 退回, pressed after the item was closed: a clear answer, no change.
    changes = await runtime.db.scalar("SELECT COUNT(*) FROM audit_log")
    stale = sandbox.press_button(admin, old_copy, buttons(old_copy)["退回"])
    await sandbox.wait_for(lambda: sandbox.callback_answer(stale["id"]) is not None)
    assert "已经处理过" in str(sandbox.callback_answer(stale["id"]))
    assert await runtime.db.scalar("SELECT COUNT(*) FROM audit_log") == changes
    assert (await ledger.by_code(runtime.db, "R6-01-001"))[0].status == "closed"
    # 退回 with a reason
    sandbox.press_button(admin, second, buttons(second)["退回"])
    await sandbox.wait_for(lambda: "退回的理由" in str(sandbox.received(dm)[-1]["text"]))
    say = lambda text: sandbox.send_text(admin, dm, text)  # noqa: E731
    await send_and_wait(sandbox, dm, lambda: say("佐证材料不全"), until="已退回")
    assert (await ledger.by_code(runtime.db, "R6-01-002"))[0].status == "in_progress"
    await sandbox.wait_for(
        lambda: any("佐证材料不全" in str(m.get("text")) for m in sandbox.received(alice_dm)),
        timeout=15,
    )
    # Extension approved: the deadline moves and its history is kept.
    old = (await ledger.by_code(runtime.db, "R6-01-003"))[0].deadline
    sandbox.press_button(admin, extension, buttons(extension)["同意延期"])
    await sandbox.wait_for(lambda: "已同意延期" in str(sandbox.received(dm)[-1]["text"]))
    problem = (await ledger.by_code(runtime.db, "R6-01-003"))[0]
    assert problem.deadline == date(2030, 6, 30)
    change = await runtime.db.fetchone(
        "SELECT * FROM deadline_changes WHERE problem_id = ?", (problem.id,)
    )
    assert change is not None
    assert (change["old_deadline"], change["new_deadline"]) == (str(old), "2030-06-30")
    assert change["changed_by"] is not None
    # A second request, rejected with a reason the requester is told.
    await ask(sandbox, alice, alice_dm, "/extend R6-01-003 2031-01-01 再延")
    sandbox.send_text(admin, dm, "/review")
    await sandbox.wait_for(lambda: "2031年1月1日" in str(sandbox.received(dm)[-1]["text"]), 15)
    ext = sandbox.received(dm)[-1]
    sandbox.press_button(admin, ext, buttons(ext)["不同意"])
    await sandbox.wait_for(lambda: "不同意延期的理由" in str(sandbox.received(dm)[-1]["text"]))
    await send_and_wait(sandbox, dm, lambda: say("理由不充分"), until="不同意")
    await sandbox.wait_for(
        lambda: any("理由不充分" in str(m.get("text")) for m in sandbox.received(alice_dm)),
        timeout=15,
    )
    # 回头看 reopens the closed one; its history shows closing and reopening.
    assert "已重新打开" in await ask(sandbox, admin, dm, "/reopen R6-01-001 回头看发现制度未落实")
    assert (await ledger.by_code(runtime.db, "R6-01-001"))[0].status == "in_progress"
    detail = await ask(sandbox, admin, dm, "/problem R6-01-001")
    assert "通过（销号）" in detail
    assert "回头看重新打开" in detail
    rows = await audit.entries(runtime.db)
    statuses = [(e.entity_id, e.before, e.after) for e in rows if e.action == "status"]
    assert len(statuses) >= 5  # two reports, 通过, 退回, reopen
    assert any(e.action == "deadline" for e in rows)
    assert all(e.actor_label for e in rows)
