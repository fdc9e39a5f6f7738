"""The office's digests in its WeCom, DingTalk and Feishu groups: through the outbox, once.

The duty clock queues the daily summary and the weekly digest for the configured robots; the
robot sender delivers them to each vendor's local stand-in (bot.sandbox.robots), which checks
keys and signatures as the vendor does and records what the group would show. The clock is
pinned and moved by hand.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.config import Config, parse_config
from bot.robots import VENDORS, Vendor
from bot.robots.outbox import RobotSender
from bot.sandbox.robots import DingTalkReceiver, FeishuReceiver, Receiver, WeComReceiver
from bot.services.duties.runner import DutyRunner
from bot.texts import robots as rt
from storage.db import Database
from storage.migrations import open_database
from tests import dbs
from tests.unit.duty_world import OFFICE, at, build

FRIDAY = date(2026, 11, 27)
SECRETS = {"dingtalk": "SECding-secret-0000", "feishu": "feishu-secret-0000"}


class Time:
    """One pinned clock for the bot (datetimes) and the stand-ins (epoch seconds)."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def epoch(self) -> float:
        return self.now.timestamp()

    def forward(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def receiver_for(vendor: Vendor, time: Time) -> Receiver:
    """A stand-in that enforces the vendor's own rate limit, like the real one."""
    if vendor == "wecom":
        return WeComReceiver(clock=time.epoch, per_minute=20)
    if vendor == "dingtalk":
        return DingTalkReceiver(secret=SECRETS[vendor], clock=time.epoch, per_minute=20)
    return FeishuReceiver(secret=SECRETS[vendor], clock=time.epoch, per_minute=100, per_second=5)


def config_for(folder: Path, vendor: Vendor, receiver: Receiver, secret: str | None) -> Config:
    assert isinstance(receiver, WeComReceiver | DingTalkReceiver | FeishuReceiver)
    robot: dict[str, str] = {"webhook": receiver.webhook_url}
    if secret is not None:
        robot["secret"] = secret
    return parse_config(
        {
            "storage": dbs.storage(
                folder,
                "robots",
                evidence_dir=str(folder / "data" / "evidence"),
            ),
            "channels": {vendor: {"office": robot}},
        }
    )


class Office:
    """A ledger whose office has a robot of one vendor, its stand-in, and the robot sender."""

    def __init__(
        self, db: Database, config: Config, receiver: Receiver, time: Time, http: httpx.AsyncClient
    ) -> None:
        self.db, self.config, self.receiver, self.time = db, config, receiver, time
        self.sender = RobotSender(db, config.channels, clock=time, client=http)

    async def queue_friday(self) -> None:
        """The bot ran all Friday: the weekly at 17:00, the daily summary at 18:00."""
        runner = DutyRunner(self.config, self.db)
        await runner.since(at(FRIDAY, 8))
        await runner.catch_up(at(FRIDAY, 17, 1))
        await runner.catch_up(at(FRIDAY, 18, 1))

    async def deliver(self, limit: int = 200) -> None:
        """Run the sender until nothing is pending for robots, the clock following its pace."""
        for _ in range(limit):
            pause = await self.sender.step()
            if not await self.pending():
                return
            self.time.forward(pause)
        raise AssertionError("the robot outbox never emptied")

    async def pending(self) -> int:
        row = await self.db.fetchone(
            "SELECT COUNT(*) FROM outbox WHERE platform != 'telegram' AND status = 'pending'"
        )
        assert row is not None
        return int(row[0])

    async def rows(self) -> list[Any]:
        return await self.db.fetchall(
            "SELECT key, status, last_error FROM outbox WHERE platform != 'telegram' ORDER BY id"
        )


@asynccontextmanager
async def office_of(
    vendor: Vendor, folder: Path, http: httpx.AsyncClient, *, secret: str | None = None
) -> AsyncIterator[Office]:
    time = Time(at(FRIDAY, 18, 1).astimezone(UTC))
    async with receiver_for(vendor, time) as receiver:
        config = config_for(folder, vendor, receiver, secret or SECRETS.get(vendor))
        assert vendor != "wecom" or secret is None
        db = await open_database(config.storage.target)
        await build(db, folder, FRIDAY)
        try:
            yield Office(db, config, receiver, time, http)
        finally:
            await db.close()


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=2.0, trust_env=False) as client:
        yield client


