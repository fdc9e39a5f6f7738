"""When a send fails: timeouts, dead hosts and 5xx are retried later; every documented vendor
code is either retried after its own wait or refused with a meaning an office can act on."""

from __future__ import annotations

import re
import socket
from typing import Any

import httpx
import pytest

from bot.messages import OutMessage
from bot.robots import VENDORS, DingTalk, Feishu, Refused, RetryLater, Sent, Vendor
from bot.sandbox.robots import DingTalkReceiver, FeishuReceiver
from bot.texts import robots as rt
from tests.unit.robots.rig import (
    CJK,
    DAILY,
    DING_SECRET,
    Clock,
    Rig,
    receiver_for,
    robot_for,
    url_of,
)


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.parametrize("failure", ["timeout", "network", "http-500"])
async def test_a_timeout_a_refused_connection_or_a_500_is_retried_later(
    rig: Rig, failure: str
) -> None:
    robot = rig.robot
    if failure == "timeout":
        rig.receiver.hang(1)
        rig.client.timeout = httpx.Timeout(0.3)
    elif failure == "network":
        port = f":{closed_port()}/"
        robot = robot_for(rig.vendor, re.sub(r":\d+/", port, url_of(rig.receiver)))
    else:
        rig.receiver.fail(1, 500)
    outcome = await robot.send(rig.client, OutMessage(text=DAILY), rig.clock.now)
    assert isinstance(outcome, RetryLater)
    assert outcome.code == failure
    assert CJK.search(outcome.meaning)
    assert rig.receiver.texts == []
    rig.clock.now += outcome.after
    assert await rig.send(OutMessage(text=DAILY)) == Sent()
    assert rig.receiver.texts == [DAILY]


async def test_dingtalk_posts_a_piece_once_when_its_answer_was_lost(clock: Clock) -> None:
    async with (
        DingTalkReceiver(secret=DING_SECRET, clock=clock) as receiver,
        httpx.AsyncClient(timeout=0.3, trust_env=False) as client,
    ):
        robot = DingTalk(receiver.webhook_url, DING_SECRET)
        receiver.hang(1, after_arrival=True)
        outcome = await robot.send(client, OutMessage(text=DAILY), clock.now, key="row-7:0")
        assert isinstance(outcome, RetryLater)
        assert outcome.code == "timeout"
        clock.now += outcome.after
        assert await robot.send(client, OutMessage(text=DAILY), clock.now, key="row-7:0") == Sent()
        assert receiver.texts == [DAILY]  # the group sees it once
        # Without a key the same retry would show it twice: the outbox must pass one.
        assert await robot.send(client, OutMessage(text=DAILY), clock.now) == Sent()
        assert receiver.texts == [DAILY, DAILY]


# -- every documented code ---------------------------------------------------------------------

RETRIED = {
    "wecom": {-1: 30.0, 45009: 60.0, 40007: 30.0},
    "dingtalk": {-1: 30.0, 130101: 600.0, 410100: 600.0},
    "feishu": {11232: 60.0, 2200: 30.0},
}
REFUSED = {
    "wecom": [93000, 40058, 44004, 40008, 40004, 40005, 40006, 40009, 45002, 301019],
    "dingtalk": [
        300001,
        300005,
        400101,
        400013,
        400102,
        400105,
        400106,
        430101,
        430102,
        430103,
        430104,
        40035,
        43004,
        460101,
        310000,
    ],
    "feishu": [19001, 19002, 19021, 19022, 19024, 9499],
}
CASES = [(v, c) for v in VENDORS for c in [*RETRIED[v], *REFUSED[v], 123456]]


def vendor_body(vendor: Vendor, code: int, message: str) -> dict[str, Any]:
    if vendor == "feishu":
        return {"code": code, "msg": message, "data": {}}
    return {"errcode": code, "errmsg": message}


@pytest.mark.parametrize(("vendor", "code"), CASES)
async def test_every_documented_code_is_retried_or_refused_with_a_meaning(
    vendor: Vendor, code: int, clock: Clock, client: httpx.AsyncClient
) -> None:
    async with receiver_for(vendor, clock) as receiver:
        receiver.reply(200, vendor_body(vendor, code, "vendor words"))
        outcome = await robot_for(vendor, url_of(receiver)).send(
            client, OutMessage(text=DAILY), clock.now
        )
    assert not isinstance(outcome, Sent)
    assert outcome.code == str(code)
    assert outcome.detail == "vendor words"
    assert CJK.search(outcome.meaning)
    if code in RETRIED[vendor]:
        assert isinstance(outcome, RetryLater)
        assert outcome.after == RETRIED[vendor][code]
    else:
        assert isinstance(outcome, Refused)
    if code == 123456:
        assert "123456" in outcome.meaning
        assert "vendor words" in outcome.meaning


@pytest.mark.parametrize(
    ("errmsg", "meaning"),
    [
        ("keywords not in content", rt.DING_KEYWORD),
        ("sign not match", rt.DING_SIGN),
        ("invalid timestamp", rt.DING_TIMESTAMP),
        ("ip 203.0.113.7 not in whitelist", rt.DING_IP),
    ],
)
async def test_dingtalk_310000_says_which_security_rule_failed(
    errmsg: str, meaning: str, clock: Clock, client: httpx.AsyncClient
) -> None:
    async with DingTalkReceiver(clock=clock) as receiver:
        receiver.reply(200, {"errcode": 310000, "errmsg": errmsg})
        outcome = await DingTalk(receiver.webhook_url).send(client, OutMessage(text="x"), 0.0)
    assert outcome == Refused("310000", meaning, errmsg)


async def test_feishu_legacy_status_code_and_gateway_pages(
    clock: Clock, client: httpx.AsyncClient
) -> None:
    async with FeishuReceiver(secret=None, clock=clock) as receiver:
        robot = Feishu(receiver.webhook_url)
        receiver.reply(200, {"StatusCode": 0, "StatusMessage": "success"})
        assert await robot.send(client, OutMessage(text=DAILY), clock.now) == Sent()
        receiver.fail(1, 404)
        outcome = await robot.send(client, OutMessage(text=DAILY), clock.now)
        assert isinstance(outcome, Refused)
        assert outcome.code == "http-404"
        receiver.fail(1, 502)
        outcome = await robot.send(client, OutMessage(text=DAILY), clock.now)
        assert isinstance(outcome, RetryLater)
        assert outcome.code == "http-502"
