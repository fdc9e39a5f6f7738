"""A province's ledger as a SQLite file, written straight through the migrated schema.

`build(path, size)` makes units, problems, reports, people with private chats, groups,
reviews, notices and an audit trail, spread around DAY so that every kind of duty is owed.
It writes with executemany on one plain sqlite3 connection: 50,000 problems and 500,000
reports take seconds, where the services' own paths would take an hour.
"""

from __future__ import annotations

import asyncio
import json
import random
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from storage.migrations import LATEST, open_database

# Bump when the data changes shape, so a cached file is rebuilt.
GENERATION = 3
TZ = ZoneInfo("Asia/Shanghai")
DAY = date(2026, 11, 27)  # a Friday: the weekly digest's day
TICK_AT = datetime.combine(DAY, time(9, 0), tzinfo=TZ)
WEEKLY_AT = datetime.combine(DAY, time(17, 0), tzinfo=TZ)
DAILY_AT = datetime.combine(DAY, time(18, 0), tzinfo=TZ)
OFFICE_CHAT = -1001000000001
LEADERS_CHAT = -1001000000002
ADMIN_BASE = 8_000_000
LEADER_BASE = 8_100_000
CONTACT_BASE = 9_000_000
ROUNDS = (
    "十四届省委第四轮巡视",
    "十四届省委第五轮巡视",
    "十四届省委第六轮巡视",
    "提级巡察",
    "回头看",
)
CATEGORIES = (
    "主体责任落实",
    "监督责任落实",
    "工作任务推进",
    "资金项目落实",
    "作风建设",
    "选人用人",
)
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "志明海燕晓东建国丽华文军秀英国强桂兰春梅红霞德胜玉珍"


@dataclass(frozen=True)
class Size:
    units: int
    problems: int
    reports: int
    admins: int = 20
    leaders: int = 20
    people: int = 2_000  # admins and leaders included; the rest are units' contacts
    group_share: float = 0.9  # units with a group of their own

    @property
    def label(self) -> str:
        return f"{self.units}u-{self.problems}p-{self.reports}r"


FULL = Size(units=1_000, problems=50_000, reports=500_000)
QUICK = Size(units=100, problems=5_000, reports=50_000, people=200, admins=5, leaders=5)


def cached(folder: Path, size: Size) -> Path:
    """The database for `size`, built once per schema version and generation."""
    path = folder / f"scale-{size.label}-s{LATEST}-g{GENERATION}.sqlite3"
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".partial")
        partial.unlink(missing_ok=True)
        build(partial, size)
        partial.rename(path)
    return path


def build(path: Path, size: Size) -> None:
    asyncio.run(_migrate(path))
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA synchronous = OFF")
        conn.execute("BEGIN")
        _fill(conn, size, random.Random(20261127))
        conn.execute("COMMIT")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.execute("PRAGMA journal_mode = DELETE")  # one file to copy
    finally:
        conn.close()


async def _migrate(path: Path) -> None:
    db = await open_database(path)
    await db.close()


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.choice((1, 2))))


def _deadline(rng: random.Random) -> date:
    """Spread so every duty is owed: due within the reminder window, due today, overdue
    (a fifth of them ten days or more: red), and a long tail in the future."""
    bucket = rng.choices(("window", "today", "late", "red", "later"), (10, 3, 15, 20, 52))[0]
    offset = {
        "window": lambda: rng.randint(1, 7),
        "today": lambda: 0,
        "late": lambda: -rng.randint(1, 9),
        "red": lambda: -rng.randint(10, 150),
        "later": lambda: rng.randint(8, 240),
    }[bucket]()
    return DAY + timedelta(days=offset)


def _fill(conn: sqlite3.Connection, size: Size, rng: random.Random) -> None:
    start = datetime.combine(DAY - timedelta(days=200), time(9), tzinfo=TZ)
    made = _iso(start)
    conn.executemany(
        "INSERT INTO rounds (id, name, created_at) VALUES (?, ?, ?)",
        [(i + 1, name, made) for i, name in enumerate(ROUNDS)],
    )
    conn.executemany(
        "INSERT INTO units (id, name, created_at) VALUES (?, ?, ?)",
        [(u, f"第{u:04d}号被巡察单位", made) for u in range(1, size.units + 1)],
    )
    contacts = _people(conn, size, rng, made)
    statuses = _problems(conn, size, rng, start)
    _reports(conn, size, rng, contacts, statuses)
    conn.execute(  # what storage.reports keeps on each problem as reports come in
        "UPDATE problems SET"
        " last_report_at = (SELECT MAX(created_at) FROM reports r"
        "   WHERE r.problem_id = problems.id AND r.withdrawn_at IS NULL),"
        " last_report_id = (SELECT MAX(id) FROM reports r"
        "   WHERE r.problem_id = problems.id AND r.withdrawn_at IS NULL)"
    )
    _reviews_and_audit(conn, size, rng, statuses)
    _notices(conn, size, rng, contacts)
    conn.execute(
        "INSERT INTO weekly_figures (period, total, closed, awaiting, created_at)"
        " VALUES ('2026-W47', ?, ?, ?, ?)",
        (size.problems - 40, int(size.problems * 0.28), int(size.problems * 0.1), made),
    )


