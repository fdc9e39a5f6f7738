"""`zhenggai db copy`: a county's SQLite file moved whole into an empty database, or not at all.

The source is always a SQLite file with a row in every table (the authorization tests' world,
then what it leaves empty); the target is the run's engine: a SQLite file, or a fresh
PostgreSQL database when ZHENGGAI_TEST_PG is set.
"""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.cli import _hidden
from bot.config import parse_config
from storage import audit, outbox, people, units
from storage import copy as copying
from storage.copy import KEYS, NOT_COPIED, TABLES, CopyError, copy_database
from storage.db import Database
from storage.migrations import LATEST, MIGRATIONS, migrate, open_database
from tests import dbs
from tests.conftest import ADMIN_ID, TOKEN
from tests.unit.test_authorization import _populate

REPO = Path(__file__).parents[2]
NOW = datetime(2026, 11, 27, 9, 30, tzinfo=UTC)


async def _fill_the_rest(db: Database) -> None:
    """A row or two in each table the authorization world leaves empty, as the bot writes
    them: a used and a burned code, a revoked role, a Feishu identity, a REAL timestamp…"""
    person = {r[1]: r[0] for r in await db.fetchall("SELECT id, tg_user_id FROM people")}
    admin, contact = person[ADMIN_ID], person[11]
    unit = await db.scalar("SELECT id FROM units ORDER BY id")
    problem, report = await db.fetchone("SELECT problem_id, id FROM reports") or (0, 0)
    ext = await db.scalar("SELECT id FROM extension_requests")
    notice = await db.scalar("SELECT id FROM notices")
    at = NOW.isoformat()
    # fmt: off
    rows: dict[str, list[tuple[Any, ...]]] = {
        "bind_codes (code_hash, role, unit_id, created_by, created_at, expires_at, used_at,"
        " used_by, burned_at)": [
            ("a" * 64, "contact", unit, admin, at, at, at, contact, None),
            ("b" * 64, "leader", None, None, at, at, None, None, at),
        ],
        "roles (person_id, role, unit_id, granted_at, granted_by, code_id, revoked_at,"
        " revoked_by)": [(contact, "leader", None, at, admin, 1, at, admin)],
        "identities (platform, user_id, person_id, linked_at)": [
            ("feishu", "ou_7d8a6e6df7621556ce0d21922b676706ccs", contact, at)
        ],
        "link_codes (code_hash, person_id, platform, created_at, expires_at, used_at, used_on)": [
            ("c" * 64, contact, "telegram", at, at, at, "feishu:ou_7d8a")
        ],
        "bind_failures (tg_user_id, at_ts, platform)": [
            (14, 1764235800.125, "telegram"),
            (14, 1764235801, "telegram"),  # an int: the REAL column keeps 1764235801.0
        ],
        "deadline_changes (problem_id, old_deadline, new_deadline, reason, changed_by,"
        " changed_at, extension_id)": [
            (problem, "2026-12-27", "2030-01-01", "汛期施工受限", admin, at, ext)
        ],
        "attachments (report_id, kind, file_id, file_unique_id, file_name, mime_type, size,"
        " sha256, local_path, note, created_at)": [
            (report, "photo", "AgAC-x", "AQAD-x", None, "image/jpeg", 48213, "f" * 64,
             "ev/1.jpg", None, at),
            (report, "document", "BQAC-y", "AgAD-y", "清退凭证.pdf", None, None, None, None,
             "文件过大，未下载", at),
        ],
        "report_drafts (person_id, problem_id, chat_id, step, data, shelved, updated_at)": [
            (contact, problem, 11, "figures", json.dumps({"text": ["已整改"]}), 1, at)
        ],
        "reviews (problem_id, report_id, extension_id, decision, reason, reviewer_id,"
        " created_at)": [(problem, report, None, "rejected", "佐证材料不全", admin, at)],
        "transfers (problem_id, to_whom, note, by_person_id, by_label, at)": [
            (problem, "县纪委监委", "超期未办理", admin, "巡察办", at)
        ],
        "notice_units (notice_id, unit_id)": [(notice, unit)],
        "notice_receipts (notice_id, person_id, first_ack_at)": [(notice, contact, at)],
        "inbox (update_id, lane, payload, received_at, status, attempts, finished_at, error)": [
            (900001, "11", json.dumps({"update_id": 900001}), at, "done", 1, at, None),
            (900002, "-1001", "{}", at, "failed", 3, at, "Timed out"),
        ],
        "bot_state (key, value)": [("poll_offset", "900003"), ("name_wait:person:2", "1")],
        "weekly_figures (period, total, closed, awaiting, created_at)": [("2026-W47", 4, 1, 1, at)],
        "duty_runs (key, kind, day, done_at, messages)": [
            ("todo:2026-11-27", "todo", "2026-11-27", at, 3)
        ],
    }
    # fmt: on
    async with db.transaction() as tx:
        for into, values in rows.items():
            marks = ", ".join("?" for _ in values[0])
            await tx.executemany(f"INSERT INTO {into} VALUES ({marks})", values)


