"""Each robot against its local stand-in over real loopback HTTP: what the group would show.

The stand-ins (bot.sandbox.robots) verify keys and signatures as the vendors document
them, enforce the vendor's own rate limit, and record what arrived; the clock is pinned.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from bot.messages import OutMessage
from bot.robots import VENDORS, DingTalk, Feishu, Refused, RetryLater, Sent, Vendor
from bot.sandbox.robots import DingTalkReceiver, FeishuReceiver
from bot.texts import robots as rt
from tests.unit.robots.rig import (
    DAILY,
    DING_SECRET,
    FEISHU_SECRET,
    RATE_CODE,
    RATE_WAIT,
    Clock,
    Rig,
    receiver_for,
    robot_for,
    url_of,
)
from tests.unit.robots.test_robots_pieces import digest_text


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