def _people(
    conn: sqlite3.Connection, size: Size, rng: random.Random, made: str
) -> dict[int, list[int]]:
    """Admins, leaders and contacts (one to three a unit), each with an active private chat;
    groups for most units, the office's and the leaders'. Returns unit → contacts' person ids."""
    people: list[tuple[int, int, str, str, str]] = []
    roles: list[tuple[int, str, int | None, str]] = []
    contacts: dict[int, list[int]] = {}
    pid = 0
    for base, role, count in (
        (ADMIN_BASE, "admin", size.admins),
        (LEADER_BASE, "leader", size.leaders),
    ):
        for n in range(count):
            pid += 1
            people.append((pid, base + n, _name(rng), made, made))
            roles.append((pid, role, None, made))
    left = size.people - pid
    for n in range(left):
        pid += 1
        # Every unit gets one contact, then the rest go to random units.
        unit = n + 1 if n < size.units else rng.randint(1, size.units)
        people.append((pid, CONTACT_BASE + n, _name(rng), made, made))
        roles.append((pid, "contact", unit, made))
        contacts.setdefault(unit, []).append(pid)
    conn.executemany(
        "INSERT INTO people (id, tg_user_id, name, created_at, last_seen_at)"
        " VALUES (?, ?, ?, ?, ?)",
        people,
    )
    conn.executemany(  # who each is on Telegram (bot.dialogs find people by identity)
        "INSERT INTO identities (platform, user_id, person_id, linked_at)"
        " VALUES ('telegram', ?, ?, ?)",
        [(str(tg), pid, made_at) for pid, tg, _, made_at, _ in people],
    )
    conn.executemany(
        "INSERT INTO roles (person_id, role, unit_id, granted_at) VALUES (?, ?, ?, ?)", roles
    )
    chats = [(tg, "private", name, None, None) for _, tg, name, _, _ in people]
    chats += [
        (OFFICE_CHAT, "supergroup", "巡视办工作群", "office", None),
        (LEADERS_CHAT, "supergroup", "领导小组群", "leaders", None),
    ]
    grouped = rng.sample(range(1, size.units + 1), int(size.units * size.group_share))
    chats += [
        (unit_group(u), "supergroup", f"第{u:04d}号单位整改群", "unit", u) for u in sorted(grouped)
    ]
    conn.executemany(
        "INSERT INTO chats (chat_id, type, title, purpose, unit_id, registered_at)"
        f" VALUES (?, ?, ?, ?, ?, '{made}')",
        chats,
    )
    return contacts


def unit_group(unit: int) -> int:
    return -1002000000000 - unit


def _problems(
    conn: sqlite3.Connection, size: Size, rng: random.Random, start: datetime
) -> list[str]:
    """Returns each problem's status (index = id - 1)."""
    statuses: list[str] = []

    def rows() -> Iterator[tuple[object, ...]]:
        for pid in range(1, size.problems + 1):
            unit = (pid - 1) % size.units + 1
            round_id = rng.randint(1, len(ROUNDS))
            kind = rng.choices(("immediate", "deadline", "ongoing"), (10, 75, 15))[0]
            status = rng.choices(
                ("imported", "in_progress", "awaiting_acceptance", "closed"), (20, 40, 10, 30)
            )[0]
            statuses.append(status)
            deadline = None if kind == "ongoing" else _deadline(rng).isoformat()
            created = _iso(start + timedelta(days=rng.randint(0, 100)))
            closed = (
                _iso(start + timedelta(days=rng.randint(101, 199))) if status == "closed" else None
            )
            yield (
                pid,
                round_id,
                f"R{round_id}-{unit:04d}-{pid:06d}",
                unit,
                rng.choice(CATEGORIES),
                f"第{unit:04d}号单位{rng.choice(CATEGORIES)}方面存在的问题：专项资金拨付滞后，"
                f"相关制度执行不到位，台账记录不完整（第{pid}项）",
                "召开专题会议研究部署，建立整改台账，明确责任人和完成时限，举一反三完善制度",
                _name(rng),
                _name(rng),
                deadline,
                kind,
                status,
                created,
                closed or created,
                closed,
            )

    conn.executemany(
        "INSERT INTO problems (id, round_id, code, unit_id, category, description, measures,"
        " leader_name, owner_name, deadline, kind, status, created_at, updated_at, closed_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows(),
    )
    return statuses


