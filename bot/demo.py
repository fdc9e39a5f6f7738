"""`zhenggai demo`: the whole system on a local Bot API sandbox, and what every chat saw."""

from __future__ import annotations

import functools
import re
import tempfile
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from bot.config import parse_config
from bot.runtime import Runtime
from bot.sample import ROUND, write_xlsx
from bot.sandbox import Sandbox, SimChat

TOKEN = "1000001:DEMO-sandbox-token"
ADMIN_ID = 10001
CONTACT_ID = 20001
STRANGER_ID = 30001
UNIT = "县交通运输局"
CODE_RE = re.compile(r"绑定码：([A-Z0-9-]+)")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def preview_ok(message: dict[str, Any]) -> str:
    """The callback data of the preview's 确认导入 button."""
    rows = message.get("reply_markup", {}).get("inline_keyboard", [])
    for row in rows:
        for button in row:
            if button.get("text") == "确认导入":
                return str(button["callback_data"])
    raise RuntimeError("the import preview has no confirm button")


async def _exchange(sb: Sandbox, chat: SimChat, act: Callable[[], Any], replies: int = 1) -> None:
    """Act as a user and wait until the bot has answered in that chat."""
    before = len(sb.received(chat))
    act()
    await sb.wait_for(lambda: len(sb.received(chat)) >= before + replies, timeout=15)


async def run_demo(keep: Path | None = None) -> int:
    with tempfile.TemporaryDirectory(prefix="zhenggai-demo-") as scratch:
        folder = keep or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        async with Sandbox(token=TOKEN, strict=True) as sb:
            config = parse_config(
                {
                    "telegram": {
                        "token": TOKEN,
                        "base_url": sb.base_url,
                        "base_file_url": sb.base_file_url,
                    },
                    "storage": {
                        "path": str(folder / "demo.sqlite3"),
                        "evidence_dir": str(folder / "evidence"),
                    },
                    "office": {"admins": [ADMIN_ID]},
                },
                "demo",
            )
            ledger = write_xlsx(folder / "问题台账.xlsx", date.today())
            async with Runtime(config, poll_timeout=1) as runtime:
                chats = await _script(sb, ledger.read_bytes())
                await runtime.worker.drain()
            print(f"整改通演示：{len(chats)} 个对话（本地沙盒，未连接 Telegram）\n")
            for chat in chats:
                print(sb.format_transcript(chat))
                print()
            rejected = sb.rejected()
            print(f"沙盒拒绝的调用：{len(rejected)}")
            return 0 if not rejected else 1


async def _script(sb: Sandbox, ledger: bytes) -> list[SimChat]:
    """The office's first day: import the ledger, register groups, bind a contact, look."""
    admin = sb.user(ADMIN_ID, "王主任")
    contact = sb.user(CONTACT_ID, "李联络")
    stranger = sb.user(STRANGER_ID, "张三")
    admin_dm, contact_dm = sb.private_chat(admin), sb.private_chat(contact)
    office = sb.group(-1001000001, "县委巡察办工作群")
    unit_group = sb.group(-1001000002, "县交通运输局整改群")

    await _exchange(sb, admin_dm, lambda: sb.send_text(admin, admin_dm, "/start"))
    await _exchange(sb, admin_dm, lambda: sb.send_text(admin, admin_dm, f"/import {ROUND}"))
    await _exchange(
        sb, admin_dm, lambda: sb.send_document(admin, admin_dm, ledger, "问题台账.xlsx", XLSX)
    )
    preview = sb.received(admin_dm)[-1]
    await _exchange(sb, admin_dm, lambda: sb.press_button(admin, preview, preview_ok(preview)))
    await _exchange(sb, office, lambda: sb.send_text(stranger, office, "/setgroup office"))
    await _exchange(sb, office, lambda: sb.send_text(admin, office, "/setgroup office"))
    await _exchange(
        sb, unit_group, lambda: sb.send_text(admin, unit_group, f"/setgroup unit {UNIT}")
    )
    await _exchange(sb, admin_dm, lambda: sb.send_text(admin, admin_dm, f"/code {UNIT}"))
    found = CODE_RE.search(sb.received(admin_dm)[-1].get("text", ""))
    if found is None:
        raise RuntimeError("the bot did not issue a code")
    code = found.group(1)
    await _exchange(sb, contact_dm, lambda: sb.send_text(contact, contact_dm, "/start"))
    await _exchange(
        sb, contact_dm, lambda: sb.send_text(contact, contact_dm, "/bind WXYZ-2345-6789")
    )
    await _exchange(sb, contact_dm, lambda: sb.send_text(contact, contact_dm, f"/bind {code}"))
    await _exchange(sb, contact_dm, lambda: sb.send_text(contact, contact_dm, "/help"))
    await _exchange(sb, contact_dm, lambda: sb.send_text(contact, contact_dm, "/unit"))
    await _exchange(sb, contact_dm, lambda: sb.send_text(contact, contact_dm, "/problem R6-02-008"))
    for command in ("/units", "/stats", "/overdue", "/problem R6-01-001"):
        await _exchange(sb, office, functools.partial(sb.send_text, admin, office, command))
    stranger_dm = sb.private_chat(stranger)
    await _exchange(sb, stranger_dm, lambda: sb.send_text(stranger, stranger_dm, f"/bind {code}"))
    return [office, unit_group, admin_dm, contact_dm, stranger_dm]
