"""Throughput with 1, 2 and 3 replicas on PostgreSQL and with one process on SQLite.

    .venv/bin/python bench/replicas.py --admin postgresql://postgres@/postgres?host=…
    .venv/bin/python bench/replicas.py --admin … --quick      # 500 updates a setup

bench/pipeline.py's load, in one run for every setup: 100 bound contacts each send `/mine`
and, as soon as the answer arrives, the next (a closed loop), 3,000 in all after a warm-up,
against the strict local sandbox with its flood limits off and the bots' own pace out of
reach (bench/pipeline_echo.py), so what is measured is the pipeline. The county's database
(bench/scale_data.py: 20 units, 400 problems, 4,000 reports) is built once as a SQLite file;
each PostgreSQL setup gets a new database on the server behind `--admin` and the file moved
into it with `zhenggai db copy`. Every replica is `python -m bot run` on its own.

It prints, per setup: updates/s (answers ÷ the wall time from the first question to the last
answer), p50 / p99 from question to answer (taken in the sandbox), and the CPU of all the
replicas together per update. The machine is in the README (2 shared cores: three replicas
and the sandbox share them, so more replicas here measure the cost of coordination, not the
gain of more machines).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.pipeline import (  # noqa: E402
    COUNTY,
    QUICK_UPDATES,
    UPDATES,
    USERS,
    WARMUP,
    Answers,
    Asker,
    Child,
    ask,
    settled,
)
from bench.scale_data import CONTACT_BASE, TICK_AT, build  # noqa: E402
from bench.scale_live import TOKEN, populate, quantile  # noqa: E402
from bot.clock import FAKE_NOW_ENV  # noqa: E402
from bot.sandbox import FloodLimits, Sandbox  # noqa: E402

SETUPS = (("sqlite", 1), ("postgresql", 1), ("postgresql", 2), ("postgresql", 3))
JOIN_SETTLE = 4.0  # seconds for every replica to see the others and take over its chats


@dataclass
class Result:
    setup: str
    answered: int = 0
    unanswered: int = 0
    window: float = float("nan")
    cpu: float = float("nan")
    p50: float = float("nan")
    p99: float = float("nan")
    failure: str = ""

    @property
    def rate(self) -> float:
        return self.answered / self.window if self.window > 0 else float("nan")


def url_for(admin: str, name: str) -> str:
    return urlunsplit(urlsplit(admin)._replace(path=f"/{name}"))


async def admin_sql(admin: str, statement: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(admin)
    try:
        await conn.execute(statement)
    finally:
        await conn.close()


async def database_for(kind: str, county: Path, folder: Path, admin: str, n: int) -> str:
    """A fresh copy of the county's database: a file, or a server database via db copy."""
    if kind == "sqlite":
        path = folder / f"setup{n}.sqlite3"
        shutil.copyfile(county, path)
        return f"sqlite:///{path}"
    name = f"zhenggai_bench_{os.getpid()}_{n}"
    await admin_sql(admin, f"DROP DATABASE IF EXISTS {name}")
    await admin_sql(admin, f"CREATE DATABASE {name} TEMPLATE template0 LC_COLLATE 'C'")
    url = url_for(admin, name)
    from bot.cli import _copy

    await _copy(str(county), url)
    return url


def config_for(sb: Sandbox, folder: Path, url: str, replica: int) -> Path:
    path = folder / f"replica{replica}.toml"
    path.write_text(
        "[telegram]\n"
        f'token = "{TOKEN}"\nbase_url = "{sb.base_url}"\nbase_file_url = "{sb.base_file_url}"\n'
        f'[storage]\nurl = "{url}"\njournal = "{folder / f"r{replica}.sends.sqlite3"}"\n'
        f'evidence_dir = "{folder / "ev"}"\n',
        encoding="utf-8",
    )
    return path


