"""Three replicas on one PostgreSQL database; the leader is SIGKILLed twice under load.

    .venv/bin/python bench/failover.py --database postgresql://…/empty_db
        [--replicas 3] [--kills 2] [--contacts 20] [--reports 60] [--units 250]

The bot runs as `--replicas` processes (`python -m bot run`) against the strict local
sandbox. Contacts file reports as people do (bench/crash.py's), the office sends a notice to
`--units` units (a group and a contact each: twice as many chats) and every contact presses
已阅 when it arrives, and the duty clock passes 18:00 (一日一小结). Meanwhile the leader (the
replica that polls and runs the duties) is killed with SIGKILL and a replacement started.

It prints: reports lost or doubled, receipts missing or doubled, chats whose notice was lost or
doubled, presses not answered, acknowledgements not recorded, daily summaries in the office
group (target 1), flood-limit violations, and for each kill the seconds until a new leader
polled Telegram (target < 10). `tests/e2e/test_failover.py` asserts on it.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any
from zoneinfo import ZoneInfo

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.crash import RECEIPT, Contact, Tally, buttons, drive, seed  # noqa: E402
from bot.clock import FAKE_NOW_ENV  # noqa: E402
from bot.cluster import LEADER_SPACE  # noqa: E402
from bot.sandbox import Sandbox  # noqa: E402
from bot.services.duties.runner import SINCE_KEY  # noqa: E402
from storage import chats, people, state, units  # noqa: E402
from storage.migrations import open_database  # noqa: E402

TOKEN = "424242:FAILOVER-bench-token"
ADMIN = 1
OFFICE_GROUP = -100_100
TZ = ZoneInfo("Asia/Shanghai")
# A Friday, half a minute before the daily summary (18:00): the duty clock has work to do.
START = datetime(2026, 11, 27, 17, 59, 30, tzinfo=TZ)
NOTICE = "请各单位于本周五前报送整改台账更新情况。"


@dataclass
class Fleet:
    """The replicas: each a `zhenggai run` with a send journal of its own."""

    folder: Path
    url: str
    started: float = field(default_factory=time.monotonic)
    procs: list[subprocess.Popen[bytes]] = field(default_factory=list)
    launched: int = 0

    def launch(self) -> None:
        n = self.launched = self.launched + 1
        config = self.folder / f"replica{n}.toml"
        config.write_text(
            "[telegram]\n"
            f'token = "{TOKEN}"\nbase_url = "{self.base_url}"\n'
            f'base_file_url = "{self.base_file_url}"\n'
            f'[storage]\nurl = "{self.url}"\njournal = "{self.folder / f"r{n}.sends.sqlite3"}"\n'
            f'evidence_dir = "{self.folder / "ev"}"\n'
            f"[office]\nadmins = [{ADMIN}]\n",
            encoding="utf-8",
        )
        now = START + timedelta(seconds=time.monotonic() - self.started)  # one clock for all
        with (self.folder / "replicas.err").open("ab") as err:
            self.procs.append(
                subprocess.Popen(
                    [sys.executable, "-m", "bot", "run", "--config", str(config)],
                    cwd=REPO,
                    env={**os.environ, FAKE_NOW_ENV: now.isoformat()},
                    stdout=subprocess.DEVNULL,
                    stderr=err,
                )
            )

    base_url: str = ""
    base_file_url: str = ""

    def stop(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()


async def leader_pid(url: str) -> int | None:
    """The process that holds the leader lock, by its connection's application_name."""
    import asyncpg

    conn = await asyncpg.connect(url)
    try:
        name = await conn.fetchval(
            "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid"
            " WHERE l.locktype = 'advisory' AND l.granted AND l.classid = $1",
            LEADER_SPACE,
        )
    finally:
        await conn.close()
    return int(str(name).split(":", 1)[1]) if name else None


