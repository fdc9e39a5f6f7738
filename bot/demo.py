"""`zhenggai demo`: the whole system on a local Bot API sandbox, and what every chat saw."""

from __future__ import annotations

import re
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.config import parse_config
from bot.runtime import Runtime
from bot.sandbox import Sandbox, SimChat
from storage import units

TOKEN = "1000001:DEMO-sandbox-token"
ADMIN_ID = 10001
CONTACT_ID = 20001
STRANGER_ID = 30001
UNIT = "县交通运输局"
CODE_RE = re.compile(r"绑定码：([A-Z0-9-]+)")


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
            async with Runtime(config, poll_timeout=1) as runtime:
                # The ledger import arrives with its own issue; until then the demo seeds a unit.
                async with runtime.db.transaction() as tx:
                    if await units.by_name(tx, UNIT) is None:
                        await units.create(tx, UNIT, datetime.now(UTC))
                chats = await _script(sb)
                await runtime.worker.drain()
            print(f"整改通演示：{len(chats)} 个对话（本地沙盒，未连接 Telegram）\n")
            for chat in chats:
                print(sb.format_transcript(chat))
                print()
            rejected = sb.rejected()
            print(f"沙盒拒绝的调用：{len(rejected)}")
            return 0 if not rejected else 1


async def _script(sb: Sandbox) -> list[SimChat]:
    """Bind a contact and register the groups, as an office would on its first day."""
    admin = sb.user(ADMIN_ID, "王主任")
    contact = sb.user(CONTACT_ID, "李联络")
    stranger = sb.user(STRANGER_ID, "张三")
    admin_dm, contact_dm = sb.private_chat(admin), sb.private_chat(contact)
    office = sb.group(-1001000001, "县委巡察办工作群")
    unit_group = sb.group(-1001000002, "县交通运输局整改群")

    await _exchange(sb, admin_dm, lambda: sb.send_text(admin, admin_dm, "/start"))
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
    stranger_dm = sb.private_chat(stranger)
    await _exchange(sb, stranger_dm, lambda: sb.send_text(stranger, stranger_dm, f"/bind {code}"))
    return [office, unit_group, admin_dm, contact_dm, stranger_dm]
