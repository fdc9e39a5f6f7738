"""SIGKILL the bot at random moments while contacts report; count what went wrong.

    .venv/bin/python bench/crash.py [--contacts 50] [--reports 1000] [--kills 10] [--seed 1]
        [--database postgresql://…]   (an empty database; default: a SQLite file of its own)

The bot runs as a subprocess (`python -m bot run`) against the strict local sandbox, which
plays the contacts: each files reports as a person does (a quick report, 持续推进, 没有量化成果,
确认提交) and waits for the bot's answer at each step; a contact who waits in vain for long asks
again with /report, as a person would. Meanwhile the bot is killed with SIGKILL at random
moments and started again at once. At the end it prints reports lost (confirmed but not in
the ledger), reports doubled, receipts missing (a report in the ledger whose receipt never
reached its contact), receipts doubled, and flood-limit violations (429s the sandbox gave
because the bot sent too fast). Target: all 0.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import signal
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bot.sandbox import Sandbox, SimChat, SimUser  # noqa: E402
from bot.services import binding  # noqa: E402
from bot.services.duties.runner import SINCE_KEY  # noqa: E402
from bot.services.ledger.importer import apply_import  # noqa: E402
from bot.services.ledger.rows import LedgerRow  # noqa: E402
from storage import chats, state, units  # noqa: E402
from storage.migrations import open_database  # noqa: E402

TOKEN = "424242:CRASH-bench-token"
PER_UNIT = 5  # contacts per unit
PROBLEMS = 4  # problems per unit
STEP_WAIT = 25.0  # seconds a contact waits for an answer before asking again
RECEIPT = re.compile(r"报告编号：(\S+)\n问题：(\S+)")


@dataclass
class Tally:
    confirmed: list[str] = field(default_factory=list)  # texts of reports the user submitted
    receipts: Counter[str] = field(default_factory=Counter)  # receipt numbers users received
    nudges: int = 0  # times a contact asked again after waiting in vain


def write_config(sb: Sandbox, folder: Path, database: str | Path) -> Path:
    path = folder / "config.toml"
    where = (
        f'url = "{database}"\njournal = "{folder / "bench.sends.sqlite3"}"\n'
        if isinstance(database, str)
        else f'path = "{database}"\n'
    )
    path.write_text(
        "[telegram]\n"
        f'token = "{TOKEN}"\nbase_url = "{sb.base_url}"\nbase_file_url = "{sb.base_file_url}"\n'
        f'[storage]\n{where}evidence_dir = "{folder / "ev"}"\n'
        "[office]\nadmins = [1]\n",
        encoding="utf-8",
    )
    return path


async def seed(db_path: str | Path, contacts: int) -> list[tuple[int, list[str]]]:
    """Units, their problems and bound contacts; returns (user id, codes) per contact."""
    db = await open_database(db_path)
    now = datetime.now(UTC)
    units_needed = -(-contacts // PER_UNIT)
    rows = [
        LedgerRow(
            row=2 + u * PROBLEMS + p,
            round_name=None,
            code=f"C{u:02d}-{p:03d}",
            unit=f"测试单位{u:02d}",
            category="作风建设",
            description=f"测试单位{u:02d}的问题{p}",
            measures="整改",
            leader_name="甲",
            owner_name="乙",
            deadline=date.today() + timedelta(days=90),
            kind="deadline",
        )
        for u in range(units_needed)
        for p in range(PROBLEMS)
    ]
    people = []
    async with db.transaction() as tx:
        await apply_import(tx, rows, "压力测试轮", by=None, by_label="bench", at=now)
        await state.put(tx, SINCE_KEY, (now + timedelta(days=30)).isoformat())  # no duties
        issued = []
        for c in range(contacts):
            unit = await units.by_name(tx, f"测试单位{c // PER_UNIT:02d}")
            code = await binding.issue(
                tx, "contact", unit, by=None, by_label="bench", at=now, ttl=timedelta(hours=1)
            )
            issued.append(code.code)
            await chats.remember(tx, 70_000 + c, "private", f"联络员{c}")
    for c, code in enumerate(issued):
        await binding.bind(db, 70_000 + c, f"联络员{c}", None, code, now)
        codes = [f"C{c // PER_UNIT:02d}-{p:03d}" for p in range(PROBLEMS)]
        people.append((70_000 + c, codes))
    await db.close()
    return people


def buttons(message: dict[str, Any]) -> dict[str, str]:
    markup = message.get("reply_markup") or {}
    return {b["text"]: b["callback_data"] for r in markup.get("inline_keyboard", []) for b in r}


class Contact:
    """A contact as a person: acts, then reads what the bot says after that."""

    def __init__(self, sb: Sandbox, user: SimUser, codes: list[str], tally: Tally) -> None:
        self.sb, self.user, self.codes, self.tally = sb, user, codes, tally
        self.dm: SimChat = sb.private_chat(user)
        self.mark = 0  # how many of the bot's messages were there at the last action
        self.receipts_seen = 0

    def _act(self) -> None:
        self.mark = len(self.sb.received(self.dm))

    async def _wait(self, label: str) -> dict[str, Any] | None:
        """The bot's newest answer (since the last action) that shows this button.

        If the bot asks which draft a message belongs to, it starts the new one; if nothing
        comes for a while, it asks again with /report, as a person would.
        """
        for _attempt in range(4):
            deadline = time.monotonic() + STEP_WAIT
            while time.monotonic() < deadline:
                for message in reversed(self.sb.received(self.dm)[self.mark :]):
                    shown = buttons(message)
                    if label in shown:
                        return message
                    choice = next((b for b in shown if b.startswith("另起一份")), None)
                    if choice is not None:
                        self._act()
                        self.sb.press_button(self.user, message, shown[choice])
                        break
                await asyncio.sleep(0.2)
            self.tally.nudges += 1
            self._act()
            self.sb.send_text(self.user, self.dm, "/report")
        return None

    async def _press(self, label: str) -> bool:
        message = await self._wait(label)
        if message is None:
            return False
        self._act()
        try:
            self.sb.press_button(self.user, message, buttons(message)[label])
        except Exception:  # the keyboard changed under the finger: look again
            return await self._press(label)
        return True

    async def report(self, n: int) -> None:
        code = self.codes[n % len(self.codes)]
        text = f"进展 u{self.user.id} r{n}"
        self._act()
        self.sb.send_text(self.user, self.dm, f"{code} {text}")
        for label in ("持续推进", "没有量化成果"):
            if not await self._press(label):
                return
        if not await self._press("确认提交"):
            return
        self.tally.confirmed.append(text)
        deadline = time.monotonic() + STEP_WAIT
        while time.monotonic() < deadline:  # the receipt, or move on (counted at the end)
            if self._receipts() > self.receipts_seen:
                break
            await asyncio.sleep(0.2)
        self.receipts_seen = self._receipts()

    def _receipts(self) -> int:
        return sum("报告编号" in str(m.get("text", "")) for m in self.sb.received(self.dm))


async def drive(contact: Contact, reports: int) -> None:
    for n in range(reports):
        await contact.report(n)


async def killer(
    start: Any, kills: int, duration: float, rng: random.Random, log: list[float]
) -> None:
    """SIGKILL the running bot at `kills` random moments within `duration` seconds."""
    began = time.monotonic()
    moments = sorted(rng.uniform(5, duration) for _ in range(kills))
    for moment in moments:
        await asyncio.sleep(max(0.0, began + moment - time.monotonic()))
        proc = start.current
        os.kill(proc.pid, signal.SIGKILL)
        await asyncio.to_thread(proc.wait)
        log.append(time.monotonic() - began)
        start.launch()


class Bot:
    def __init__(self, config: Path, errors: Path) -> None:
        self.config, self.errors = config, errors
        self.current: Any = None
        self.launch()

    def launch(self) -> None:
        import subprocess

        with self.errors.open("ab") as err:
            self.current = subprocess.Popen(
                [sys.executable, "-m", "bot", "run", "--config", str(self.config)],
                cwd=REPO,
                stdout=subprocess.DEVNULL,
                stderr=err,
            )

    def stop(self) -> None:
        self.current.send_signal(signal.SIGTERM)
        self.current.wait(30)


async def count(db_path: str | Path, sql: str) -> list[tuple[Any, ...]]:
    db = await open_database(db_path)
    try:
        return [tuple(r) for r in await db.fetchall(sql)]
    finally:
        await db.close()


async def run(
    contacts: int, reports: int, kills: int, seed_: int, database: str | None = None
) -> dict[str, int]:
    """`database`: a PostgreSQL URL of an empty database; None: a SQLite file of its own."""
    rng = random.Random(seed_)
    per_contact = reports // contacts
    with TemporaryDirectory() as tmp:
        folder = Path(tmp)
        async with Sandbox(token=TOKEN, strict=True) as sb:
            db_path: str | Path = database or folder / "bench.sqlite3"
            config = write_config(sb, folder, db_path)
            people = await seed(db_path, contacts)
            tally = Tally()
            bot = Bot(config, folder / "bot.err")
            killed: list[float] = []
            started = time.monotonic()
            crowd = [
                Contact(sb, sb.user(uid, f"联络员{uid - 70_000}"), codes, tally)
                for uid, codes in people
            ]
            # Roughly how long the load takes: four sends a report, paced per chat and overall.
            expected = max(per_contact * 4 * 1.1, reports * 4 / 28)
            chaos = asyncio.create_task(killer(bot, kills, expected, rng, killed))
            await asyncio.gather(*(drive(c, per_contact) for c in crowd))
            await chaos
            await asyncio.sleep(STEP_WAIT)  # let the last receipts arrive
            elapsed = time.monotonic() - started
            bot.stop()
            for c in crowd:
                for m in sb.received(c.dm):
                    found = RECEIPT.search(str(m.get("text", "")))
                    if found:
                        tally.receipts[found.group(1)] += 1
            violations = len(sb.flood_violations)
            rules = Counter(v.rule for v in sb.flood_violations)
        texts = Counter(str(r[0]) for r in await count(db_path, "SELECT text FROM reports"))
        numbers = [str(r[0]) for r in await count(db_path, "SELECT number FROM reports")]
        uncertain = (
            await count(db_path, "SELECT COUNT(*) FROM outbox WHERE status = 'uncertain'")
        )[0][0]
    result = {
        "reports confirmed by contacts": len(tally.confirmed),
        "reports in the ledger": sum(texts.values()),
        "reports lost": sum(1 for t in tally.confirmed if texts[t] == 0),
        "reports doubled": sum(n - 1 for n in texts.values() if n > 1),
        "receipts missing": sum(1 for n in numbers if tally.receipts[n] == 0),
        "receipts doubled": sum(n - 1 for n in tally.receipts.values() if n > 1),
        "flood-limit violations": violations,
        **{f"  of them by the {rule} limit": n for rule, n in sorted(rules.items())},
        "sends marked uncertain": int(uncertain),
        "contacts who had to ask again": tally.nudges,
        "kills": len(killed),
        "seconds": round(elapsed),
    }
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--contacts", type=int, default=50)
    parser.add_argument("--reports", type=int, default=1000)
    parser.add_argument("--kills", type=int, default=10)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database", default=None, help="an empty PostgreSQL database's URL")
    args = parser.parse_args()
    result = asyncio.run(run(args.contacts, args.reports, args.kills, args.seed, args.database))
    width = max(len(k) for k in result)
    for key, value in result.items():
        print(f"{key:<{width}}  {value}")


if __name__ == "__main__":
    main()
