"""Each robot against its local stand-in over real loopback HTTP: what the group would show.

The stand-ins (bot.sandbox.robots) verify keys and signatures as the vendors document
them, enforce the vendor's own rate limit, and record what arrived; the clock is pinned.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from bot.messages import OutMessage
from bot.robots import (
    VENDORS,
    DingTalk,
    Feishu,
    Outcome,
    Refused,
    RetryLater,
    Robot,
    Sent,
    Vendor,
    WeCom,
)
from bot.sandbox.robots import DingTalkReceiver, FeishuReceiver, Receiver, WeComReceiver
from bot.texts import robots as rt
from tests.unit.test_robots_pieces import digest_text

DING_SECRET = "SECding-secret-0000"
FEISHU_SECRET = "feishu-secret-0000"
DAILY = (
    "【一日一小结】2026年11月24日\n"
    "今日新报告整改进展 12 项，销号 3 项，新增逾期 1 项。\n"
    "整改率 62.5%（较昨日 +1.2 个百分点）。"
)
RATE_CODE = {"wecom": "45009", "dingtalk": "130101", "feishu": "11232"}
RATE_WAIT = {"wecom": 60.0, "dingtalk": 600.0, "feishu": 60.0}
CJK = re.compile(r"[\u4e00-\u9fff]")


class Clock:
    """The receivers' clock and the robots' `now`, pinned; tests move it by hand."""

    def __init__(self) -> None:
        self.now = 1_795_500_000.0

    def __call__(self) -> float:
        return self.now


def receiver_for(vendor: Vendor, clock: Clock, **options: Any) -> Receiver:
    if vendor == "wecom":
        return WeComReceiver(clock=clock, **options)
    if vendor == "dingtalk":
        return DingTalkReceiver(secret=DING_SECRET, clock=clock, **options)
    return FeishuReceiver(secret=FEISHU_SECRET, clock=clock, **options)


def robot_for(vendor: Vendor, url: str, secret: str | None = None) -> Robot:
    if vendor == "wecom":
        return WeCom(url)
    if vendor == "dingtalk":
        return DingTalk(url, secret or DING_SECRET)
    return Feishu(url, secret or FEISHU_SECRET)


def url_of(receiver: Receiver) -> str:
    assert isinstance(receiver, WeComReceiver | DingTalkReceiver | FeishuReceiver)
    return receiver.webhook_url


@dataclass
class Rig:
    """One vendor's robot, its receiver (enforcing the vendor's own limits), a clock."""

    vendor: Vendor
    robot: Robot
    receiver: Receiver
    clock: Clock
    client: httpx.AsyncClient
    sent: list[float] = field(default_factory=list)
    rows: int = 0  # outbox rows delivered: each piece's key is its row and its place

    async def send(self, piece: OutMessage, key: str | None = None) -> Outcome:
        return await self.robot.send(self.client, piece, self.clock.now, key)

    async def deliver(self, message: OutMessage) -> list[Outcome]:
        """Every piece, each when the robot's pace allows, as the outbox will do it."""
        outcomes = []
        self.rows += 1
        for n, piece in enumerate(self.robot.pieces(message)):
            self.clock.now += self.robot.pace.delay(self.sent, self.clock.now)
            outcomes.append(await self.send(piece, key=f"row-{self.rows}:{n}"))
            self.sent.append(self.clock.now)
        return outcomes


def loopback() -> httpx.AsyncClient:
    """An HTTP client for the stand-ins: no proxy from the environment, a short timeout."""
    return httpx.AsyncClient(timeout=2.0, trust_env=False)


@asynccontextmanager
async def rigged(vendor: Vendor, clock: Clock, client: httpx.AsyncClient) -> AsyncIterator[Rig]:
    """A vendor's robot and its stand-in, which enforces the vendor's own rate limits."""
    limits = robot_for(vendor, "http://unused").limits
    receiver = receiver_for(
        vendor, clock, per_minute=limits.per_minute, per_second=limits.per_second
    )
    async with receiver:
        yield Rig(vendor, robot_for(vendor, url_of(receiver)), receiver, clock, client)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with loopback() as http:
        yield http