async def _county(folder: Path) -> Path:
    """A county's database at the latest schema with at least one row in every table."""
    path = folder / "county.sqlite3"
    config = parse_config(
        {
            "telegram": {"token": TOKEN},
            "storage": {"path": str(path), "evidence_dir": str(folder / "ev")},
            "office": {"admins": [ADMIN_ID]},
        }
    )
    db = await open_database(path)
    try:
        await _populate(db, config)
        await _fill_the_rest(db)
    finally:
        await db.close()
    return path


@pytest.fixture
async def county(tmp_path: Path) -> AsyncIterator[Database]:
    source = await Database.open(await _county(tmp_path))
    yield source
    await source.close()


@pytest.fixture
async def province(tmp_path: Path) -> AsyncIterator[Database]:
    target = await open_database(dbs.target(tmp_path, "province", migrated=False))
    yield target
    await target.close()


async def _columns(db: Database, table: str) -> list[str]:
    row = await db.fetchone(f"SELECT * FROM {table} LIMIT 1")
    assert row is not None, f"{table} is empty"
    return list(row.keys())


async def _rows(db: Database, table: str, columns: list[str]) -> list[tuple[Any, ...]]:
    names = ", ".join(f'"{c}"' for c in columns)
    return sorted((tuple(r) for r in await db.fetchall(f"SELECT {names} FROM {table}")), key=repr)


async def _counts(db: Database) -> dict[str, int]:
    return {t: int(await db.scalar(f"SELECT COUNT(*) FROM {t}")) for t in TABLES}


async def test_the_tables_are_every_table_of_the_schema(province: Database) -> None:
    assert len(set(TABLES)) == len(TABLES)
    assert set(TABLES) | NOT_COPIED == await province.table_names()
    assert not set(TABLES) & NOT_COPIED


def test_each_table_comes_after_what_it_references_and_is_read_by_its_key(tmp_path: Path) -> None:
    path = tmp_path / "schema.sqlite3"
    asyncio.run(_migrated(path))
    with sqlite3.connect(path) as conn:
        for index, table in enumerate(TABLES):
            parents = {r[2] for r in conn.execute(f"PRAGMA foreign_key_list({table})")}
            assert all(TABLES.index(p) < index for p in parents - {table}), table
            info = sorted((r[5], r[1]) for r in conn.execute(f"PRAGMA table_info({table})"))
            assert KEYS.get(table, ("id",)) == tuple(name for pk, name in info if pk), table
    assert set(KEYS) <= set(TABLES)


async def _migrated(path: Path) -> None:
    db = await open_database(path)
    await db.close()


