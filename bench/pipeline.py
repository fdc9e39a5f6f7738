"""Throughput: the real bot against a bare PTB echo bot, on one strict local sandbox.

    .venv/bin/python bench/pipeline.py                  # 3,000 updates each: 30-40 s
    .venv/bin/python bench/pipeline.py --quick          # 500 updates each: about 10 s
    .venv/bin/python bench/pipeline.py --profile DIR    # and py-spy both bots (DIR/*.raw)
    .venv/bin/python bench/pipeline.py --analyse DIR/bot.raw   # a profile's breakdown again
    .venv/bin/python bench/pipeline.py --only bot --what-if sniffio

The local Bot API sandbox (bot/sandbox, strict spec checking, its flood limits switched off
with `FloodLimits(enabled=False)`) runs in this process and plays 100 bound contacts, each
in their private chat. Each contact sends `/mine` and, as soon as the answer arrives, the
next one (a closed loop: at most 100 questions open at once, always some waiting for the
bot), 3,000 in all after a warm-up of one each.

- **bot**: `python -m bot run` through bench/pipeline_echo.py, which gives the runtime a
  Pace out of reach (pacing off) and writes down every write transaction. Its database is
  bench/scale_data.py's, at a county's size: 20 units, 400 problems, 4,000 reports, 100
  contacts; `/mine` reads the unit's open problems and answers with a page of them and
  their 报告进展 buttons: the commonest question, a real read and a real answer.
- **echo**: a bare python-telegram-bot Application with one MessageHandler that sends the
  text back, PTB's own polling, no rate limiter, PTB's default of one update at a time
  (`--echo-concurrency 32` as the bot's inbox lanes: it is slower, ≈355/s against ≈465/s,
  and costs more CPU per update, ≈2.8 ms against ≈1.9: httpx's pool works harder).

Times are taken in the sandbox: from the moment a contact's message is queued to the moment
the bot's sendMessage for that chat arrives. updates/s is answers ÷ the wall time from the
first question to the last answer; CPU is the bot process's user+sys over that window
(/proc/PID/stat), and its whole life's from its rusage. Write transactions and aiosqlite's
thread hops are counted inside the bot (bench/pipeline_echo.py) and those that began in the
window are divided by the answers. Targets: the bot answers at ≥ 50 % of the echo bot's
rate, with ≤ 4 ms of CPU per update.

`--profile DIR` runs py-spy (200 Hz, raw collapsed stacks that speedscope also opens) on
each bot during its window and prints where the CPU went: per thread, the top functions by
self time, self time by group (HTTP client, PTB objects, SQLite, …) and the pipeline's
stages inclusive. `--what-if` measures a change proposed for the bot before it is made
(see bench/pipeline_echo.py); the echo bot never gets one. Nothing talks to the internet.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.pipeline_echo import WHAT_IF_ENV, WHAT_IFS  # noqa: E402
from bench.scale_data import CONTACT_BASE, TICK_AT, Size, build  # noqa: E402
from bench.scale_live import TOKEN, populate, quantile, write_config  # noqa: E402
from bot.clock import FAKE_NOW_ENV  # noqa: E402
from bot.sandbox import Call, FloodLimits, Sandbox, SimChat, SimUser  # noqa: E402

USERS = 100
UPDATES = 3_000
QUICK_UPDATES = 500
WARMUP = 1  # questions per user before the clock starts (first reads, first imports)
COUNTY = Size(units=20, problems=400, reports=4_000, admins=2, leaders=2, people=4 + USERS)
QUESTION = "/mine"
MARKER = "未销号的问题"  # the bot's /mine answer says this
ECHO_CONCURRENCY = 1  # PTB's default (concurrent_updates=False), its fastest here
ASK_TIMEOUT = 60.0
SETTLE = 0.5  # start-up is over when the bot made no call but getUpdates for this long
RATIO_TARGET = 0.5
CPU_TARGET_MS = 4.0
SPY_RATE = 200
TICK = os.sysconf("SC_CLK_TCK")


# ------------------------------------------------------------------ the sandbox's side


class Answers(list[Call]):
    """The sandbox's call log, which also wakes the user waiting for an answer in a chat.

    Replaces the World's plain list (bench only): a call is appended the moment it
    arrives, so the time taken here is the sandbox receiving the bot's reply.
    """

    def __init__(self, calls: list[Call]) -> None:
        super().__init__(calls)
        self.waiting: dict[int, asyncio.Future[float]] = {}
        self.stray = 0

    def append(self, call: Call) -> None:
        super().append(call)
        if call.method.lower() != "sendmessage":
            return
        try:
            chat_id = int(call.params.get("chat_id", 0))
        except (TypeError, ValueError):
            chat_id = 0
        waiter = self.waiting.pop(chat_id, None)
        if waiter is None or waiter.done():
            self.stray += 1
        else:
            waiter.set_result(time.monotonic())

    def expect(self, chat_id: int) -> asyncio.Future[float]:
        waiter: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self.waiting[chat_id] = waiter
        return waiter


@dataclass
class Asker:
    user: SimUser
    chat: SimChat
    times: list[float] = field(default_factory=list)
    last: float = 0.0  # when its last answer arrived
    unanswered: int = 0


async def ask(sb: Sandbox, answers: Answers, asker: Asker, count: int, record: bool) -> None:
    """Ask `count` times, each as soon as the last was answered; a lost answer ends it."""
    for done in range(count):
        waiter = answers.expect(asker.chat.id)
        asked = time.monotonic()
        sb.send_text(asker.user, asker.chat, QUESTION)
        try:
            async with asyncio.timeout(ASK_TIMEOUT):
                answered = await waiter
        except TimeoutError:
            answers.waiting.pop(asker.chat.id, None)
            asker.unanswered += count - done
            return
        if record:
            asker.times.append(answered - asked)
            asker.last = answered


# ------------------------------------------------------------------ the bot's process


class Child:
    """A bot process; its CPU read from /proc while it runs and from wait4 when it ends."""

    def __init__(self, args: list[str], env: dict[str, str], errors: Path) -> None:
        self.errors = errors
        self.started = time.monotonic()
        with errors.open("wb") as err:
            self.proc = subprocess.Popen(
                args, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=err
            )
        self.pid = self.proc.pid
        self.life_cpu = 0.0
        self.peak_mb = 0.0

    def cpu(self) -> float:
        """User + system seconds so far, every thread of the process."""
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICK

    async def stop(self) -> None:
        """SIGINT as an operator would; its rusage is this process's alone (wait4)."""
        self.proc.send_signal(signal.SIGINT)
        deadline = time.monotonic() + 60
        while (usage := self._reaped()) is None:
            if time.monotonic() > deadline:
                self.proc.kill()
                deadline = float("inf")
            await asyncio.sleep(0.05)
        self.proc.returncode = 0  # reaped here; keep Popen from waiting for it again
        self.life_cpu = usage.ru_utime + usage.ru_stime
        self.peak_mb = usage.ru_maxrss / 1024

    def _reaped(self) -> resource.struct_rusage | None:
        """Its rusage once it has ended (never blocks)."""
        pid, _status, usage = os.wait4(self.pid, os.WNOHANG)
        return usage if pid == self.pid else None

    def last_error(self) -> str:
        text = self.errors.read_text(encoding="utf-8", errors="replace").strip()
        return (text.splitlines() or ["no output"])[-1][:90]