@pytest.fixture(params=VENDORS)
async def rig(
    request: pytest.FixtureRequest, clock: Clock, client: httpx.AsyncClient
) -> AsyncIterator[Rig]:
    async with rigged(request.param, clock, client) as each:
        yield each


def code_of(answer: tuple[int, dict[str, Any]]) -> object:
    body = answer[1]
    return body.get("errcode", body.get("code"))


# -- text --------------------------------------------------------------------------------------


async def test_a_daily_summary_arrives_signed_as_one_message(rig: Rig) -> None:
    assert await rig.deliver(OutMessage(text=DAILY)) == [Sent()]
    assert rig.receiver.texts == [DAILY]
    assert rig.receiver.arrivals[0].signed == (rig.vendor != "wecom")


async def test_a_long_weekly_digest_arrives_in_order_each_part_within_the_limit(rig: Rig) -> None:
    text = digest_text(10_000)
    outcomes = await rig.deliver(OutMessage(text=text))
    assert outcomes == [Sent()] * len(outcomes)
    assert len(outcomes) > 1
    texts = rig.receiver.texts
    assert "\n".join(texts) == text
    lines = text.split("\n")
    for part in texts:  # whole lines only: each part starts and ends where a line does
        assert part.split("\n")[0] in lines
        assert part.split("\n")[-1] in lines
    if rig.vendor == "wecom":
        assert max(len(t.encode("utf-8")) for t in texts) <= 2048
    assert all(code_of(a) == 0 for a in rig.receiver.answers)  # never throttled on the way


async def test_the_pace_keeps_each_robot_inside_its_rate_limit(rig: Rig) -> None:
    start = rig.clock.now
    notices = [OutMessage(text=f"【通知】第{n}号：请于本周五前报送整改台账。") for n in range(45)]
    for notice in notices:
        assert await rig.deliver(notice) == [Sent()]
    assert len(rig.receiver.texts) == 45
    assert all(code_of(a) == 0 for a in rig.receiver.answers)
    took = rig.clock.now - start
    assert took > (120.0 if rig.vendor != "feishu" else 8.0)  # it waited, it did not burst


# -- rate limits -------------------------------------------------------------------------------


async def test_a_rate_limited_piece_comes_back_later_and_then_arrives_once(rig: Rig) -> None:
    rig.receiver.throttle(1)
    outcome = await rig.send(OutMessage(text=DAILY))
    assert isinstance(outcome, RetryLater)
    assert outcome.code == RATE_CODE[rig.vendor]
    assert outcome.after == RATE_WAIT[rig.vendor]
    assert outcome.meaning == rt.THROTTLED
    assert rig.receiver.texts == []
    rig.clock.now += outcome.after
    assert await rig.send(OutMessage(text=DAILY)) == Sent()
    assert rig.receiver.texts == [DAILY]


async def test_dingtalk_silences_a_robot_for_ten_minutes_after_one_send_too_many(
    clock: Clock, client: httpx.AsyncClient
) -> None:
    async with DingTalkReceiver(secret=DING_SECRET, clock=clock, per_minute=20) as receiver:
        robot = DingTalk(receiver.webhook_url, DING_SECRET)
        for n in range(20):
            assert await robot.send(client, OutMessage(text=f"第{n}条"), clock.now) == Sent()
        outcome = await robot.send(client, OutMessage(text="第20条"), clock.now)
        assert isinstance(outcome, RetryLater)
        assert (outcome.code, outcome.after) == ("130101", 600.0)
        clock.now += 599.0  # the minute is long past, the penalty is not
        assert isinstance(
            await robot.send(client, OutMessage(text="第20条"), clock.now), RetryLater
        )
        clock.now += 1.0
        assert await robot.send(client, OutMessage(text="第20条"), clock.now) == Sent()
        assert receiver.texts == [f"第{n}条" for n in range(21)]