@pytest.mark.parametrize("page", [3, copying.PAGE])
async def test_every_row_arrives_as_it_was(
    county: Database, province: Database, page: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(copying, "PAGE", page)  # 3: every table crosses pages
    had = await _counts(county)
    assert all(had.values()), [t for t, n in had.items() if not n]

    report = await copy_database(county, province)

    assert report.counts == had
    assert tuple(report.counts) == TABLES
    for table in TABLES:
        columns = await _columns(county, table)
        assert await _rows(province, table, columns) == await _rows(county, table, columns), table


async def test_new_rows_after_the_copy_get_fresh_ids(county: Database, province: Database) -> None:
    await copy_database(county, province)
    with_ids = [table for table in TABLES if table not in KEYS]
    top = {t: int(await province.scalar(f"SELECT MAX(id) FROM {t}")) for t in with_ids}
    async with province.transaction() as tx:
        unit = await units.create(tx, "县教育局", NOW)
        person = await people.upsert(tx, 77, "新联络员", None, NOW)
        queued = await outbox.enqueue(tx, "copy:test", 77, "alert", "{}", 0.0, NOW)
        await audit.record(
            tx,
            at=NOW,
            actor_id=person.id,
            actor_label="cli",
            action="test",
            entity="unit",
            entity_id=unit.id,
        )
        report = await tx.insert(
            "INSERT INTO reports (number, problem_id, person_id, claim, status_before,"
            " status_after, created_at) SELECT 'ZG-NEW', id, ?, 'progress', status, status, ?"
            " FROM problems ORDER BY id LIMIT 1",
            (person.id, NOW.isoformat()),
        )
    assert unit.id == top["units"] + 1
    assert person.id == top["people"] + 1
    assert queued == top["outbox"] + 1
    assert report == top["reports"] + 1
    assert await province.scalar("SELECT MAX(id) FROM audit_log") == top["audit_log"] + 1
    if province.dialect == "postgresql":  # every identity, not only the ones tried above
        for table, last in top.items():
            sequence = f"pg_get_serial_sequence('{table}', 'id')"
            after = await province.scalar(f"SELECT nextval({sequence})")
            assert after > last, table


async def test_a_target_with_rows_is_refused_and_left_as_it_was(
    county: Database, province: Database
) -> None:
    async with province.transaction() as tx:
        await units.create(tx, "县教育局", NOW)
    with pytest.raises(CopyError, match=r"不是空的.*units（1 行）"):
        await copy_database(county, province)
    assert await _counts(province) == {t: int(t == "units") for t in TABLES}


async def test_a_source_at_an_older_schema_is_refused(tmp_path: Path, province: Database) -> None:
    old = await Database.open(tmp_path / "old.sqlite3")
    try:
        await migrate(old, MIGRATIONS[:-1])
        with pytest.raises(CopyError, match=f"源数据库结构版本为 {LATEST - 1}"):
            await copy_database(old, province)
    finally:
        await old.close()
    assert not any((await _counts(province)).values())


async def test_a_failure_mid_copy_leaves_the_target_empty(
    county: Database, province: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = copying._copy_table

    async def failing(src: Any, write: Any, table: str) -> int:
        if table == "reports":
            raise OSError("disk full")
        return await real(src, write, table)

    monkeypatch.setattr(copying, "_copy_table", failing)
    with pytest.raises(CopyError, match="复制表 reports 时出错，已全部撤销：disk full"):
        await copy_database(county, province)
    assert not any((await _counts(province)).values())

    monkeypatch.setattr(copying, "_copy_table", real)  # the same target takes the copy after
    assert (await copy_database(county, province)).counts == await _counts(county)


async def test_a_count_that_does_not_add_up_undoes_the_copy(
    county: Database, province: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = copying._copy_table

    async def miscounting(src: Any, write: Any, table: str) -> int:
        return await real(src, write, table) + (table == "audit_log")

    monkeypatch.setattr(copying, "_copy_table", miscounting)
    with pytest.raises(CopyError, match=r"行数不一致.*audit_log"):
        await copy_database(county, province)
    assert not any((await _counts(province)).values())


async def test_copying_a_database_into_itself_is_refused(county: Database) -> None:
    assert county.path is not None
    itself = await Database.open(county.path)
    try:
        with pytest.raises(CopyError, match="同一个数据库"):
            await copy_database(county, itself)
    finally:
        await itself.close()


@dbs.postgresql_only
async def test_values_sqlite_kept_loosely_are_given_the_columns_types(
    county: Database, province: Database
) -> None:
    async with county.transaction() as tx:  # what older code or a hand edit may have left
        await tx.execute("UPDATE bot_state SET value = ? WHERE key = 'poll_offset'", (b"900003",))
        await tx.execute("UPDATE chats SET active = ? WHERE chat_id = -1001", (True,))
    await copy_database(county, province)
    offset = await province.scalar("SELECT value FROM bot_state WHERE key = 'poll_offset'")
    assert offset == "900003"
    assert await province.scalar("SELECT active FROM chats WHERE chat_id = -1001") == 1
    assert {type(v) for (v,) in await province.fetchall("SELECT at_ts FROM bind_failures")} == {
        float
    }


@dbs.postgresql_only
async def test_a_value_that_fits_no_type_is_named_and_nothing_is_copied(
    county: Database, province: Database
) -> None:
    async with county.transaction() as tx:
        await tx.execute("UPDATE bind_failures SET at_ts = 'soon' WHERE id = 1")
    with pytest.raises(CopyError, match="表 bind_failures 列 at_ts 的值 'soon' 不能存为 double"):
        await copy_database(county, province)
    assert not any((await _counts(province)).values())


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run(
        [sys.executable, "-m", "bot", "db", "copy", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=REPO,
    )


def test_the_command_copies_then_refuses_a_second_time(tmp_path: Path) -> None:
    source = asyncio.run(_county(tmp_path))
    target = str(dbs.target(tmp_path, "province", migrated=False))
    if dbs.ENGINE == "postgresql":  # trust authentication takes any password
        target = target.replace("postgres@", "postgres:s3cretpw@", 1)

    done = _cli("--from", str(source), "--to", target)

    assert done.returncode == 0, done.stderr
    with sqlite3.connect(source) as conn:
        rows = sum(conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in TABLES)
    assert done.stdout.splitlines()[-1] == f"已复制 {len(TABLES)} 张表、{rows} 行，核对一致"
    assert "  reports" in done.stdout
    again = _cli("--from", str(source), "--to", target)
    assert again.returncode == 2
    assert again.stderr.startswith("未复制：目标数据库不是空的")
    assert len(again.stderr.strip().splitlines()) == 1
    assert "s3cretpw" not in done.stdout + done.stderr + again.stdout + again.stderr


def test_the_command_never_prints_a_password(tmp_path: Path) -> None:
    url = "postgresql://zhenggai:s3cretpw@127.0.0.1:1/province"
    (tmp_path / "county.sqlite3").touch()

    failed = _cli("--from", str(tmp_path / "county.sqlite3"), "--to", url)

    assert failed.returncode == 1  # nothing listens on port 1
    assert "复制失败" in failed.stderr
    assert "postgresql://zhenggai:***@127.0.0.1:1/province" in failed.stdout
    assert "s3cretpw" not in failed.stdout + failed.stderr
    assert _hidden(f"无法连接 {url}（s3cretpw）", (url,)) == (
        "无法连接 postgresql://zhenggai:***@127.0.0.1:1/province（***）"
    )


def test_the_command_refuses_a_missing_source(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.sqlite3"
    done = _cli("--from", str(missing), "--to", str(tmp_path / "t.sqlite3"))
    assert done.returncode == 2
    assert done.stderr.strip() == f"未复制：找不到源数据库文件 {missing}"
    assert not missing.exists()
