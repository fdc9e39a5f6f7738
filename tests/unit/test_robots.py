"""Each robot against its local stand-in over real loopback HTTP: what the group would show.

The stand-ins (bot.sandbox.robots) verify keys and signatures as the vendors document
them, enforce the vendor's own rate limit, and record what arrived; the clock is pinned.
"""

from __future__ import annotations

import hashlib
import re
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.messages import Attachment, OutMessage
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
from bot.services.duties.chart import UnitBar, render
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


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=2.0, trust_env=False) as http:
        yield http


@pytest.fixture(params=VENDORS)
async def rig(
    request: pytest.FixtureRequest, clock: Clock, client: httpx.AsyncClient
) -> AsyncIterator[Rig]:
    vendor: Vendor = request.param
    limits = robot_for(vendor, "http://unused").limits
    receiver = receiver_for(
        vendor, clock, per_minute=limits.per_minute, per_second=limits.per_second
    )
    async with receiver:
        yield Rig(vendor, robot_for(vendor, url_of(receiver)), receiver, clock, client)


@pytest.fixture(scope="module")
def chart_png() -> bytes:
    """The real 挂图作战 chart, drawn as the weekly digest draws it."""
    bars = [UnitBar(f"第{n}巡察组反馈单位", n % 4, n % 3, n % 2, n % 5, n % 3) for n in range(8)]
    [image] = render(bars, 0.55, 1.5, "十四届县委第六轮巡察", date(2026, 11, 24))
    return image


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
        assert outcome == RetryLater(7.0, "http-429", rt.THROTTLED, outcome.detail)


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


# -- files -------------------------------------------------------------------------------------


async def test_the_chart_arrives_on_wecom_as_an_image_before_its_caption(
    clock: Clock, client: httpx.AsyncClient, tmp_path: Path, chart_png: bytes
) -> None:
    path = tmp_path / "weekly-2026-W48.png"
    path.write_bytes(chart_png)
    message = OutMessage(
        text="挂图作战图｜第48周", attachment=Attachment(kind="photo", path=str(path))
    )
    async with WeComReceiver(clock=clock) as receiver:
        robot = WeCom(receiver.webhook_url)
        outcomes = [await robot.send(client, p, clock.now) for p in robot.pieces(message)]
        assert outcomes == [Sent(), Sent()]
        image, caption = receiver.arrivals
        assert image.kind == "image"
        assert hashlib.md5(image.data).hexdigest() == hashlib.md5(chart_png).hexdigest()
        assert (caption.kind, caption.text) == ("text", "挂图作战图｜第48周")


async def test_the_weekly_table_arrives_on_wecom_as_a_file_with_its_name(
    clock: Clock, client: httpx.AsyncClient, tmp_path: Path
) -> None:
    path = tmp_path / "weekly-2026-W48.xlsx"
    path.write_bytes(b"PK\x03\x04" + bytes(range(256)) * 40)
    message = OutMessage(
        text="一周一汇总 全表（第48周）", attachment=Attachment(kind="document", path=str(path))
    )
    async with WeComReceiver(clock=clock) as receiver:
        robot = WeCom(receiver.webhook_url)
        outcomes = [await robot.send(client, p, clock.now) for p in robot.pieces(message)]
        assert outcomes == [Sent(), Sent()]
        file, caption = receiver.arrivals
        assert (file.kind, file.name, file.data) == ("file", path.name, path.read_bytes())
        assert caption.text == "一周一汇总 全表（第48周）"


@pytest.mark.parametrize("vendor", ["dingtalk", "feishu"])
async def test_the_chart_and_table_are_left_out_where_the_robot_cannot_carry_them(
    vendor: Vendor, clock: Clock, client: httpx.AsyncClient, tmp_path: Path, chart_png: bytes
) -> None:
    path = tmp_path / "chart.png"
    path.write_bytes(chart_png)
    async with receiver_for(vendor, clock) as receiver:
        rig = Rig(vendor, robot_for(vendor, url_of(receiver)), receiver, clock, client)
        for kind in ("photo", "document"):
            file = Attachment(kind=kind, path=str(path))
            assert await rig.deliver(OutMessage(text="挂图作战图｜第48周", attachment=file)) == []
        assert await rig.deliver(OutMessage(text=DAILY)) == [Sent()]
        assert receiver.texts == [DAILY]  # no caption went without its picture
        assert receiver.requests == 1


async def test_an_image_over_two_megabytes_is_refused_without_a_request(
    clock: Clock, client: httpx.AsyncClient, tmp_path: Path, chart_png: bytes
) -> None:
    path = tmp_path / "huge.png"
    path.write_bytes(chart_png + b"\0" * (2 * 1024 * 1024))
    async with WeComReceiver(clock=clock) as receiver:
        piece = OutMessage(text="", attachment=Attachment(kind="photo", path=str(path)))
        outcome = await WeCom(receiver.webhook_url).send(client, piece, clock.now)
        assert outcome == Refused("40009", "图片超过 2 MB，机器人无法发送")
        assert receiver.requests == 0


async def test_a_chart_file_that_is_gone_is_refused(
    clock: Clock, client: httpx.AsyncClient
) -> None:
    async with WeComReceiver(clock=clock) as receiver:
        piece = OutMessage(text="", attachment=Attachment(kind="photo", path="/nonexistent/c.png"))
        outcome = await WeCom(receiver.webhook_url).send(client, piece, clock.now)
        assert isinstance(outcome, Refused)
        assert outcome.code == "file"
        assert receiver.requests == 0


# -- transport ---------------------------------------------------------------------------------


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