async def seed_world(url: str, contacts: int, n_units: int) -> list[tuple[int, list[str]]]:
    """bench/crash.py's reporting contacts, then the notice's units and the office group."""
    reporters = await seed(url, contacts)
    db = await open_database(url)
    now = START
    async with db.transaction() as tx:
        admin = await people.upsert(tx, ADMIN, "王主任", None, now)
        await chats.remember(tx, OFFICE_GROUP, "supergroup", "巡察办工作群")
        await chats.register(tx, OFFICE_GROUP, "office", None, admin.id, now)
        for n in range(n_units):
            unit = await units.create(tx, f"第{n + 1}单位", now)
            group, contact = -200_000 - n, 300_000 + n
            await chats.remember(tx, group, "supergroup", f"第{n + 1}单位整改群")
            await chats.register(tx, group, "unit", unit.id, admin.id, now)
            person = await people.upsert(tx, contact, f"联络员{n + 1}", None, now)
            await people.grant(tx, person.id, "contact", unit.id, now, None, None)
            await chats.remember(tx, contact, "private", "")
        await state.put(tx, SINCE_KEY, now.isoformat())  # duties from the start on
    await db.close()
    return reporters


def notices_in(sb: Sandbox, chat: int) -> list[dict[str, Any]]:
    return [m for m in sb.received(chat) if "【通知】" in str(m.get("text") or m.get("caption"))]


async def acknowledge(sb: Sandbox, contacts: list[int], until: asyncio.Event) -> list[str]:
    """Each contact presses 已阅 once its notice arrives; the query ids, to check answers."""
    waiting, queries = set(contacts), []
    while waiting and not until.is_set():
        for contact in sorted(waiting):
            got = notices_in(sb, contact)
            if got:
                user = sb.user(contact, "联络员")
                queries.append(sb.press_button(user, got[0], buttons(got[0])["已阅"])["id"])
                waiting.discard(contact)
        await asyncio.sleep(0.5)
    return queries


async def send_notice(sb: Sandbox) -> None:
    admin = sb.user(ADMIN, "王主任")
    dm = sb.private_chat(admin)
    sb.send_text(admin, dm, f"/notice {NOTICE}")
    for label in ("全部单位",):
        while True:
            shown = [m for m in sb.received(dm) if label in buttons(m)]
            if shown:
                sb.press_button(admin, shown[-1], buttons(shown[-1])[label])
                break
            await asyncio.sleep(0.2)


