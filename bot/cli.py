"""The `zhenggai` command line."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
import sys
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from telegram.error import InvalidToken

from bot import logs
from bot.clock import Clock
from bot.config import TOKEN_ENV, Config, ConfigError, load_config
from storage.models import Role

if TYPE_CHECKING:
    from bot.runtime import Runtime


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="zhenggai", description="整改通 — 巡察整改台账机器人")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="运行机器人")
    run.add_argument(
        "--config", type=Path, help="配置文件（默认 ./config.toml 或 $ZHENGGAI_CONFIG）"
    )
    demo = sub.add_parser("demo", help="在本地沙盒中演示整个系统")
    demo.add_argument("--keep", type=Path, help="把演示数据库留在这个文件夹")
    imp = sub.add_parser("import", help="导入问题台账（.xlsx 或 .csv）")
    imp.add_argument("file", type=Path)
    imp.add_argument("--round", default="", help="巡察轮次（默认沿用最近一轮）")
    imp.add_argument("--config", type=Path)
    exp = sub.add_parser("export", help="导出问题台账 .xlsx")
    exp.add_argument("file", type=Path)
    exp.add_argument("--config", type=Path)
    tick = sub.add_parser("tick", help="执行某一时刻到期的全部定时任务（幂等）")
    tick.add_argument("--at", required=True, type=_moment, help="时刻，如 2026-11-27T17:00+08:00")
    tick.add_argument("--config", type=Path)
    dig = sub.add_parser("digest", help="打印（或发送）一日一小结 / 一周一汇总")
    dig.add_argument("kind", choices=["daily", "weekly"])
    dig.add_argument("--send", action="store_true", help="放入发件队列，由运行中的机器人发送")
    dig.add_argument(
        "--chart", type=Path, metavar="FILE", help="另存挂图作战图 PNG（仅一周一汇总）"
    )
    dig.add_argument("--config", type=Path)
    code = sub.add_parser("code", help="生成一个绑定码")
    code.add_argument("unit", nargs="?", default="", help="单位名称（联络员需要）")
    code.add_argument("--role", choices=["contact", "leader", "admin"], default="contact")
    code.add_argument("--config", type=Path)
    mig = sub.add_parser("migrate", help="把数据库结构升级到本版本（多个副本时先做这一步）")
    mig.add_argument("--config", type=Path)
    db = sub.add_parser("db", help="数据库维护")
    db_sub = db.add_subparsers(dest="db_command", required=True)
    copy = db_sub.add_parser(
        "copy", help="把整个数据库复制到一个新建的空数据库（如 SQLite → PostgreSQL）"
    )
    copy.add_argument(
        "--from",
        dest="source",
        required=True,
        metavar="URL",
        help="源：SQLite 文件路径或数据库地址",
    )
    copy.add_argument(
        "--to",
        dest="target",
        required=True,
        metavar="URL",
        help="目标：postgresql://… 或 SQLite 文件",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "run":
            config = load_config(args.config)
            return _guarded_run(config)
        if args.command == "demo":
            from bot.demo import run_demo

            return asyncio.run(run_demo(keep=args.keep))
        if args.command == "code":
            config = load_config(args.config, require_token=False)
            return asyncio.run(_code(config, args.unit, args.role))
        if args.command in ("tick", "digest"):
            config = load_config(args.config, require_token=False)
            from bot import duty_cli

            if args.command == "tick":
                return asyncio.run(duty_cli.tick(config, args.at))
            return asyncio.run(duty_cli.digest(config, args.kind, send=args.send, chart=args.chart))
        if args.command == "import":
            config = load_config(args.config, require_token=False)
            return _import(config, args.file, args.round)
        if args.command == "export":
            config = load_config(args.config, require_token=False)
            from bot import ledger_cli

            args.file.write_bytes(asyncio.run(ledger_cli.export_bytes(config)))
            print(f"已导出 {args.file}")
            return 0
        if args.command == "migrate":
            config = load_config(args.config, require_token=False)
            return asyncio.run(_migrate(config))
        if args.command == "db":
            return _db_copy(args.source, args.target)
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return 2


def _moment(text: str) -> datetime:
    """An ISO date-time; without a zone it is read in Asia/Shanghai's sense of local time."""
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo("Asia/Shanghai"))
    return moment