@pytest.mark.parametrize("vendor", VENDORS)
async def test_the_daily_and_the_weekly_arrive_signed_whole_and_once(
    vendor: Vendor, tmp_path: Path, http: httpx.AsyncClient
) -> None:
    async with office_of(vendor, tmp_path, http) as office:
        await office.queue_friday()
        await office.deliver()
        texts = office.receiver.texts
        daily = [t for t in texts if t.startswith("【一日一小结】")]
        weekly_start = [n for n, t in enumerate(texts) if t.startswith("【一周一汇总】")]
        assert len(daily) == 1
        assert len(weekly_start) == 1  # the digest once, however many pieces it took
        assert all(a.signed for a in office.receiver.arrivals if vendor != "wecom")
        rows = await office.rows()
        assert {r["status"] for r in rows} == {"sent"}
        # The weekly's pieces, in order, make the digest the Telegram office group gets.
        weekly_keys = [r["key"] for r in rows if r["key"].startswith("weekly:2026-W48@")]
        pieces = texts[weekly_start[0] : weekly_start[0] + len(weekly_keys)]
        telegram = await office.db.fetchone(
            "SELECT payload FROM outbox WHERE key = ?", (f"weekly:2026-W48@{OFFICE}",)
        )
        assert telegram is not None
        assert "\n".join(pieces) == json.loads(telegram["payload"])["text"]
        images = [a for a in office.receiver.arrivals if a.kind == "image"]
        assert len(images) == (1 if vendor == "wecom" else 0)  # the chart, where it can go


@pytest.mark.parametrize("vendor", VENDORS)
async def test_a_long_digest_is_split_within_the_robots_limit(
    vendor: Vendor, tmp_path: Path, http: httpx.AsyncClient
) -> None:
    from bot.robots import LIMITS

    async with office_of(vendor, tmp_path, http) as office:
        await office.queue_friday()
        await office.deliver()
        limits = LIMITS[vendor]
        assert all(limits.text_size(t) <= limits.text_max for t in office.receiver.texts)
        if vendor == "wecom":  # 2,048 bytes: the weekly digest takes several messages
            weekly = await office.db.fetchall(
                "SELECT key FROM outbox WHERE platform = 'wecom' AND key LIKE 'weekly:%#%'"
            )
            assert len(weekly) > 1


@pytest.mark.parametrize("vendor", VENDORS)
async def test_a_rate_limited_message_arrives_later_and_once(
    vendor: Vendor, tmp_path: Path, http: httpx.AsyncClient
) -> None:
    async with office_of(vendor, tmp_path, http) as office:
        await office.queue_friday()
        office.receiver.throttle(1)  # the vendor's rate-limit answer to the next request
        started = office.time.now
        await office.sender.step()
        rows = await office.rows()
        assert rows[0]["status"] == "pending"  # kept its place, to go again later
        assert rt.THROTTLED in rows[0]["last_error"]
        assert office.receiver.arrivals == []
        await office.deliver()
        texts = office.receiver.texts
        assert len([t for t in texts if t.startswith("【一日一小结】")]) == 1
        waited = (office.receiver.arrivals[0].at - started.timestamp()) if texts else 0
        assert waited >= (600 if vendor == "dingtalk" else 60)  # the vendor's penalty, kept


@pytest.mark.parametrize("vendor", VENDORS)
async def test_a_wrong_secret_is_reported_to_the_office_with_the_vendors_meaning(
    vendor: Vendor, tmp_path: Path, http: httpx.AsyncClient
) -> None:
    wrong = None if vendor == "wecom" else "SECwrong"
    async with office_of(vendor, tmp_path, http, secret=wrong) as office:
        if vendor == "wecom":  # WeCom signs nothing: a wrong key is its wrong secret
            robot = office.config.channels.wecom.office
            wrong = robot.webhook.get_secret_value().replace("key=", "key=wrong")
            office.config = office.config.model_copy(
                update={
                    "channels": parse_config(
                        {"channels": {"wecom": {"office": {"webhook": wrong}}}}
                    ).channels
                }
            )
            office.sender = RobotSender(
                office.db, office.config.channels, clock=office.time, client=http
            )
        await office.queue_friday()
        await office.deliver()
        assert office.receiver.arrivals == []
        rows = await office.rows()
        assert {r["status"] for r in rows} <= {"failed", "skipped"}
        told = await office.db.fetchall(
            "SELECT payload FROM outbox WHERE chat_id = ? AND key LIKE 'robot-refused:%'",
            (OFFICE,),
        )
        assert len(told) == 1  # once, however many messages the robot refused
        text = json.loads(told[0]["payload"])["text"]
        meaning = {
            "wecom": rt.WECOM_BAD_KEY,
            "dingtalk": rt.DING_SIGN,
            "feishu": rt.FEISHU_SIGN,
        }[vendor]
        assert meaning in text
        assert rt.VENDOR_NAMES[vendor] in text


