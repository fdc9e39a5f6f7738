"""`zhenggai demo`: the whole system on a local Bot API sandbox, and what every chat saw."""

from __future__ import annotations

import functools
import re
import shutil
import sys
import tempfile
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from bot.config import parse_config
from bot.demo_week import SimClock, play_week
from bot.runtime import Runtime
from bot.sample import ROUND, write_xlsx
from bot.sandbox import Sandbox, SimChat, SimUser

TOKEN = "1000001:DEMO-sandbox-token"
ADMIN_ID = 10001
CONTACT_ID = 20001
STRANGER_ID = 30001
UNIT = "县交通运输局"
TRANSFER = "/transfer R6-01-002 县纪委监委 超期10天未办理，问题线索由纪检监察机关再监督"
CODE_RE = re.compile(r"绑定码：([A-Z0-9-]+)")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DEMO_PHOTO = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 8  # stands in for a JPEG


def button_data(message: dict[str, Any], label: str) -> str:
    """The callback data of the button with this label."""
    rows = message.get("reply_markup", {}).get("inline_keyboard", [])
    for row in rows:
        for button in row:
            if button.get("text") == label:
                return str(button["callback_data"])
    raise RuntimeError(f"no button {label!r} on the bot's message")


async def _press(sb: Sandbox, user: SimUser, chat: SimChat, label: str) -> None:
    message = sb.received(chat)[-1]
    await _exchange(sb, chat, lambda: sb.press_button(user, message, button_data(message, label)))


async def _report(sb: Sandbox, contact: SimUser, dm: SimChat) -> None:
    """A contact reports by message: a quick report, a photo, figures, confirm."""
    say = functools.partial(sb.send_text, contact, dm)
    await _exchange(sb, dm, lambda: say("R6-01-005 专项资金1280万元已全部拨付到位"))
    await _press(sb, contact, dm, "补充照片或文件")
    await _exchange(sb, dm, lambda: sb.send_photo(contact, dm, DEMO_PHOTO, caption="拨付凭证"))
    await _press(sb, contact, dm, "完成")
    await _press(sb, contact, dm, "已完成，申请验收")
    for answer in ("1280", "2", "1"):
        await _exchange(sb, dm, functools.partial(say, answer))
    await _press(sb, contact, dm, "确认提交")


async def _quick(sb: Sandbox, contact: SimUser, dm: SimChat, text: str) -> None:
    """A quick report of progress: the code and a sentence, then two taps."""
    await _exchange(sb, dm, lambda: sb.send_text(contact, dm, text))
    await _press(sb, contact, dm, "持续推进")
    await _press(sb, contact, dm, "没有量化成果")
    await _press(sb, contact, dm, "确认提交")


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
            print("整改通演示：本地沙盒启动，导入台账，登记群，绑定联络员……", file=sys.stderr)
            ledger = write_xlsx(folder / "问题台账.xlsx", date.today())
            clock = SimClock()
            async with Runtime(config, clock=clock, poll_timeout=1) as runtime:
                chats = await _script(sb, ledger.read_bytes())
                contact = sb.user(CONTACT_ID, "李联络")
                contact_dm = sb.private_chat(contact)
                today = clock().astimezone(runtime.duties.settings.tz).date()

                admin = sb.user(ADMIN_ID, "王主任")
                office = chats[0]
                first_day = runtime.duties.calendar.next_workdays(today, 1)[0]

                async def week_day(day: date) -> None:
                    if day == first_day:  # the red list came at 09:00: hand one item over
                        await _exchange(sb, office, lambda: sb.send_text(admin, office, TRANSFER))
                    if day == runtime.duties.calendar.next_workdays(today, 2)[-1]:
                        await _quick(sb, contact, contact_dm, "R6-01-003 已召开专题会，正在整改")

                await play_week(runtime, clock, today + timedelta(days=1), week_day)
                await runtime.worker.drain()
            print(f"整改通演示：{len(chats)} 个对话（本地沙盒，未连接 Telegram）\n")
            for chat in chats:
                print(sb.format_transcript(chat))
                print()
            for path in _keep_charts(folder):
                print(f"挂图作战图：{path}")
            rejected = sb.rejected()
            print(f"沙盒拒绝的调用：{len(rejected)}")
            return 0 if not rejected else 1


def _keep_charts(folder: Path) -> list[Path]:
    """Copy the week's charts out of the demo's scratch folder, so they can be opened."""
    kept = []
    for chart in sorted((folder / "charts").glob("*.png")):
        target = Path(tempfile.gettempdir()) / f"zhenggai-demo-{chart.name}"
        shutil.copyfile(chart, target)
        kept.append(target)
    return kept


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
    await _press(sb, admin, admin_dm, "确认导入")
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
    await _exchange(sb, contact_dm, lambda: sb.send_text(contact, contact_dm, "李明 办公室主任"))
    await _exchange(sb, contact_dm, lambda: sb.send_text(contact, contact_dm, "/help"))
    await _exchange(sb, contact_dm, lambda: sb.send_text(contact, contact_dm, "/mine"))
    await _report(sb, contact, contact_dm)
    await _exchange(sb, contact_dm, lambda: sb.send_text(contact, contact_dm, "/problem R6-02-008"))
    # The office looks in private: a group takes 20 messages a minute, and the demo's week
    # is squeezed into a minute of real time.
    for command in ("/units", "/stats", "/overdue", "/problem R6-01-001"):
        await _exchange(sb, admin_dm, functools.partial(sb.send_text, admin, admin_dm, command))
    stranger_dm = sb.private_chat(stranger)
    await _exchange(sb, stranger_dm, lambda: sb.send_text(stranger, stranger_dm, f"/bind {code}"))
    return [office, unit_group, admin_dm, contact_dm, stranger_dm]
