"""The live half of bench/scale.py: the real bot (`python -m bot run`) on the big database,
against the local Bot API sandbox in this process, which plays the users.

Users' times are taken here, outside the bot: from the moment a user's message is queued in
the sandbox to the moment the sandbox receives the bot's answer, so a bot whose event loop
is blocked shows it in full.
"""

from __future__ import annotations

import asyncio
import math
import os
import resource
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from bench.scale_data import ADMIN_BASE, CONTACT_BASE, TICK_AT
from bot.clock import FAKE_NOW_ENV
from bot.sandbox import Sandbox, SimChat, SimUser
from bot.services.duties.runner import SINCE_KEY

REPO = Path(__file__).resolve().parents[1]
TOKEN = "777001:SCALE-bench-token"
USERS = 20  # people asking the bot something while the tick runs
ASK_TIMEOUT = 120.0  # a user who waits longer than this counts as never answered
PAUSE = 1.5  # between an answer and the next question: slower than the 1/s a chat is paced at
TAIL = 5.0  # seconds users go on asking after the tick has queued its messages
WINDOW_MAX = 120.0
IDLE_WINDOW = 30.0  # how long users ask a bot that owes nothing
STARTUP_TARGET = 2.0


@dataclass
class Asker:
    """A user who asks again and again: contacts /mine, admins /help."""

    user: SimUser
    chat: SimChat
    command: str
    marker: str  # the answer's first part holds this
    times: list[float] = field(default_factory=list)
    unanswered: int = 0


def write_config(sb: Sandbox, db_path: Path) -> Path:
    path = db_path.parent / "config.toml"
    path.write_text(
        "[telegram]\n"
        f'token = "{TOKEN}"\nbase_url = "{sb.base_url}"\nbase_file_url = "{sb.base_file_url}"\n'
        f'[storage]\npath = "{db_path}"\nevidence_dir = "{db_path.parent / "ev"}"\n'
        f"[office]\nadmins = [{ADMIN_BASE}]\n",
        encoding="utf-8",
    )
    return path


def populate(sb: Sandbox, db_path: Path, since: datetime) -> None:
    """Every person's private chat and every group the database knows, in the sandbox too,
    so what the bot sends is delivered (not refused as to an unknown chat)."""
    with sqlite3.connect(db_path) as conn:
        conn.execute(
            "INSERT OR REPLACE INTO bot_state (key, value) VALUES (?, ?)",
            (SINCE_KEY, since.isoformat()),
        )
        for tg_user_id, name in conn.execute("SELECT tg_user_id, name FROM people"):
            sb.private_chat(sb.user(int(tg_user_id), str(name) or "用户"))
        for chat_id, title in conn.execute(
            "SELECT chat_id, title FROM chats WHERE type != 'private'"
        ):
            sb.group(int(chat_id), str(title))
    conn.close()


class Bot:
    """`python -m bot run` with the clock pinned; stopped with SIGINT as an operator would."""

    def __init__(self, config: Path, moment: datetime) -> None:
        env = {**os.environ, FAKE_NOW_ENV: moment.isoformat(), "PYTHONPATH": str(REPO)}
        self.errors = config.parent / "bot.err"
        self.started = time.monotonic()
        with self.errors.open("wb") as err:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "bot", "run", "--config", str(config)],
                cwd=REPO,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=err,
            )

    def stop(self) -> float:
        """Stop the bot and return its peak memory in MB."""
        self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024

    def last_error(self) -> str:
        lines = self.errors.read_text(encoding="utf-8", errors="replace").strip().splitlines()
        return lines[-1][:70] if lines else "no output"


async def first_poll(sb: Sandbox, bot: Bot, within: float = 120.0) -> float | None:
    """Seconds from the bot's start to its first getUpdates, or None."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline and bot.proc.poll() is None:
        calls = sb.calls("getUpdates")
        if calls:
            return calls[0].at - bot.started
        await asyncio.sleep(0.01)
    return None


def _answer_after(sb: Sandbox, asker: Asker, mark: int) -> bool:
    return any(asker.marker in str(m.get("text", "")) for m in sb.received(asker.chat)[mark:])


async def ask_until(sb: Sandbox, asker: Asker, stop: asyncio.Event) -> None:
    while not stop.is_set():
        mark = len(sb.received(asker.chat))
        asked = time.monotonic()
        sb.send_text(asker.user, asker.chat, asker.command)
        while not _answer_after(sb, asker, mark):
            if time.monotonic() - asked > ASK_TIMEOUT:
                asker.unanswered += 1
                break
            await asyncio.sleep(0.01)
        else:
            asker.times.append(time.monotonic() - asked)
        await asyncio.sleep(PAUSE)


def outbox_size(db_path: Path) -> int:
    with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=30) as conn:
        found = int(conn.execute("SELECT COUNT(*) FROM outbox").fetchone()[0])
    conn.close()
    return found


async def until_tick_done(db_path: Path, began: float) -> float | None:
    """Seconds until the tick's messages are in the outbox (it commits them at once)."""
    while time.monotonic() - began < WINDOW_MAX:
        if await asyncio.to_thread(outbox_size, db_path) > 0:
            return time.monotonic() - began
        await asyncio.sleep(0.25)
    return None