async def run(
    database: str,
    *,
    replicas: int = 3,
    kills: int = 2,
    contacts: int = 20,
    reports: int = 60,
    n_units: int = 250,
    seed_: int = 1,
) -> dict[str, Any]:
    rng = random.Random(seed_)
    with TemporaryDirectory() as tmp:
        folder = Path(tmp)
        async with Sandbox(token=TOKEN, strict=True) as sb:
            reporters = await seed_world(database, contacts, n_units)
            for n in range(n_units):
                sb.group(-200_000 - n, f"第{n + 1}单位整改群")
                sb.private_chat(sb.user(300_000 + n, f"联络员{n + 1}"))
            sb.group(OFFICE_GROUP, "巡察办工作群")
            fleet = Fleet(folder, database, base_url=sb.base_url, base_file_url=sb.base_file_url)
            for _ in range(replicas):
                fleet.launch()
            tally = Tally()
            crowd = [
                Contact(sb, sb.user(uid, f"联络员{uid - 70_000}"), codes, tally)
                for uid, codes in reporters
            ]
            started = time.monotonic()
            await sb.wait_for(lambda: bool(sb.calls("getUpdates")), timeout=60)
            await send_notice(sb)
            done = asyncio.Event()
            targets = [300_000 + n for n in range(n_units)]
            acks = asyncio.create_task(acknowledge(sb, targets, done))
            gaps: list[float] = []
            kills_at: list[float] = []

            async def kill_leaders() -> None:
                for k in range(kills):
                    await asyncio.sleep(rng.uniform(8, 15) if k == 0 else rng.uniform(15, 25))
                    pid = await leader_pid(database)
                    proc = next((p for p in fleet.procs if p.pid == pid), None)
                    if proc is None:
                        continue
                    killed_at = time.monotonic()
                    kills_at.append(round(killed_at - started, 1))
                    os.kill(proc.pid, signal.SIGKILL)
                    await asyncio.to_thread(proc.wait)
                    fleet.launch()  # a replacement, as a supervisor would start one
                    await sb.wait_for(
                        lambda at=killed_at: any(c.at > at for c in sb.calls("getUpdates")),
                        timeout=60,
                    )
                    first = min(c.at for c in sb.calls("getUpdates") if c.at > killed_at)
                    gaps.append(round(first - killed_at, 1))

            chaos = asyncio.create_task(kill_leaders())
            per_contact = max(1, reports // max(contacts, 1))
            await asyncio.gather(*(drive(c, per_contact) for c in crowd))
            await chaos
            everything = [c for n in range(n_units) for c in (-200_000 - n, 300_000 + n)]
            with_notice = lambda: all(notices_in(sb, c) for c in everything)  # noqa: E731
            with contextlib.suppress(TimeoutError):
                await sb.wait_for(with_notice, timeout=180)
            await asyncio.sleep(5)
            done.set()
            queries = await acks
            with contextlib.suppress(TimeoutError):
                await sb.wait_for(
                    lambda: all(sb.callback_answer(q) is not None for q in queries), timeout=60
                )
            await sb.wait_for(lambda: any_summary(sb) >= 1, timeout=90)
            await asyncio.sleep(3)  # a second summary, if any replica were to send one
            elapsed = time.monotonic() - started
            fleet.stop()
            for c in crowd:
                for m in sb.received(c.dm):
                    found = RECEIPT.search(str(m.get("text", "")))
                    if found:
                        tally.receipts[found.group(1)] += 1
            per_chat = Counter({c: len(notices_in(sb, c)) for c in everything})
            unanswered = sum(1 for q in queries if sb.callback_answer(q) is None)
            summaries = any_summary(sb)
            violations = [
                (v.rule, v.chat_id, round(v.at - started, 1)) for v in sb.flood_violations
            ]
        db = await open_database(database)
        try:
            texts = Counter(str(r[0]) for r in await db.fetchall("SELECT text FROM reports"))
            numbers = [str(r[0]) for r in await db.fetchall("SELECT number FROM reports")]
            acked = int(await db.scalar("SELECT COUNT(*) FROM notice_receipts"))
            failed = int(await db.scalar("SELECT COUNT(*) FROM inbox WHERE status != 'done'"))
            uncertain = int(
                await db.scalar("SELECT COUNT(*) FROM outbox WHERE status = 'uncertain'")
            )
        finally:
            await db.close()
    return {
        "replicas": replicas,
        "reports confirmed by contacts": len(tally.confirmed),
        "reports lost": sum(1 for t in tally.confirmed if texts[t] == 0),
        "reports doubled": sum(n - 1 for n in texts.values() if n > 1),
        "receipts missing": sum(1 for n in numbers if tally.receipts[n] == 0),
        "receipts doubled": sum(n - 1 for n in tally.receipts.values() if n > 1),
        "notice chats": len(everything),
        "notice chats missing it": sum(1 for n in per_chat.values() if n == 0),
        "notice chats with it twice": sum(1 for n in per_chat.values() if n > 1),
        "presses": len(queries),
        "presses unanswered": unanswered,
        "acknowledgements recorded": acked,
        "updates not done": failed,
        "daily summaries in the office group": summaries,
        "flood-limit violations": len(violations),
        "  which (rule, chat, second)": violations,
        "sends marked uncertain": uncertain,
        "seconds to a new leader's poll": gaps,
        "kills at second": kills_at,
        "seconds": round(elapsed),
    }


def any_summary(sb: Sandbox) -> int:
    return sum("【一日一小结】" in str(m.get("text", "")) for m in sb.received(OFFICE_GROUP))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", required=True, help="an empty PostgreSQL database's URL")
    parser.add_argument("--replicas", type=int, default=3)
    parser.add_argument("--kills", type=int, default=2)
    parser.add_argument("--contacts", type=int, default=20)
    parser.add_argument("--reports", type=int, default=60)
    parser.add_argument("--units", type=int, default=250)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    result = asyncio.run(
        run(
            args.database,
            replicas=args.replicas,
            kills=args.kills,
            contacts=args.contacts,
            reports=args.reports,
            n_units=args.units,
            seed_=args.seed,
        )
    )
    width = max(len(k) for k in result)
    for key, value in result.items():
        print(f"{key:<{width}}  {value}")


if __name__ == "__main__":
    main()
