"""The chart and the weekly table: an image and a file on WeCom, left out where a robot cannot
carry them, refused before any request when too big or gone."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

import httpx
import pytest

from bot.messages import Attachment, OutMessage
from bot.robots import Refused, Sent, Vendor, WeCom
from bot.sandbox.robots import WeComReceiver
from bot.services.duties.chart import UnitBar, render
from tests.unit.robots.rig import DAILY, Clock, Rig, receiver_for, robot_for, url_of


@pytest.fixture(scope="module")
def chart_png() -> bytes:
    """The real 挂图作战 chart, drawn as the weekly digest draws it."""
    bars = [UnitBar(f"第{n}巡察组反馈单位", n % 4, n % 3, n % 2, n % 5, n % 3) for n in range(8)]
    [image] = render(bars, 0.55, 1.5, "十四届县委第六轮巡察", date(2026, 11, 24))
    return image


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