def askers(sb: Sandbox, db_path: Path) -> list[Asker]:
    with sqlite3.connect(db_path) as conn:
        admins = conn.execute(
            "SELECT tg_user_id FROM people WHERE tg_user_id >= ? AND tg_user_id < ? LIMIT 10",
            (ADMIN_BASE, ADMIN_BASE + 100_000),
        ).fetchall()
        contacts = conn.execute(
            "SELECT tg_user_id FROM people WHERE tg_user_id >= ? ORDER BY tg_user_id LIMIT ?",
            (CONTACT_BASE, USERS - len(admins)),
        ).fetchall()
    conn.close()
    found = []
    for (uid,) in admins:
        user = sb.user(int(uid), "管理员")
        found.append(Asker(user, sb.private_chat(user), "/help", "可用命令"))
    for (uid,) in contacts:
        user = sb.user(int(uid), "联络员")
        found.append(Asker(user, sb.private_chat(user), "/mine", "未销号的问题"))
    return found


def quantile(values: list[float], q: float) -> float:
    """The q-quantile, nearest rank (an unanswered request's inf stays inf)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))]


async def replies_during_tick(db_path: Path, since: datetime) -> list[dict[str, Any]]:
    """Users ask while the first tick (a week owed) runs; their answers' times."""
    return await _replies(db_path, since, "reply during the first tick", None)


async def replies_nothing_owed(db_path: Path) -> list[dict[str, Any]]:
    """The same users for IDLE_WINDOW seconds on a bot that owes nothing: the baseline."""
    moment = TICK_AT + timedelta(days=30)
    return await _replies(db_path, moment, "reply, nothing owed", IDLE_WINDOW)


async def _replies(
    db_path: Path, since: datetime, label: str, window_s: float | None
) -> list[dict[str, Any]]:
    async with Sandbox(token=TOKEN, strict=True) as sb:
        populate(sb, db_path, since)
        crowd = askers(sb, db_path)
        bot = Bot(write_config(sb, db_path), TICK_AT)
        polled = await first_poll(sb, bot)
        if polled is None:
            bot.stop()
            return [_failed(label, bot)]
        began = time.monotonic()
        stop = asyncio.Event()
        users = [asyncio.create_task(ask_until(sb, a, stop)) for a in crowd]
        if window_s is None:
            tick_s = await until_tick_done(db_path, bot.started)
            await asyncio.sleep(TAIL)
        else:
            tick_s = None
            await asyncio.sleep(window_s)
        stop.set()
        await asyncio.gather(*users)
        window = time.monotonic() - began
        sent = len(sb.calls("sendMessage"))
        rss = bot.stop()
    times = [t for a in crowd for t in a.times]
    none = sum(a.unanswered for a in crowd)
    waits = times + [float("inf")] * none  # never answered: longer than any answer
    p50, p99 = quantile(waits, 0.5), quantile(waits, 0.99)
    if window_s is not None:
        ticked = "nothing owed"
    else:
        ticked = f"{tick_s:.1f} s" if tick_s is not None else f"not within {WINDOW_MAX:.0f} s"
    return [
        {
            "label": label,
            "figure": f"p50 {p50:.2f} s, p99 {p99:.2f} s, max {max(times, default=0):.1f} s",
            "target": "p99 ≤ 1 s",
            "ok": p99 <= 1,
            "rss": rss,
        },
        {
            "label": "  answered, none, window",
            "figure": f"{len(times)} answered, {none} none, {window:.0f} s, {len(crowd)} users",
            "target": "",
            "ok": None,
        },
        {
            "label": "  outbox filled after start",
            "figure": f"{ticked}; {sent:,} sendMessage in the window",
            "target": "",
            "ok": None,
        },
    ]


async def start_up(db_path: Path) -> list[dict[str, Any]]:
    """From `python -m bot run` to its first getUpdates, with no duty owed."""
    async with Sandbox(token=TOKEN, strict=True) as sb:
        populate(sb, db_path, TICK_AT + timedelta(days=30))
        bot = Bot(write_config(sb, db_path), TICK_AT)
        polled = await first_poll(sb, bot)
        commands = 0
        for call in sb.calls():
            if call.method.lower() == "getupdates":
                break
            commands += call.method.lower() == "setmycommands"
        rss = bot.stop()
    if polled is None:
        return [_failed("start-up to first getUpdates", bot)]
    return [
        {
            "label": "start-up to first getUpdates",
            "figure": f"{polled:.2f} s, {commands:,} setMyCommands before it",
            "target": f"≤ {STARTUP_TARGET:.0f} s",
            "ok": polled <= STARTUP_TARGET,
            "rss": rss,
        }
    ]


def _failed(label: str, bot: Bot) -> dict[str, Any]:
    return {"label": label, "figure": f"FAILED: {bot.last_error()}", "target": "", "ok": False}