def _import(config: Config, path: Path, round_hint: str) -> int:
    from bot import ledger_cli

    try:
        data = path.read_bytes()
    except OSError as exc:
        print(f"无法读取文件 {path}：{exc.strerror}", file=sys.stderr)
        return 2
    return asyncio.run(ledger_cli.import_bytes(config, data, path.name, round_hint))


def _guarded_run(config: Config) -> int:
    """`zhenggai run`, where any failure is one line on stderr and never shows the token.

    An uncaught traceback would bypass the log redaction (PTB's InvalidToken quotes the token),
    so everything that escapes is turned into one redacted line here.
    """
    secrets = logs.token_secrets(config.token())
    logs.setup(secrets)
    clock = _clock_from_env()
    try:
        return asyncio.run(_run(config, clock))
    except KeyboardInterrupt:
        return 130
    except InvalidToken as exc:
        print(_token_refused(exc), file=sys.stderr)
        return 2
    except Exception as exc:
        print(f"整改通启动失败：{logs.one_line(exc, secrets)}", file=sys.stderr)
        return 1


def _token_refused(exc: InvalidToken) -> str:
    # Telegram answers 401 to a well-formed token it does not know, 404 to a malformed one;
    # PTB keeps Telegram's own words in the exception it chains from.
    said = str(exc.__cause__.message if isinstance(exc.__cause__, InvalidToken) else exc.message)
    status = {"Unauthorized": "401 Unauthorized", "Not Found": "404 Not Found"}.get(said, "")
    why = f"（{status}）" if status else ""
    return f"Telegram 拒绝了 Bot token{why}：请检查 [telegram].token 或环境变量 {TOKEN_ENV}"


def _clock_from_env() -> Clock:
    """The real clock, unless ZHENGGAI_FAKE_NOW is set (tests only; see bot.clock)."""
    from bot.clock import FAKE_NOW_ENV, pinned_clock, system_clock

    text = os.environ.get(FAKE_NOW_ENV, "")
    if not text:
        return system_clock
    try:
        start = _moment(text)
    except ValueError:
        raise ConfigError(f"环境变量 {FAKE_NOW_ENV} 不是 ISO 时刻：{text!r}") from None
    return pinned_clock(start)


async def _run(config: Config, clock: Clock) -> int:
    from bot.runtime import Runtime

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    runtime = Runtime(config, clock=clock)
    try:
        await runtime.start()
    except BaseException:
        await _undo_start(runtime)
        raise
    try:
        waiter = asyncio.create_task(runtime.wait())
        stopper = asyncio.create_task(stop.wait())
        done, pending = await asyncio.wait({waiter, stopper}, return_when=asyncio.FIRST_COMPLETED)
        for task in pending:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if waiter in done and (failure := waiter.exception()) is not None:
            if isinstance(failure, InvalidToken):
                raise failure
            secrets = logs.token_secrets(config.token())
            print(f"整改通停止：{logs.one_line(failure, secrets)}", file=sys.stderr)
            return 1
    finally:
        await runtime.stop()
    return 0


async def _undo_start(runtime: Runtime) -> None:
    """Close what a failed Runtime.start() had opened.

    Otherwise the process hangs at exit: the database's aiosqlite threads are not daemons, and
    the traceback keeps the runtime (and so the open connections) alive.
    """
    with contextlib.suppress(Exception):
        async with asyncio.timeout(10):
            await runtime.stop()
            return
    # stop() expects a started runtime; close the parts that exist, each on its own.
    app = getattr(runtime, "app", None)
    if app is not None:
        with contextlib.suppress(Exception):
            async with asyncio.timeout(5):
                if app.running:
                    await app.stop()
                await app.shutdown()
    db = getattr(runtime, "db", None)
    if db is not None:
        with contextlib.suppress(Exception):
            async with asyncio.timeout(5):
                await db.close()


