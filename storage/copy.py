"""Copy a whole database into an empty one: a county's SQLite file into a shared PostgreSQL.

The copy is all or nothing: one transaction on the target, which also checks that the target
is empty (never merge into a ledger), moves PostgreSQL's id sequences past the copied ids and
compares every table's row count before it commits. The source's write lock is held for the
whole copy, so a bot still running on it waits instead of writing rows the copy would miss.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from storage.db import Database, Row, Tx
from storage.migrations import LATEST, current_version

PAGE = 5000  # rows read and written at a time: a province's file is never in memory whole

# Every table, each after the tables it references. schema_migrations is not copied: the
# target has its own. A migration that adds a table must add it here; until then copying
# refuses (and tests/unit/test_db_copy.py fails).
# fmt: off
TABLES: tuple[str, ...] = (
    "rounds", "units", "people", "bind_codes", "roles", "identities", "link_codes",
    "bind_failures", "chats", "problems", "extension_requests", "deadline_changes", "reports",
    "attachments", "report_drafts", "reviews", "transfers", "notices", "notice_units",
    "notice_recipients", "notice_receipts", "imports", "inbox", "outbox", "audit_log",
    "bot_state", "weekly_figures", "duty_runs",
)
# fmt: on
# The key each table is read in order of, where it is not `id`.
KEYS: dict[str, tuple[str, ...]] = {
    "identities": ("platform", "user_id"),
    "chats": ("chat_id",),
    "report_drafts": ("person_id", "problem_id"),
    "notice_units": ("notice_id", "unit_id"),
    "notice_recipients": ("notice_id", "person_id"),
    "notice_receipts": ("notice_id", "person_id"),
    "inbox": ("update_id",),
    "bot_state": ("key",),
    "weekly_figures": ("period",),
    "duty_runs": ("key",),
}
# The target keeps its own schema history; chat_sends holds a few minutes of replicas' pacing.
NOT_COPIED = {"schema_migrations", "chat_sends"}

Rows = list[tuple[Any, ...]]
Writer = Callable[[str, list[str], Rows], Awaitable[int]]


class CopyError(Exception):
    """The copy was refused or undone and the target is as it was; the message is for the user."""


@dataclass(frozen=True)
class CopyReport:
    counts: dict[str, int]  # rows per table, in the order they were copied

    @property
    def rows(self) -> int:
        return sum(self.counts.values())


async def copy_database(source: Database, target: Database) -> CopyReport:
    """Copy every row of `source` into `target` (migrated, empty), or raise CopyError."""
    await _check_versions(source, target)
    unknown = await source.table_names() - NOT_COPIED - set(TABLES)
    if unknown:
        raise CopyError(f"源数据库有本程序不认识的表，不能完整复制：{'、'.join(sorted(unknown))}")
    if await _identity(source) == await _identity(target):
        raise CopyError("源数据库和目标数据库是同一个数据库")
    async with source.transaction() as src, target.transaction() as dst:
        await _check_empty(dst)
        write = await _writer(dst, target)
        counts: dict[str, int] = {}
        for table in TABLES:
            try:
                counts[table] = await _copy_table(src, write, table)
            except CopyError:
                raise
            except Exception as exc:
                why = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
                raise CopyError(f"复制表 {table} 时出错，已全部撤销：{why}") from exc
        if target.dialect == "postgresql":
            await _move_sequences(dst)
        await _verify(src, dst, counts)
    return CopyReport(counts)


async def _check_versions(source: Database, target: Database) -> None:
    """Both schemas must be this code's: the column lists are then the same on both sides."""
    have = await current_version(source)
    if have == 0:
        raise CopyError("源数据库不是整改通的数据库（没有结构版本）")
    if have < LATEST:
        raise CopyError(
            f"源数据库结构版本为 {have}，本程序为 {LATEST}：请先用本版本的 zhenggai"
            " 打开源数据库一次（如 zhenggai export，打开时自动升级结构），再复制"
        )
    if have > LATEST:
        raise CopyError(f"源数据库结构版本 {have} 比本程序支持的 {LATEST} 新：请升级 zhenggai")
    if (want := await current_version(target)) != LATEST:
        raise CopyError(f"目标数据库结构版本为 {want}，应为 {LATEST}")


