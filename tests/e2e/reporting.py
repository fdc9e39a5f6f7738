"""Helpers for the reporting tests: a small ledger and a bound contact."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from bot.runtime import Runtime
from bot.sandbox import Sandbox, SimChat, SimUser
from bot.services.ledger.importer import apply_import
from bot.services.ledger.rows import LedgerRow
from storage.db import Tx
from tests.e2e.conftest import E2E_START, E2E_TODAY, ask, issue_code

ROUND = "第六轮巡察"


def row(n: int, code: str, unit: str, days: int = 30, today: date = E2E_TODAY) -> LedgerRow:
    return LedgerRow(
        row=n,
        round_name=None,
        code=code,
        unit=unit,
        category="作风建设",
        description=f"{unit}违规发放津补贴问题（{code}）",
        measures="全额清退，严肃问责",
        leader_name="甲",
        owner_name="乙",
        deadline=today + timedelta(days=days),
        kind="deadline",
    )


async def seed_rows(tx: Tx, at: datetime = E2E_START) -> None:
    """Four problems due 30 days after `at` (by default the e2e tests' pinned moment)."""
    today = at.astimezone(E2E_START.tzinfo).date()
    rows = [
        row(2, "R6-01-001", "县财政局", today=today),
        row(3, "R6-01-002", "县财政局", today=today),
        row(4, "R6-01-003", "县财政局", today=today),
        row(5, "R6-02-001", "县水利局", today=today),
    ]
    await apply_import(tx, rows, ROUND, by=None, by_label="test", at=at)


async def seed(rt: Runtime) -> None:
    async with rt.db.transaction() as tx:
        await seed_rows(tx, rt.services.clock())


async def bound_contact(sb: Sandbox, unit: str, uid: int, name: str) -> tuple[SimUser, SimChat]:
    code = await issue_code(sb, unit)
    user = sb.user(uid, name)
    dm = sb.private_chat(user)
    assert "绑定成功" in await ask(sb, user, dm, f"/bind {code}")
    return user, dm


def buttons(message: dict[str, object]) -> dict[str, str]:
    markup = message.get("reply_markup") or {}
    rows = markup.get("inline_keyboard", []) if isinstance(markup, dict) else []
    return {b["text"]: b["callback_data"] for r in rows for b in r}


async def press(sb: Sandbox, user: SimUser, chat: SimChat, label: str) -> str:
    """Press the button with this label on the bot's latest message there; return the answer."""
    latest = next(m for m in reversed(sb.received(chat)) if label in buttons(m))
    before = len(sb.received(chat))
    sb.press_button(user, latest, buttons(latest)[label])
    await sb.wait_for(lambda: len(sb.received(chat)) > before, timeout=10)
    return str(sb.received(chat)[-1].get("text", ""))


async def send_and_wait(sb: Sandbox, chat: SimChat, act: object, until: str = "") -> str:
    """Act, then wait for the bot's next message there (one that contains `until`)."""
    before = len(sb.received(chat))
    act()  # type: ignore[operator]

    def answered() -> bool:
        fresh = sb.received(chat)[before:]
        return any(until in str(m.get("text", "")) for m in fresh)

    await sb.wait_for(answered, timeout=10)
    return str(sb.received(chat)[-1].get("text", ""))