async def one_setup(
    sb: Sandbox, answers: Answers, url: str, replicas: int, folder: Path, per_user: int
) -> Result:
    kind = "SQLite" if url.startswith("sqlite") else "PostgreSQL"
    result = Result(f"{kind}, {replicas} process{'es' if replicas > 1 else ''}")
    env = {**os.environ, FAKE_NOW_ENV: TICK_AT.isoformat(), "PYTHONPATH": str(REPO)}
    children = []
    for r in range(replicas):
        config = config_for(sb, folder, url, r)
        args = [sys.executable, "-m", "bench.pipeline_echo", "bot", str(config)]
        children.append(Child([*args, str(folder / f"tx{r}.json")], env, folder / f"r{r}.err"))
        await asyncio.sleep(0.3)
    try:
        if not await settled(sb, children[0]):
            result.failure = f"no getUpdates: {children[0].last_error()}"
            return result
        if replicas > 1:
            await asyncio.sleep(JOIN_SETTLE)
        users = [sb.user(CONTACT_BASE + n, "联络员") for n in range(USERS)]
        crowd = [Asker(user, sb.private_chat(user)) for user in users]
        await asyncio.gather(*(ask(sb, answers, a, WARMUP, False) for a in crowd))
        cpu0, began = sum(c.cpu() for c in children), time.monotonic()
        await asyncio.gather(*(ask(sb, answers, a, per_user, True) for a in crowd))
        result.cpu = sum(c.cpu() for c in children) - cpu0
        last = max((a.last for a in crowd if a.times), default=time.monotonic())
        result.window = last - began
        times = sorted(t for a in crowd for t in a.times)
        result.answered = len(times)
        result.unanswered = sum(a.unanswered for a in crowd)
        if times:
            result.p50, result.p99 = quantile(times, 0.5), quantile(times, 0.99)
    finally:
        for child in children:
            await child.stop()
    return result


async def measure(admin: str, updates: int) -> list[Result]:
    results = []
    per_user = max(1, updates // USERS)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        county = folder / "county.sqlite3"
        await asyncio.to_thread(build, county, COUNTY)
        async with Sandbox(token=TOKEN, strict=True, limits=FloodLimits(enabled=False)) as sb:
            answers = Answers(sb._world.calls)  # bench only: the call log, observed
            sb._world.calls = answers
            populate(sb, county, TICK_AT + timedelta(days=30))  # nothing owed meanwhile
            for n, (kind, replicas) in enumerate(SETUPS):
                url = await database_for(kind, county, folder, admin, n)
                setup = folder / f"setup{n}"
                setup.mkdir()
                results.append(await one_setup(sb, answers, url, replicas, setup, per_user))
                if kind == "postgresql":
                    await admin_sql(admin, f"DROP DATABASE {urlsplit(url).path[1:]} WITH (FORCE)")
    return results


def show(results: list[Result]) -> None:
    print(f"{'setup':<26} {'updates/s':>9} {'p50 ms':>7} {'p99 ms':>7} {'CPU ms/update':>14}")
    for r in results:
        if r.failure:
            print(f"{r.setup:<26} failed: {r.failure}")
            continue
        cpu = 1000 * r.cpu / r.answered if r.answered else float("nan")
        print(
            f"{r.setup:<26} {r.rate:>9.0f} {1000 * r.p50:>7.0f} {1000 * r.p99:>7.0f}"
            f" {cpu:>14.2f}" + (f"   ({r.unanswered} unanswered)" if r.unanswered else "")
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--admin",
        default=os.environ.get("ZHENGGAI_TEST_PG", ""),
        help="a PostgreSQL URL that may create databases (default: $ZHENGGAI_TEST_PG)",
    )
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_UPDATES} updates a setup")
    args = parser.parse_args()
    if not args.admin:
        parser.error("--admin (or ZHENGGAI_TEST_PG) is required: .ci/postgres start makes one")
    show(asyncio.run(measure(args.admin, QUICK_UPDATES if args.quick else UPDATES)))


if __name__ == "__main__":
    main()