async def _identity(db: Database) -> tuple[Any, ...]:
    """What tells two databases apart: holding both write locks of one would wait forever."""
    if db.path is not None:
        return ("sqlite", db.path.resolve())
    row = await db.fetchone("SELECT current_database(), pg_postmaster_start_time()")
    return ("postgresql", *(row or ()))


async def _check_empty(dst: Tx) -> None:
    """Refuse to merge: a county's rows would collide with, or hide among, another's."""
    held = [(table, await _count(dst, table)) for table in TABLES]
    if full := [f"{table}（{n} 行）" for table, n in held if n]:
        raise CopyError(f"目标数据库不是空的，不会合并：{'、'.join(full)}。请换一个新建的空数据库")


async def _count(tx: Tx, table: str) -> int:
    row = await tx.fetchone(f"SELECT COUNT(*) FROM {table}")
    return int(row[0]) if row is not None else 0


async def _copy_table(src: Tx, write: Writer, table: str) -> int:
    """Page through the source by its key (a row-value comparison: no OFFSET to rescan)."""
    key = KEYS.get(table, ("id",))
    order = ", ".join(key)
    after = f" WHERE ({order}) > ({', '.join('?' for _ in key)})"
    copied, last = 0, None
    while True:
        where = "" if last is None else after
        sql = f"SELECT * FROM {table}{where} ORDER BY {order} LIMIT {PAGE}"
        page: list[Row] = await src.fetchall(sql, last if last is not None else ())
        if page:
            copied += await write(table, list(page[0].keys()), [tuple(r) for r in page])
            last = tuple(page[-1][k] for k in key)
        if len(page) < PAGE:
            return copied


async def _writer(dst: Tx, target: Database) -> Writer:
    """COPY on PostgreSQL, each value made its column's type first; INSERT anywhere else."""
    if target.dialect == "postgresql":
        from storage.postgres import PostgresTx

        assert isinstance(dst, PostgresTx)
        found = await dst.fetchall(
            "SELECT table_name, column_name, data_type FROM information_schema.columns"
            " WHERE table_schema = current_schema()"
        )
        types = {(str(r[0]), str(r[1])): str(r[2]) for r in found}

        async def copy(table: str, columns: list[str], rows: Rows) -> int:
            kinds = [(table, c, types.get((table, c), "")) for c in columns]
            typed = [tuple(map(_cast, kinds, row)) for row in rows]
            return await dst.copy_rows(table, columns, typed)

        return copy

    async def insert(table: str, columns: list[str], rows: Rows) -> int:
        names = ", ".join(f'"{c}"' for c in columns)
        marks = ", ".join("?" for _ in columns)
        await dst.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)
        return len(rows)

    return insert


def _as_int(value: Any) -> int:
    if isinstance(value, float) and not value.is_integer():
        raise ValueError(value)
    return int(value)  # an int, a bool, a whole float, digits stored as text


def _as_text(value: Any) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)


AS_TYPE: dict[str, Callable[[Any], Any]] = {
    "bigint": _as_int,
    "integer": _as_int,
    "double precision": float,
    "text": _as_text,
}


def _cast(column: tuple[str, str, str], value: Any) -> Any:
    """SQLite keeps what a column was given (a blob in a TEXT column, text in an INTEGER one);
    asyncpg's COPY takes only the column's own Python type."""
    table, name, kind = column
    make = AS_TYPE.get(kind)
    if make is None or value is None:
        return value
    try:
        return make(value)
    except (TypeError, ValueError):
        raise CopyError(f"表 {table} 列 {name} 的值 {value!r:.60} 不能存为 {kind}") from None


async def _move_sequences(dst: Tx) -> None:
    """An identity column's next id must follow the copied ids, or the next insert collides."""
    for table in TABLES:
        if table not in KEYS:
            await dst.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
                f" GREATEST(MAX(id), 1), MAX(id) IS NOT NULL) FROM {table}"
            )


async def _verify(src: Tx, dst: Tx, counts: dict[str, int]) -> None:
    """Every table holds on the target what it holds on the source, or nothing is committed."""
    wrong = []
    for table in TABLES:
        had, has = await _count(src, table), await _count(dst, table)
        if not had == has == counts[table]:
            wrong.append(f"{table}（源 {had} 行，目标 {has} 行）")
    if wrong:
        raise CopyError(f"复制后行数不一致，已全部撤销：{'、'.join(wrong)}")