class Spy:
    """py-spy record on a running process, stopped with SIGINT (it writes its file then).

    py-spy stops the process for each sample: the bot runs about a quarter slower while it
    is watched (the table's figures are the unwatched runs'). --nonblocking would not slow
    it, but there a third of the event loop's stacks came out torn and two-fifths of the
    samples were lost, deep coroutine stacks the most: the breakdown was wrong.
    """

    def __init__(self, pid: int, out: Path) -> None:
        spy = Path(sys.executable).with_name("py-spy")
        self.out = out
        args = ["record", "--pid", str(pid), "--rate", str(SPY_RATE), "--format", "raw"]
        self.proc = subprocess.Popen(
            [str(spy), *args, "--threads", "--full-filenames", "--output", str(out)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )

    async def stop(self) -> None:
        self.proc.send_signal(signal.SIGINT)
        await asyncio.to_thread(self.proc.wait, 30)


async def settled(sb: Sandbox, child: Child, within: float = 60.0) -> bool:
    """Wait for the first getUpdates, then until nothing but getUpdates comes for SETTLE s
    (the bot's start-up publishes every bound person's command list)."""
    deadline = time.monotonic() + within
    seen, quiet_since = -1, time.monotonic()
    while time.monotonic() < deadline and child.proc.poll() is None:
        calls = sb.calls()
        if any(c.method.lower() == "getupdates" for c in calls):
            other = sum(c.method.lower() != "getupdates" for c in calls)
            if other != seen:
                seen, quiet_since = other, time.monotonic()
            elif time.monotonic() - quiet_since >= SETTLE:
                return True
        await asyncio.sleep(0.05)
    return False


# ------------------------------------------------------------------ one race


@dataclass
class Run:
    kind: str
    answered: int = 0
    unanswered: int = 0
    window: float = float("nan")
    times: list[float] = field(default_factory=list)
    cpu: float = float("nan")  # the bot's CPU seconds in the window
    life_cpu: float = float("nan")
    peak_mb: float = float("nan")
    harness_cpu: float = float("nan")  # this process's (sandbox and users) in the window
    transactions: list[tuple[float, float, str]] = field(default_factory=list)
    hops: list[tuple[float, str]] = field(default_factory=list)
    span: tuple[float, float] = (0.0, 0.0)
    rejected: int = 0
    stray: int = 0
    wrong: int = 0
    failure: str = ""

    @property
    def rate(self) -> float:
        return self.answered / self.window if self.window > 0 else float("nan")

    def per_update_ms(self, seconds: float) -> float:
        return 1000 * seconds / self.answered if self.answered else float("nan")


def own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def race(
    sb: Sandbox,
    answers: Answers,
    crowd: list[Asker],
    child: Child,
    run: Run,
    per_user: int,
    spy_to: Path | None,
) -> None:
    """Warm up, then the measured closed loop; the bot is stopped in every case."""
    try:
        if not await settled(sb, child):
            run.failure = f"no getUpdates: {child.last_error()}"
            return
        await asyncio.gather(*(ask(sb, answers, a, WARMUP, False) for a in crowd))
        spy = Spy(child.pid, spy_to) if spy_to is not None else None
        if spy is not None:
            await asyncio.sleep(0.5)  # py-spy attaches
        calls_before = len(sb.calls())
        cpu0, own0, began = child.cpu(), own_cpu(), time.monotonic()
        await asyncio.gather(*(ask(sb, answers, a, per_user, True) for a in crowd))
        ended = time.monotonic()
        cpu1, own1 = child.cpu(), own_cpu()
        if spy is not None:
            await spy.stop()
        last = max((a.last for a in crowd if a.times), default=ended)
        run.window = last - began
        run.span = (began, last)
        run.cpu, run.harness_cpu = cpu1 - cpu0, own1 - own0
        run.times = [t for a in crowd for t in a.times]
        run.answered = len(run.times)
        run.unanswered = sum(a.unanswered for a in crowd)
        window_calls = sb.calls()[calls_before:]
        run.rejected = sum(c.status >= 400 for c in window_calls)
        if run.kind == "bot":
            run.wrong = sum(
                MARKER not in str(c.params.get("text", ""))
                for c in window_calls
                if c.method.lower() == "sendmessage"
            )
    finally:
        await child.stop()
        run.life_cpu, run.peak_mb = child.life_cpu, child.peak_mb


async def measure(
    kinds: list[str],
    updates: int,
    folder: Path,
    echo_concurrency: int,
    spy: Path | None,
    what_if: tuple[str, ...] = (),
) -> list[Run]:
    db_path = folder / "county.sqlite3"
    await asyncio.to_thread(build, db_path, COUNTY)
    runs: list[Run] = []
    per_user = max(1, updates // USERS)
    async with Sandbox(token=TOKEN, strict=True, limits=FloodLimits(enabled=False)) as sb:
        answers = Answers(sb._world.calls)  # bench only: the sandbox's call log, observed
        sb._world.calls = answers
        # Nothing owed: the duty clock's first tick has nothing to send meanwhile.
        populate(sb, db_path, TICK_AT + timedelta(days=30))
        env = {**os.environ, FAKE_NOW_ENV: TICK_AT.isoformat(), "PYTHONPATH": str(REPO)}
        env[WHAT_IF_ENV] = ",".join(what_if)
        for kind in kinds:
            users = [sb.user(CONTACT_BASE + n, "联络员") for n in range(USERS)]  # made by populate
            crowd = [Asker(user, sb.private_chat(user)) for user in users]
            run = Run(kind)
            stray_before = answers.stray
            if kind == "bot":
                config = write_config(sb, db_path)
                txlog = folder / "transactions.json"
                args = ["bot", str(config), str(txlog)]
            else:
                args = ["echo", sb.base_url, TOKEN, str(echo_concurrency)]
            child = Child(
                [sys.executable, "-m", "bench.pipeline_echo", *args],
                env,
                folder / f"{kind}.err",
            )
            spy_to = spy / f"{kind}.raw" if spy is not None else None
            await race(sb, answers, crowd, child, run, per_user, spy_to)
            run.stray = answers.stray - stray_before
            if kind == "bot" and txlog.exists():
                logged = json.loads(txlog.read_text())
                run.transactions = [(float(a), float(b), str(w)) for a, b, w in logged["tx"]]
                run.hops = [(float(t), str(what)) for t, what in logged["hops"]]
            runs.append(run)
    return runs


# ------------------------------------------------------------------ the table


def fmt_ms(seconds: float) -> str:
    return f"{1000 * seconds:.0f} ms" if seconds >= 0.1 else f"{1000 * seconds:.1f} ms"


def transaction_rows(run: Run) -> list[tuple[str, str, str, bool | None]]:
    """Write transactions that began in the measured window, per update, and who opened them."""
    began, ended = run.span
    inside = [(a, b, who) for a, b, who in run.transactions if began <= a <= ended]
    if not inside or not run.answered:
        return [("bot: write transactions", "none recorded", "", None)]
    held = sum(min(b, ended) - a for a, b, _ in inside)
    by = Counter(who for _, _, who in inside)
    rows: list[tuple[str, str, str, bool | None]] = [
        (
            "bot: write transactions",
            f"{len(inside) / run.answered:.2f} per update; write lock held "
            f"{100 * held / run.window:.0f} % of the time, "
            f"{1000 * held / len(inside):.2f} ms each",
            "",
            None,
        )
    ]
    for who, n in by.most_common(6):
        rows.append((f"  {who}", f"{n / run.answered:.2f} per update", "", None))
    hops = Counter(what for t, what in run.hops if began <= t <= ended)
    if hops:
        kinds = ", ".join(f"{n / run.answered:.1f} {what}" for what, n in hops.most_common(5))
        rows.append(
            (
                "bot: aiosqlite thread hops",
                f"{hops.total() / run.answered:.1f} per update ({kinds})",
                "",
                None,
            )
        )
    return rows


def table(runs: list[Run], updates: int) -> list[tuple[str, str, str, bool | None]]:
    rows: list[tuple[str, str, str, bool | None]] = []
    by_kind = {r.kind: r for r in runs}
    for run in runs:
        k = run.kind
        if run.failure:
            rows.append((f"{k}: FAILED", run.failure, "", False))
            continue
        p50, p99 = quantile(run.times, 0.5), quantile(run.times, 0.99)
        rows.append(
            (
                f"{k}: updates/s",
                f"{run.rate:.0f} /s ({run.answered:,} answered in {run.window:.1f} s)",
                "",
                None,
            )
        )
        rows.append((f"{k}: update→reply", f"p50 {fmt_ms(p50)}, p99 {fmt_ms(p99)}", "", None))
        cpu = run.per_update_ms(run.cpu)
        target = f"≤ {CPU_TARGET_MS:.0f} ms" if k == "bot" else ""
        rows.append(
            (
                f"{k}: CPU per update",
                f"{cpu:.2f} ms (whole life {run.life_cpu:.1f} s, peak {run.peak_mb:.0f} MB)",
                target,
                cpu <= CPU_TARGET_MS if k == "bot" else None,
            )
        )
        rows.append(
            (
                f"{k}: sandbox+users CPU",
                f"{run.per_update_ms(run.harness_cpu):.2f} ms per update (this process)",
                "",
                None,
            )
        )
        problems = run.unanswered + run.rejected + run.stray + run.wrong
        if problems or run.answered < updates:
            rows.append(
                (
                    f"{k}: faults",
                    f"{run.unanswered} unanswered, {run.rejected} rejected, "
                    f"{run.stray} stray, {run.wrong} wrong answers",
                    "0",
                    False,
                )
            )
        if k == "bot":
            rows.extend(transaction_rows(run))
    bot, echo = by_kind.get("bot"), by_kind.get("echo")
    if bot and echo and not bot.failure and not echo.failure:
        ratio = bot.rate / echo.rate
        rows.append(
            (
                "bot / echo: updates/s",
                f"{100 * ratio:.0f} % (CPU per update ×{bot.cpu / echo.cpu:.1f})",
                f"≥ {100 * RATIO_TARGET:.0f} %",
                ratio >= RATIO_TARGET,
            )
        )
    return rows


def show(rows: list[tuple[str, str, str, bool | None]]) -> None:
    print(f"{'measure':<30} {'figure':<62} {'target':<9} ", flush=True)
    for label, figure, target, ok in rows:
        verdict = "" if ok is None else ("PASS" if ok else "over")
        print(f"{label:<30} {figure:<62} {target:<9} {verdict}", flush=True)


# ------------------------------------------------------------------ the profile's breakdown

# A sample whose innermost frame is one of these is a thread waiting, not working: py-spy
# takes a thread blocked in epoll or in aiosqlite's queue for a running one.
IDLE_LEAVES = (
    r"^(\w+\.)*select \(.*/selectors\.py",
    r"^_connection_worker_thread \(.*/aiosqlite/core\.py:59\)",  # tx.get(): nothing queued
    r"^(\w+\.)*(wait|_worker|get) \(.*/(threading|queue|concurrent/futures/thread)\.py",
)

# The innermost frame's file → a group, for self time (first match wins).
LEAF_GROUPS: list[tuple[str, str]] = [
    (r"/aiosqlite/core\.py:6[3-9]\)", "SQLite itself (aiosqlite threads, in C)"),
    (r"<frozen importlib|/httpcore/_synchronization\.py:2\d\)", "failed `import sniffio`"),
    (r"/(httpx|httpcore|h11|anyio|certifi|idna)/", "HTTP client (httpx/httpcore/h11/anyio)"),
    (r"/telegram/request/", "PTB request layer"),
    (r"/telegram/ext/_(application|handlers|jobqueue|basepersistence)", "PTB dispatch"),
    (r"/telegram/ext/_extbot|/telegram/_bot\.py", "PTB Bot methods"),
    (r"/telegram/_", "PTB objects (de_json, to_dict, __setattr__)"),
    (r"/telegram/ext/", "PTB ext (other)"),
    (r"/pydantic(_core)?/", "pydantic"),
    (r"/aiosqlite/", "aiosqlite (loop side: futures, queue)"),
    (r"/sqlite3/", "sqlite3 module"),
    (r"/apscheduler/", "APScheduler"),
    (r"/logging/", "logging"),
    (r"/json/", "JSON"),
    (r"/urllib/", "urllib (form encoding)"),
    (r"/asyncio/|/selectors\.py|/socket\.py", "asyncio loop and sockets"),
    (r"/threading\.py|/queue\.py|/concurrent/", "threads and queues"),
    (r"/bot/ratelimit\.py", "our rate limiter"),
    (r"/storage/sends\.py", "our send journal (sqlite3 on the loop)"),
    (r"/bot/(inbox|polling|lanes|redact)\.py", "our inbox and poller"),
    (r"/bot/(delivery|render|messages|turns)\.py", "our turns and delivery"),
    (r"/bot/|/handlers/", "our handlers and services"),
    (r"/storage/", "our storage (SQL wrappers, models)"),
    (r"/python3\.\d+/", "stdlib (other)"),
]


def _in(name: str, where: str) -> str:
    """A frame of function `name` (or Class.name) in a file whose path matches `where`."""
    return rf"^(\w+\.)*{name} \(.*{where}"


# Stages, inclusive: a sample counts for a stage when each pattern matches one of its frames
# (a pattern starting with ! must match none).
STAGES: list[tuple[str, tuple[str, ...]]] = [
    ("poller: getUpdates (HTTP, Update.de_json)", (_in("get_updates", "/telegram/"),)),
    ("poller: inbox.accept (to_dict, redact, JSON, tx)", (_in("run", "/bot/polling"),)),
    ("poller:   of which accept()", (_in("accept", "/bot/inbox"),)),
    ("lane: Update.de_json of the stored payload", (_in("_attempt", "/bot/inbox"), "de_json")),
    ("lane: run_turn (PTB dispatch + handlers)", (_in("run_turn", "/bot/turns"),)),
    ("lane:   _remember (people/chats upsert tx)", (_in("_remember", "/handlers/common"),)),
    ("lane:   /mine, the dialog (reads, text)", (_in("mine", "/bot/dialogs/report_commands"),)),
    ("lane:   Event from the Update", (_in("event_of", "/bot/adapters/telegram"),)),
    ("lane:   answer: send_message (HTTP, parse)", (_in("apply", "/bot/adapters/telegram"),)),
    (
        "lane: claim_done tx",
        (_in("_attempt", "/bot/inbox"), _in("transaction", "/storage/db"), "!run_turn"),
    ),
    ("rate limiter (ours, around each send)", (_in("process_request", "/bot/ratelimit"),)),
    (
        "  of which its own work and journal",
        (r"^(\w+\.)*(_acquire|delay|_take|_record|record) \(.*/(bot/ratelimit|storage/sends)",),
    ),
    ("outbox sender loop (polls every second)", (_in("run", "/bot/delivery"),)),
    ("duty clock and JobQueue", (r"/apscheduler/|/telegram/ext/_jobqueue|_tick \(.*runtime",)),
    ("HTTP client: httpx/httpcore/anyio, anywhere", (r"/(httpx|httpcore|h11|anyio)/",)),
    ("  of which the failed `import sniffio`", (_in("current_async_library", "/httpcore/"),)),
    ("PTB objects: de_json/to_dict, anywhere", (r"^(\w+\.)*(de_json|_de_json|to_dict) ",)),
    ("aiosqlite, loop side (queue a call, await it)", (_in("_execute", "/aiosqlite/"),)),
    ("db.transaction, loop side", (_in("transaction", "/storage/db"),)),
    ("SQLite in aiosqlite's threads", (r"/aiosqlite/core\.py:6[3-9]\)",)),
    ("pydantic", (r"/pydantic(_core)?/",)),
    ("logging", (r"/logging/",)),
    ("JSON", (r"/json/",)),
]


def _frames(line: str) -> tuple[list[str], int]:
    stack, _, count = line.rstrip("\n").rpartition(" ")
    return stack.split(";"), int(count)


def _matches(pattern: str, frames: list[str]) -> bool:
    if pattern.startswith("!"):
        return not any(re.search(pattern[1:], f) for f in frames)
    return any(re.search(pattern, f) for f in frames)


def analyse(raw: Path, top: int = 15) -> str:
    """A py-spy raw (collapsed) profile: busy time per thread; self time by function and
    by group; stages inclusive. Percentages are of the busy samples of the scope."""
    samples = [
        _frames(line)
        for line in raw.read_text(encoding="utf-8", errors="replace").splitlines()
        if line.strip()
    ]
    threads, busy_threads = Counter[str](), Counter[str]()
    busy: list[tuple[list[str], int]] = []
    for frames, n in samples:
        threads[frames[0]] += n
        if len(frames) < 2:  # a stack read while it changed (--nonblocking): not counted
            continue
        if not any(re.search(p, frames[-1]) for p in IDLE_LEAVES):
            busy_threads[frames[0]] += n
            busy.append((frames, n))
    main_thread = next((t for t in threads if "MainThread" in t), "")
    seconds = sum(busy_threads.values()) / SPY_RATE
    out = [f"{raw.name}: {sum(threads.values()):,} samples at {SPY_RATE} Hz, {seconds:.1f} s busy"]
    for thread, n in threads.most_common(6):
        mark = "  (the event loop)" if thread == main_thread else ""
        working, waiting = busy_threads[thread] / SPY_RATE, (n - busy_threads[thread]) / SPY_RATE
        name = thread.split(":", 1)[-1].strip()
        out.append(f"  {working:6.1f} s busy, {waiting:5.1f} s waiting  {name}{mark}")
    for scope, chosen in (
        ("event-loop thread", [s for s in busy if s[0][0] == main_thread]),
        ("all threads", busy),
    ):
        count = sum(n for _, n in chosen)
        if not count or (scope == "all threads" and count == busy_threads[main_thread]):
            continue
        leaf, groups, stages = Counter[str](), Counter[str](), Counter[str]()
        for frames, n in chosen:
            body = frames[1:]
            leaf[_short(body[-1])] += n
            groups[_group(body[-1])] += n
            for label, patterns in STAGES:
                if all(_matches(p, body) for p in patterns):
                    stages[label] += n
        out.append(f"\n{scope}: {count:,} busy samples ({count / SPY_RATE:.1f} s)")
        out.append(f"  top {top} functions by self time:")
        out += [f"    {100 * n / count:5.1f} %  {fn}" for fn, n in leaf.most_common(top)]
        out.append("  self time by group:")
        out += [f"    {100 * n / count:5.1f} %  {g}" for g, n in groups.most_common()]
        out.append("  stages, inclusive (they overlap):")
        out += [
            f"    {100 * stages[label] / count:5.1f} %  {label}"
            for label, _ in STAGES
            if stages[label]
        ]
    return "\n".join(out)


def _group(frame: str) -> str:
    where = frame[frame.rfind(" (") :]
    for pattern, name in LEAF_GROUPS:
        if re.search(pattern, where):
            return name
    return "other"


def _short(frame: str) -> str:
    """`Class.name (/long/path/pkg/mod.py:12)` → `Class.name (pkg/mod.py)`; aiosqlite's
    thread keeps its line (waiting and working are different lines there)."""
    name, _, where = frame.partition(" (")
    path, _, line = where.rstrip(")").rpartition(":")
    short = "/".join(path.split("/")[-2:])
    return f"{name} ({short}:{line})" if "aiosqlite" in path else f"{name} ({short})"


# ------------------------------------------------------------------ main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_UPDATES} updates each")
    parser.add_argument("--updates", type=int, help=f"updates per bot (default {UPDATES:,})")
    parser.add_argument("--only", action="append", choices=["bot", "echo"], help="repeatable")
    parser.add_argument(
        "--echo-concurrency", type=int, default=ECHO_CONCURRENCY, help="1: one at a time"
    )
    parser.add_argument("--profile", type=Path, metavar="DIR", help="py-spy both bots into DIR")
    parser.add_argument("--analyse", type=Path, metavar="RAW", help="only print a profile")
    parser.add_argument(
        "--what-if",
        action="append",
        default=[],
        choices=WHAT_IFS,
        help="a change proposed for the bot, patched in (bench/pipeline_echo.py); repeatable",
    )
    args = parser.parse_args()
    if args.analyse:
        print(analyse(args.analyse))
        return
    updates = args.updates or (QUICK_UPDATES if args.quick else UPDATES)
    kinds = args.only or ["bot", "echo"]
    if args.profile:
        args.profile.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    folder = Path(tempfile.mkdtemp(prefix="zhenggai-pipeline-"))
    try:
        runs = asyncio.run(
            measure(
                kinds, updates, folder, args.echo_concurrency, args.profile, tuple(args.what_if)
            )
        )
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print(
        f"{USERS} users, {updates:,} updates each after {WARMUP * USERS} to warm up; "
        f"pacing off; echo {args.echo_concurrency} at a time; "
        f"what-if: {'+'.join(args.what_if) or 'none (the bot as it is)'}; "
        f"{time.perf_counter() - started:.0f} s in all"
    )
    show(table(runs, updates))
    if args.profile:
        for kind in kinds:
            raw = args.profile / f"{kind}.raw"
            if raw.exists():
                print()
                print(analyse(raw))


if __name__ == "__main__":
    main()