async def test_the_robots_webhook_and_secret_come_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ZHENGGAI_FEISHU_LEADERS_WEBHOOK", "https://open.feishu.cn/hook/x")
    monkeypatch.setenv("ZHENGGAI_FEISHU_LEADERS_SECRET", "s3cret")
    config = parse_config({"channels": {"feishu": {"leaders": {"secret": "from-file"}}}})
    leaders = config.channels.feishu.leaders
    assert leaders.on
    assert leaders.secret.get_secret_value() == "s3cret"  # the environment wins
    assert "s3cret" not in repr(config)


def test_a_secret_for_a_wecom_robot_is_a_clear_config_error() -> None:
    from bot.config import ConfigError

    with pytest.raises(ConfigError, match=r"\[channels\]\.wecom.*企业微信群机器人不加签"):
        parse_config({"channels": {"wecom": {"office": {"webhook": "https://x", "secret": "s"}}}})


@pytest.mark.parametrize("vendor", VENDORS)
async def test_a_send_cut_off_by_a_crash_is_shown_at_most_once(
    vendor: Vendor, tmp_path: Path, http: httpx.AsyncClient
) -> None:
    """DingTalk drops a repeated msgUuid, so its row goes again; for the others whether it
    arrived is unknown: it is marked uncertain rather than shown twice."""
    async with office_of(vendor, tmp_path, http) as office:
        await office.queue_friday()
        async with office.db.transaction() as tx:  # the process died mid-send
            await tx.execute(
                "UPDATE outbox SET status = 'sending' WHERE key = ?",
                (f"daily:2026-11-27@{vendor}:office",),
            )
        restarted = RobotSender(office.db, office.config.channels, clock=office.time, client=http)
        assert await restarted.recover() == (0 if vendor == "dingtalk" else 1)
        office.sender = restarted
        await office.deliver()
        daily = [t for t in office.receiver.texts if t.startswith("【一日一小结】")]
        assert len(daily) == (1 if vendor == "dingtalk" else 0)
        row = await office.db.fetchone(
            "SELECT status FROM outbox WHERE key = ?", (f"daily:2026-11-27@{vendor}:office",)
        )
        assert row is not None
        assert row["status"] == ("sent" if vendor == "dingtalk" else "uncertain")


async def test_rows_for_a_robot_taken_out_of_the_config_are_dropped_at_start(
    tmp_path: Path, http: httpx.AsyncClient
) -> None:
    async with office_of("feishu", tmp_path, http) as office:
        await office.queue_friday()
        assert await office.pending() > 0
        without = parse_config({"storage": dbs.storage(tmp_path, "robots")})
        assert await RobotSender(office.db, without.channels, clock=office.time).recover() == 0
        assert await office.pending() == 0
        rows = await office.rows()
        assert {r["status"] for r in rows} == {"skipped"}
        assert {r["last_error"] for r in rows} == {rt.NOT_CONFIGURED}


async def test_an_unexpected_failure_puts_the_row_back_and_the_robot_goes_on(
    tmp_path: Path, http: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A send that raises never leaves its row on its way (that would hold the robot's queue
    until a restart): it goes again later, and then arrives once."""
    from bot.robots.dingtalk import DingTalk

    async with office_of("dingtalk", tmp_path, http) as office:
        await office.queue_friday()
        real = DingTalk.send

        async def broken(*args: object, **kwargs: object) -> object:
            raise ValueError("a surprise")

        monkeypatch.setattr(DingTalk, "send", broken)
        await office.sender.step()
        first = (await office.rows())[0]
        assert first["status"] == "pending"
        assert "a surprise" not in first["last_error"]  # the office reads words, the log the rest
        monkeypatch.setattr(DingTalk, "send", real)
        await office.deliver()
        assert {r["status"] for r in await office.rows()} == {"sent"}
        assert len([t for t in office.receiver.texts if t.startswith("【一日一小结】")]) == 1
