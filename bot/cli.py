"""The `zhenggai` command line."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bot import logs
from bot.config import Config, ConfigError, load_config
from storage.models import Role


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
    dig.add_argument("--config", type=Path)
    code = sub.add_parser("code", help="生成一个绑定码")
    code.add_argument("unit", nargs="?", default="", help="单位名称（联络员需要）")
    code.add_argument("--role", choices=["contact", "leader", "admin"], default="contact")
    code.add_argument("--config", type=Path)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "run":
            config = load_config(args.config)
            logs.setup([config.token()])
            return asyncio.run(_run(config))
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
            return asyncio.run(duty_cli.digest(config, args.kind, send=args.send))
        if args.command == "import":
            config = load_config(args.config, require_token=False)
            return _import(config, args.file, args.round)
        if args.command == "export":
            config = load_config(args.config, require_token=False)
            from bot import ledger_cli

            args.file.write_bytes(asyncio.run(ledger_cli.export_bytes(config)))
            print(f"已导出 {args.file}")
            return 0
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


async def _run(config: Config) -> int:
    from bot.runtime import Runtime

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    async with Runtime(config) as runtime:
        waiter = asyncio.create_task(runtime.wait())
        stopper = asyncio.create_task(stop.wait())
        done, pending = await asyncio.wait({waiter, stopper}, return_when=asyncio.FIRST_COMPLETED)
        for task in pending:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if waiter in done and waiter.exception() is not None:
            print(f"整改通停止：{waiter.exception()}", file=sys.stderr)
            return 1
    return 0


async def _code(config: Config, unit_text: str, role: Role) -> int:
    from bot.clock import system_clock
    from bot.services import binding
    from bot.services.lookup import find_unit
    from handlers.binding import render_code
    from storage.migrations import open_database

    db = await open_database(config.storage.path)
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


if __name__ == "__main__":
    sys.exit(main())