async def _code(config: Config, unit_text: str, role: Role) -> int:
    from bot.clock import system_clock
    from bot.dialogs.binding import render_code
    from bot.services import binding
    from bot.services.lookup import find_unit
    from storage.migrations import open_database

    db = await open_database(config.storage.target)
    try:
        unit = None
        if role == "contact":
            match = await find_unit(db, unit_text)
            if match.unit is None:
                print(match.refusal(), file=sys.stderr)
                return 2
            unit = match.unit
        async with db.transaction() as tx:
            issued = await binding.issue(
                tx,
                role,
                unit,
                by=None,
                by_label="cli",
                at=system_clock(),
                ttl=timedelta(hours=config.office.code_ttl_hours),
            )
        print(render_code(issued, config.schedule.timezone))
        return 0
    finally:
        await db.close()


async def _migrate(config: Config) -> int:
    """`zhenggai migrate`: the schema to this version, once, before the replicas start (each
    also migrates at start; an older one refuses a newer schema)."""
    from storage.db import Database
    from storage.migrations import LATEST, SchemaTooNewError, current_version, migrate

    db = await Database.open(config.storage.target)
    try:
        before = await current_version(db)
        try:
            await migrate(db)
        except SchemaTooNewError as exc:
            print(f"未升级：{exc}", file=sys.stderr)
            return 2
    finally:
        await db.close()
    if before == LATEST:
        print(f"数据库结构已是最新（版本 {LATEST}）")
    else:
        print(f"数据库结构已从版本 {before} 升级到 {LATEST}")
    return 0


def _db_copy(source_url: str, target_url: str) -> int:
    """`zhenggai db copy`: a refusal is one line and exit code 2; nothing printed, not even a
    driver's error, shows a password from either URL."""
    from storage.copy import CopyError
    from storage.db import parse_target
    from storage.migrations import SchemaTooNewError

    urls = (source_url, target_url)
    try:
        kind, where = parse_target(source_url)
        if kind == "sqlite" and not Path(where).is_file():
            print(f"未复制：找不到源数据库文件 {where}", file=sys.stderr)
            return 2
        print(f"从 {_hidden(source_url, urls)} 复制到 {_hidden(target_url, urls)}")
        counts = asyncio.run(_copy(source_url, target_url))
    except (CopyError, SchemaTooNewError, ValueError) as exc:
        print(_hidden(f"未复制：{exc}", urls), file=sys.stderr)
        return 2
    except Exception as exc:
        print(_hidden(f"复制失败：{logs.one_line(exc, [])}", urls), file=sys.stderr)
        return 1
    width = max(len(table) for table in counts)
    for table, rows in counts.items():
        print(f"  {table:<{width}}  {rows} 行")
    print(f"已复制 {len(counts)} 张表、{sum(counts.values())} 行，核对一致")
    return 0


async def _copy(source_url: str, target_url: str) -> dict[str, int]:
    """The source as it is (a copy never migrates what it reads); the target migrated."""
    from storage.copy import copy_database
    from storage.db import Database
    from storage.migrations import open_database

    source = await Database.open(source_url)
    try:
        target = await open_database(target_url)
        try:
            return (await copy_database(source, target)).counts
        finally:
            await target.close()
    finally:
        await source.close()


def _hidden(text: str, urls: tuple[str, ...]) -> str:
    """`text` with each URL redacted and its password cut out wherever else it appears."""
    from urllib.parse import unquote, urlsplit

    from storage.db import redact

    for url in urls:
        text = text.replace(url, redact(url))
        try:
            password = urlsplit(url).password or ""
        except ValueError:
            password = ""
        for secret in {password, unquote(password)} - {""}:
            text = text.replace(secret, "***")
    return text


if __name__ == "__main__":
    sys.exit(main())
