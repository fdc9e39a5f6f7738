"""The two bots bench/pipeline.py races, each run as a process of its own.

    python -m bench.pipeline_echo bot CONFIG TXLOG   # `zhenggai run`, its own pace turned off
    python -m bench.pipeline_echo echo BASE_URL TOKEN CONCURRENCY

`bot` is the real bot through its own command line (`bot.cli.main(["run", …])`), with two
changes made from here, none in bot/, handlers/ or storage/:

- the Runtime gets a Pace whose limits are out of reach (so we measure the pipeline, not
  the 25 messages a second it allows itself); its windows are a millisecond long so the
  limiter's bookkeeping stays as small as it is under the real pace;
- every write transaction (`Database.transaction`, i.e. one BEGIN IMMEDIATE … COMMIT) is
  written down with when the write lock was taken and let go and which function opened it,
  and so is every call aiosqlite hands to its connection's thread (`Connection._execute`:
  one hop to the thread and back each); both lists are saved to TXLOG (JSON) when the bot
  stops. Writing them down costs well under 1 % of the bot's CPU.

With PIPELINE_WHAT_IF set (comma-separated; `bench/pipeline.py --what-if`), the bot also
gets changes proposed for it, made here as patches, to measure each before it is made for
real in bot/ or storage/ (none is on by default):

- `sniffio`: `import sniffio` fails at once (httpcore retries it on every lock and event);

`echo` is a bare python-telegram-bot Application: one MessageHandler that sends the text
back, PTB's own polling (Updater), no rate limiter; CONCURRENCY updates at a time.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any

# Set from the bench's own launcher: huge limits, tiny windows (see the module's docstring).
UNPACED: dict[str, Any] = {
    "chat_burst": 10**9,
    "chat_window": 0.001,
    "group_per_minute": 10**9,
    "group_window": 0.001,
    "outbox_group_share": 10**9,
    "global_per_second": 10**9,
    "global_window": 0.001,
    "outbox_global_share": 10**9,
    "background_per_second": 1e6,
}

# The functions a transaction is named after: the first of ours up the stack that is not
# storage.db's own plumbing nor contextlib's.
_PLUMBING = (
    "storage/db.py",
    "storage/sqlite.py",
    "contextlib.py",
    "bench/pipeline_echo.py",
    "bot/services/uow.py",
)


def _opener() -> str:
    frame = sys._getframe(2)
    while frame is not None:
        name = frame.f_code.co_filename
        if not name.endswith(_PLUMBING):
            return f"{Path(name).parent.name}/{Path(name).stem}.{frame.f_code.co_name}"
        frame = frame.f_back  # type: ignore[assignment]
    return "?"


def _count_transactions(log: list[tuple[float, float, str]]) -> None:
    """Wrap Database.transaction: (lock taken, lock released, opener) per transaction."""
    from storage.db import Tx
    from storage.sqlite import SqliteDatabase as Database  # the bench's database is SQLite's

    original: Callable[[Database], AbstractAsyncContextManager[Tx]] = Database.transaction
    original_begin = Database._begin
    taken: list[float] = [0.0]

    async def begin(self: Database) -> None:
        taken[0] = time.monotonic()  # _begin runs with the write lock held
        await original_begin(self)

    @asynccontextmanager
    async def transaction(self: Database) -> AsyncIterator[Tx]:
        who = _opener()
        try:
            async with original(self) as tx:
                yield tx
        finally:
            if taken[0]:
                log.append((taken[0], time.monotonic(), who))
                taken[0] = 0.0

    Database._begin = begin  # type: ignore[method-assign]
    Database.transaction = transaction  # type: ignore[method-assign]


def _count_hops(log: list[tuple[float, str]]) -> None:
    """Wrap aiosqlite's Connection._execute: (when, what) per hop to a connection's thread.
    A plain function returning the original coroutine: no await layer is added."""
    from aiosqlite.core import Connection

    original: Callable[..., Any] = Connection._execute

    def execute(self: Connection, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        log.append((time.monotonic(), getattr(fn, "__name__", "?")))
        return original(self, fn, *args, **kwargs)

    Connection._execute = execute  # type: ignore[method-assign]


WHAT_IF_ENV = "PIPELINE_WHAT_IF"
# What the bench measured before the bot took it (aiohttp requests, no write for an unchanged
# person, one thread trip a read: all in the bot since) is gone; what is left to try stays.
WHAT_IFS = ("sniffio",)


def _what_if(names: set[str]) -> None:

    if "sniffio" in names:
        sys.modules["sniffio"] = None  # type: ignore[assignment]


def run_bot(config: str, txlog: str) -> int:
    import bot.runtime
    from bot import cli
    from bot.ratelimit import Pace

    pace = Pace(**UNPACED)
    base = bot.runtime.Runtime

    class Unpaced(base):  # type: ignore[valid-type,misc]
        def __init__(self, config: Any, **kwargs: Any) -> None:
            super().__init__(config, pace=pace, **kwargs)

    bot.runtime.Runtime = Unpaced  # type: ignore[misc]  # cli._run imports it at call time
    _what_if({n for n in os.environ.get(WHAT_IF_ENV, "").split(",") if n})
    log: list[tuple[float, float, str]] = []
    hops: list[tuple[float, str]] = []
    _count_transactions(log)
    _count_hops(hops)
    try:
        return cli.main(["run", "--config", config])
    finally:
        Path(txlog).write_text(json.dumps({"tx": log, "hops": hops}), encoding="utf-8")


def run_echo(base_url: str, token: str, concurrency: int) -> int:
    from telegram import Update
    from telegram.ext import Application, ContextTypes, MessageHandler, filters

    async def echo(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        if message is not None and message.text:
            await message.reply_text(message.text)

    app = (
        Application.builder()
        .token(token)
        .base_url(base_url)
        .concurrent_updates(concurrency if concurrency > 1 else False)
        .build()
    )
    app.add_handler(MessageHandler(filters.TEXT, echo))
    app.run_polling(allowed_updates=[Update.MESSAGE], timeout=25, poll_interval=0.0)
    return 0


def main(argv: list[str]) -> int:
    if argv[:1] == ["bot"] and len(argv) == 3:
        return run_bot(argv[1], argv[2])
    if argv[:1] == ["echo"] and len(argv) == 4:
        return run_echo(argv[1], argv[2], int(argv[3]))
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