def _reports(
    conn: sqlite3.Connection,
    size: Size,
    rng: random.Random,
    contacts: dict[int, list[int]],
    statuses: list[str],
) -> None:
    """Reports over the last three months, oldest first, on problems that were not silent."""
    span = 92 * 24 * 3600
    first = datetime.combine(DAY, time(8), tzinfo=TZ) - timedelta(seconds=span)
    moments = sorted(rng.randrange(span) for _ in range(size.reports))

    def rows() -> Iterator[tuple[object, ...]]:
        for n, second in enumerate(moments, start=1):
            pid = rng.randint(1, size.problems)
            unit = (pid - 1) % size.units + 1
            done = statuses[pid - 1] in ("awaiting_acceptance", "closed") and rng.random() < 0.2
            yield (
                n,
                f"ZG{n:07d}",
                pid,
                rng.choice(contacts[unit]),
                "completed" if done else "progress",
                f"已召开专题会议部署整改，完成第{n % 9 + 1}阶段工作，资金已拨付{n % 97}万元",
                rng.randint(0, 500) * 100 if done else None,
                rng.randint(0, 3) if done else None,
                rng.randint(0, 2) if done else None,
                "in_progress",
                "awaiting_acceptance" if done else "in_progress",
                _iso(first + timedelta(seconds=second)),
                _iso(first + timedelta(seconds=second + 600)) if n % 100 == 0 else None,
            )

    conn.executemany(
        "INSERT INTO reports (id, number, problem_id, person_id, claim, text, recovered_wan_x100,"
        " rules_count, accountable_count, status_before, status_after, created_at, withdrawn_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows(),
    )


def _reviews_and_audit(
    conn: sqlite3.Connection, size: Size, rng: random.Random, statuses: list[str]
) -> None:
    """An approval for each completed report of a closed problem; each in the audit log."""
    found = conn.execute(
        "SELECT r.id, r.problem_id, r.created_at FROM reports r JOIN problems p"
        " ON p.id = r.problem_id WHERE r.claim = 'completed' AND p.status = 'closed'"
    ).fetchall()
    reviews = [
        (problem, report, "approved", rng.randint(1, size.admins), at)
        for report, problem, at in found
    ]
    conn.executemany(
        "INSERT INTO reviews (problem_id, report_id, decision, reviewer_id, created_at)"
        " VALUES (?, ?, ?, ?, ?)",
        reviews,
    )
    trail = (
        (at, admin, "王主任", "review", "problem", problem, json.dumps({"status": "待验收"}))
        for problem, _, _, admin, at in reviews
    )
    conn.executemany(
        "INSERT INTO audit_log (at, actor_id, actor_label, action, entity, entity_id, after)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        trail,
    )


def _notices(
    conn: sqlite3.Connection, size: Size, rng: random.Random, contacts: dict[int, list[int]]
) -> None:
    """Three notices of the last fortnight, sent to every contact, some acknowledged."""
    for n in range(1, 4):
        sent = _iso(datetime.combine(DAY - timedelta(days=4 * n), time(10), tzinfo=TZ))
        conn.execute(
            "INSERT INTO notices (id, text, all_units, created_by, created_at, status, sent_at)"
            " VALUES (?, ?, 1, 1, ?, 'sent', ?)",
            (n, f"关于报送第{n}季度整改进展的通知：请各单位于本周内报送", sent, sent),
        )
        recipients = [(n, p, u) for u, people in contacts.items() for p in people]
        conn.executemany(
            "INSERT INTO notice_recipients (notice_id, person_id, unit_id) VALUES (?, ?, ?)",
            recipients,
        )
        conn.executemany(
            "INSERT INTO notice_receipts (notice_id, person_id, first_ack_at) VALUES (?, ?, ?)",
            [(n, p, sent) for _, p, _ in recipients if rng.random() < 0.7],
        )
