"""The ledger over HTTP: import by chat with preview and confirm, views within Telegram's limits."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from bot.runtime import Runtime
from bot.sample import ROUND, write_xlsx
from bot.sandbox import Sandbox, SimChat
from bot.services.ledger.importer import apply_import
from bot.services.ledger.rows import LedgerRow
from storage import ledger
from tests.e2e.conftest import ADMIN_ID, E2E_TODAY, ask, issue_code

Message = dict[str, object]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def buttons(message: dict[str, object]) -> dict[str, str]:
    markup = message.get("reply_markup") or {}
    rows = markup.get("inline_keyboard", []) if isinstance(markup, dict) else []
    return {b["text"]: b["callback_data"] for row in rows for b in row}


async def import_sample(sb: Sandbox, tmp_path: Path, chat: SimChat | None = None) -> Message:
    """Send the sample ledger as the admin (replying to the prompt) and return the preview."""
    admin = sb.user(ADMIN_ID, "王主任")
    chat = chat or sb.private_chat(admin)
    await ask(sb, admin, chat, f"/import {ROUND}")
    prompt = sb.received(chat)[-1]
    data = write_xlsx(tmp_path / "ledger.xlsx", E2E_TODAY).read_bytes()
    before = len(sb.received(chat))
    sb.send_document(admin, chat, data, file_name="问题台账.xlsx", mime_type=XLSX, reply_to=prompt)
    await sb.wait_for(lambda: len(sb.received(chat)) > before, timeout=15)
    return sb.received(chat)[-1]


async def test_import_by_chat_previews_then_only_its_admin_confirms(
    sandbox: Sandbox, runtime: Runtime, tmp_path: Path
) -> None:
    admin = sandbox.user(ADMIN_ID, "王主任")
    office = sandbox.group(-100900, "县委巡察办工作群")
    await ask(sandbox, admin, office, "/setgroup office")
    preview = await import_sample(sandbox, tmp_path, office)
    assert "新增问题 52 个" in str(preview["text"])
    assert "新增单位 8 个" in str(preview["text"])
    assert await ledger.all_problems(runtime.db) == []  # nothing before the confirm
    # Another admin (bound by code) may not confirm someone else's import.
    code = await issue_code_for_admin(sandbox)
    other = sandbox.user(9002, "赵科长")
    other_dm = sandbox.private_chat(other)
    assert "绑定成功" in await ask(sandbox, other, other_dm, f"/bind {code}")
    refused = sandbox.press_button(other, preview, buttons(preview)["确认导入"])
    await sandbox.wait_for(lambda: sandbox.callback_answer(refused["id"]) is not None)
    assert "只有发起这次导入的管理员" in str(sandbox.callback_answer(refused["id"]))
    assert await ledger.all_problems(runtime.db) == []
    before = len(sandbox.received(office))
    sandbox.press_button(admin, preview, buttons(preview)["确认导入"])
    await sandbox.wait_for(lambda: len(sandbox.received(office)) > before, timeout=10)
    assert "新增问题 52 个" in str(sandbox.received(office)[-1]["text"])
    assert len(await ledger.all_problems(runtime.db)) == 52
    # The same file again changes nothing and offers no button.
    again = await import_sample(sandbox, tmp_path)
    assert "与现有台账完全一致" in str(again["text"])
    assert buttons(again) == {}


async def issue_code_for_admin(sb: Sandbox) -> str:
    admin = sb.user(ADMIN_ID, "王主任")
    reply = await ask(sb, admin, sb.private_chat(admin), "/code admin")
    return reply.split("绑定码：", 1)[1].split("\n", 1)[0]


async def test_a_bad_file_is_refused_whole_with_its_errors(
    sandbox: Sandbox, runtime: Runtime
) -> None:
    admin = sandbox.user(ADMIN_ID, "王主任")
    dm = sandbox.private_chat(admin)
    header = "问题编号,被巡察单位,问题类别,问题描述,整改措施,责任领导,责任人,整改时限,整改类型\n"
    good = "R1-001,县财政局,作风建设,描述,措施,甲,乙,2026-12-31,限期整改\n"
    bad = "R1-002,县财政局,作风建设,描述,措施,甲,乙,2026-02-30,限期整改\n"
    await ask(sandbox, admin, dm, "/import")
    before = len(sandbox.received(dm))
    sandbox.send_document(
        admin,
        dm,
        (header + good + bad).encode("gb18030"),
        file_name="台账.csv",
        mime_type="text/csv",
    )
    await sandbox.wait_for(lambda: len(sandbox.received(dm)) > before, timeout=10)
    reply = str(sandbox.received(dm)[-1]["text"])
    assert "未做任何修改" in reply
    assert "第 3 行 · 整改时限" in reply
    assert await ledger.all_problems(runtime.db) == []


LONG_DESCRIPTION = (
    "重点项目推进缓慢，年度计划中有项目未按期开工，群众反映强烈，需要限期整改到位。" * 2
)


async def seed_unit(rt: Runtime, unit: str, count: int, prefix: str = "R9") -> None:
    today = rt.services.today()
    rows = [
        LedgerRow(
            row=n + 2,
            round_name=None,
            code=f"{prefix}-{n:04d}",
            unit=unit,
            category="工作任务推进",
            description=LONG_DESCRIPTION,
            measures="逐项建立推进台账",
            leader_name="甲",
            owner_name="乙",
            deadline=today + timedelta(days=n % 60 - 20),
            kind="deadline",
        )
        for n in range(count)
    ]
    async with rt.db.transaction() as tx:
        await apply_import(tx, rows, ROUND, by=None, by_label="test", at=rt.services.clock())


async def test_unit_with_300_problems_pages_within_telegram_limits(
    sandbox: Sandbox, runtime: Runtime
) -> None:
    await seed_unit(runtime, "县发展和改革委员会", 300)
    admin = sandbox.user(ADMIN_ID, "王主任")
    dm = sandbox.private_chat(admin)
    await ask(sandbox, admin, dm, "/unit 发展和改革")
    page = sandbox.received(dm)[-1]
    seen = set()
    for number in range(2, 40):
        seen |= {line.split("｜")[0] for line in str(page["text"]).splitlines() if "｜" in line}
        nxt = buttons(page).get("下一页 ▶")
        if nxt is None:
            break
        sandbox.press_button(admin, page, nxt)

        def turned(number: int = number) -> bool:
            return f"第 {number}/20 页" in str(sandbox.received(dm)[-1]["text"])

        await sandbox.wait_for(turned, timeout=5)
        page = sandbox.received(dm)[-1]
    assert "第 20/20 页" in str(page["text"])
    assert seen == {f"R9-{n:04d}" for n in range(300)}
    assert sandbox.rejected() == []
    assert all(len(str(m.get("text", ""))) <= 4096 for m in sandbox.received(dm))


async def test_contacts_see_only_their_own_unit(sandbox: Sandbox, runtime: Runtime) -> None:
    await seed_unit(runtime, "县财政局", 3)
    await seed_unit(runtime, "县水利局", 2, prefix="R8")
    code = await issue_code(sandbox, "县财政局")
    alice = sandbox.user(601, "王芳")
    dm = sandbox.private_chat(alice)
    await ask(sandbox, alice, dm, f"/bind {code}")
    mine = await ask(sandbox, alice, dm, "/unit")
    assert "县财政局：问题 3 个" in mine
    assert "您只能查看本单位（县财政局）的问题" in await ask(sandbox, alice, dm, "/unit 县水利局")
    assert "仅供巡察办和领导使用" in await ask(sandbox, alice, dm, "/stats")
    problems = await ledger.all_problems(runtime.db)
    theirs = next(p for p in problems if p.unit_name == "县水利局")
    ours = next(p for p in problems if p.unit_name == "县财政局")
    assert "您只能查看本单位" in await ask(sandbox, alice, dm, f"/problem {theirs.code}")
    assert f"【{ours.code}】" in await ask(sandbox, alice, dm, f"/problem {ours.code}")
    stranger = sandbox.user(602, "路人")
    assert "请先绑定身份" in await ask(sandbox, stranger, sandbox.private_chat(stranger), "/unit")