async def test_feishu_http_429_waits_as_long_as_its_header_says(
    clock: Clock, client: httpx.AsyncClient
) -> None:
    async with FeishuReceiver(secret=FEISHU_SECRET, clock=clock) as receiver:
        receiver.fail(1, 429, {"x-ogw-ratelimit-reset": "7"})
        outcome = await Feishu(receiver.webhook_url, FEISHU_SECRET).send(
            client, OutMessage(text=DAILY), clock.now
        )
        assert isinstance(outcome, RetryLater)
        assert (outcome.after, outcome.code, outcome.meaning) == (7.0, "http-429", rt.THROTTLED)


# -- refusals ----------------------------------------------------------------------------------

WRONG_SECRET = {
    "dingtalk": Refused("310000", "签名不匹配：请核对机器人的加签密钥", "sign not match"),
    "feishu": Refused(
        "19021",
        rt.FEISHU_SIGN,
        "sign match fail or timestamp is not within one hour from current time",
    ),
}


@pytest.mark.parametrize("vendor", ["dingtalk", "feishu"])
async def test_a_wrong_secret_is_refused_for_good(
    vendor: Vendor, clock: Clock, client: httpx.AsyncClient
) -> None:
    async with receiver_for(vendor, clock) as receiver:
        robot = robot_for(vendor, url_of(receiver), secret="a-secret-from-another-robot")
        assert await robot.send(client, OutMessage(text=DAILY), clock.now) == WRONG_SECRET[vendor]
        assert receiver.arrivals == []


WRONG_KEY = {
    "wecom": ("93000", rt.WECOM_BAD_KEY),
    "dingtalk": ("300005", rt.DING_NO_TOKEN),
    "feishu": ("19001", rt.FEISHU_BAD_TOKEN),
}


@pytest.mark.parametrize("vendor", VENDORS)
async def test_a_wrong_key_or_token_is_refused_for_good(
    vendor: Vendor, clock: Clock, client: httpx.AsyncClient
) -> None:
    async with receiver_for(vendor, clock) as receiver:
        url = url_of(receiver).replace("-0000", "-9999")
        outcome = await robot_for(vendor, url).send(client, OutMessage(text=DAILY), clock.now)
        assert isinstance(outcome, Refused)
        assert (outcome.code, outcome.meaning) == WRONG_KEY[vendor]
        assert receiver.arrivals == []


@pytest.mark.parametrize("vendor", ["dingtalk", "feishu"])
async def test_a_clock_more_than_an_hour_off_is_refused_within_it_accepted(
    vendor: Vendor, clock: Clock, client: httpx.AsyncClient
) -> None:
    async with receiver_for(vendor, clock) as receiver:
        robot = robot_for(vendor, url_of(receiver))
        outcome = await robot.send(client, OutMessage(text=DAILY), clock.now - 3700)
        assert isinstance(outcome, Refused)
        assert "时间" in outcome.meaning
        assert await robot.send(client, OutMessage(text=DAILY), clock.now - 3500) == Sent()
        assert receiver.texts == [DAILY]


@pytest.mark.parametrize(
    ("vendor", "code", "meaning"),
    [("dingtalk", "310000", rt.DING_KEYWORD), ("feishu", "19024", rt.FEISHU_KEYWORD)],
)
async def test_a_keyword_rule_refuses_a_message_without_the_keyword(
    vendor: Vendor, code: str, meaning: str, clock: Clock, client: httpx.AsyncClient
) -> None:
    async with receiver_for(vendor, clock, keywords=("整改",)) as receiver:
        robot = robot_for(vendor, url_of(receiver))
        outcome = await robot.send(client, OutMessage(text="本周例会改到周四"), clock.now)
        assert isinstance(outcome, Refused)
        assert (outcome.code, outcome.meaning) == (code, meaning)
        assert await robot.send(client, OutMessage(text=DAILY), clock.now) == Sent()
        assert receiver.texts == [DAILY]
