"""What each robot makes of a message, before any network: parts, files, pace."""

from __future__ import annotations

import unicodedata

import pytest

from bot.messages import Attachment, Button, OutMessage
from bot.robots import VENDORS, DingTalk, Feishu, Robot, Vendor, WeCom, make_robot
from bot.robots.base import Pace, Window

ROBOTS: dict[Vendor, Robot] = {
    "wecom": WeCom("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k"),
    "dingtalk": DingTalk("https://oapi.dingtalk.com/robot/send?access_token=t", "SECx"),
    "feishu": Feishu("https://open.feishu.cn/open-apis/bot/v2/hook/t", "s"),
}
CHART = Attachment(kind="photo", path="/data/charts/weekly-2026-W48.png")
TABLE = Attachment(kind="document", path="/data/charts/weekly-2026-W48.xlsx")


def digest_text(chars: int = 10_000) -> str:
    """A weekly digest of about `chars` Chinese characters over many lines."""
    lines = ["【一周一汇总】2026年第48周（11月23日—11月29日）", ""]
    n = 0
    while sum(len(line) + 1 for line in lines) < chars:
        n += 1
        lines.append(
            f"{n}. 第{n}巡察组反馈问题整改：应整改 {n % 9 + 3} 项，已销号 {n % 5} 项，"
            f"逾期 {n % 3} 项，整改率 {(n * 7) % 100}%；“三重一大”制度执行不到位。"
        )
    return "\n".join(lines)


@pytest.mark.parametrize("vendor", VENDORS)
def test_a_long_digest_splits_at_line_ends_within_the_limit_and_no_more_often(
    vendor: Vendor,
) -> None:
    robot = ROBOTS[vendor]
    text = digest_text()
    assert len(text) >= 10_000
    parts = [p.text for p in robot.pieces(OutMessage(text=text))]
    assert "\n".join(parts) == text  # nothing lost, nothing reordered, cut at line ends
    lines = text.split("\n")
    at = 0
    for index, part in enumerate(parts):
        assert robot.limits.text_size(part) <= robot.limits.text_max
        part_lines = part.split("\n")
        assert lines[at : at + len(part_lines)] == part_lines
        at += len(part_lines)
        if index < len(parts) - 1:  # greedy: the next line would not have fitted
            assert robot.limits.text_size(part + "\n" + lines[at]) > robot.limits.text_max
    # The office sees as few messages as the limit allows.
    total = robot.limits.text_size(text)
    assert len(parts) <= total // robot.limits.text_max + 2


@pytest.mark.parametrize("vendor", VENDORS)
@pytest.mark.parametrize("offset", range(3))
def test_a_cut_never_parts_a_mark_from_its_letter(vendor: Vendor, offset: int) -> None:
    """With 1-byte letters and 2-byte marks, one of three offsets puts the limit on a mark."""
    robot = ROBOTS[vendor]
    line = "a" * offset + "e\u0301" * 9000
    parts = [p.text for p in robot.pieces(OutMessage(text=line))]
    assert "".join(parts) == line
    assert all(unicodedata.combining(part[0]) == 0 for part in parts)


@pytest.mark.parametrize("vendor", VENDORS)
def test_a_line_longer_than_the_limit_is_cut_between_whole_characters(vendor: Vendor) -> None:
    robot = ROBOTS[vendor]
    flag, thumbs = "\U0001f1e8\U0001f1f3", "\U0001f44d\U0001f3fd"
    line = "整改" * 4000 + flag + "e\u0301" * 50 + thumbs + "❤\ufe0f" * 400 + "完"
    parts = [p.text for p in robot.pieces(OutMessage(text=line))]
    assert len(parts) > 1
    assert "".join(parts) == line
    for part in parts:
        assert robot.limits.text_size(part) <= robot.limits.text_max
        assert part.encode("utf-8").decode("utf-8") == part
        first = part[0]
        assert unicodedata.combining(first) == 0
        assert first not in "\ufe0f\u200d\U0001f3fd"


def test_wecom_counts_utf8_bytes_and_the_others_the_json_body() -> None:
    text = 'a"\n整'
    assert ROBOTS["wecom"].limits.text_size(text) == 1 + 1 + 1 + 3
    for vendor in ("dingtalk", "feishu"):
        assert ROBOTS[vendor].limits.text_size(text) == 1 + 2 + 2 + 3  # \" and \n cost two


@pytest.mark.parametrize("vendor", VENDORS)
def test_buttons_are_dropped_and_edits_yield_nothing(vendor: Vendor) -> None:
    robot = ROBOTS[vendor]
    buttons = ((Button(text="报告 XC-1", action="report:1"),),)
    message = OutMessage(text="【今日待办】", buttons=buttons, reply_to_message_id=5)
    assert robot.pieces(message) == [OutMessage(text="【今日待办】")]
    assert robot.pieces(message.model_copy(update={"edit_message_id": 9})) == []
    assert robot.pieces(OutMessage(text=" \n ")) == []


def test_wecom_sends_the_chart_first_then_its_caption() -> None:
    message = OutMessage(text="挂图作战图｜第48周", attachment=CHART)
    assert ROBOTS["wecom"].pieces(message) == [
        OutMessage(text="", attachment=CHART),
        OutMessage(text="挂图作战图｜第48周"),
    ]


def test_wecom_sends_the_weekly_table_as_a_file_then_its_caption() -> None:
    message = OutMessage(text="一周一汇总 全表（第48周）", attachment=TABLE)
    pieces = ROBOTS["wecom"].pieces(message)
    assert [p.attachment for p in pieces] == [TABLE, None]


@pytest.mark.parametrize("vendor", ["dingtalk", "feishu"])
@pytest.mark.parametrize("attachment", [CHART, TABLE])
def test_a_file_the_robot_cannot_carry_takes_its_caption_with_it(
    vendor: Vendor, attachment: Attachment
) -> None:
    message = OutMessage(text="挂图作战图｜第48周", attachment=attachment)
    assert ROBOTS[vendor].pieces(message) == []


@pytest.mark.parametrize("vendor", VENDORS)
def test_a_telegram_file_id_cannot_go_to_any_robot(vendor: Vendor) -> None:
    message = OutMessage(text="通知", attachment=Attachment(kind="document", file_id="BQAC"))
    assert ROBOTS[vendor].pieces(message) == []


def test_wecom_takes_only_png_and_jpg_images() -> None:
    gif = Attachment(kind="photo", path="/data/x.gif")
    assert ROBOTS["wecom"].pieces(OutMessage(text="图", attachment=gif)) == []
    jpg = Attachment(kind="photo", path="/data/x.JPG")
    assert len(ROBOTS["wecom"].pieces(OutMessage(text="图", attachment=jpg))) == 2


def test_the_documented_limits() -> None:
    wecom, ding, feishu = (ROBOTS[v].limits for v in VENDORS)
    assert (wecom.per_minute, wecom.text_max, wecom.text_measure) == (20, 2048, "utf8")
    assert (wecom.image, wecom.image_max, wecom.file) == (True, 2 * 1024 * 1024, True)
    assert (ding.per_minute, ding.image, ding.file) == (20, False, False)
    assert ding.text_max < 20_000
    assert ding.text_measure == "json"
    assert (feishu.per_minute, feishu.per_second, feishu.image, feishu.file) == (
        100,
        5,
        False,
        False,
    )
    assert feishu.text_max < 20_000


def send_paced(pace: Pace, count: int, start: float = 1000.0) -> list[float]:
    """When `count` sends go if each waits as the pace says."""
    now, sent = start, list[float]()
    for _ in range(count):
        now += pace.delay(sent, now)
        sent.append(now)
    return sent


@pytest.mark.parametrize("vendor", ["wecom", "dingtalk"])
def test_the_pace_keeps_twenty_a_minute_with_room_to_spare(vendor: Vendor) -> None:
    times = send_paced(ROBOTS[vendor].pace, 65)
    for t in times:
        assert len([u for u in times if t <= u < t + 60.0]) <= 20
    assert times[19] == times[0]  # the first twenty go at once
    assert times[20] - times[0] > 60.0  # the 21st waits out the minute, and a margin


def test_the_feishu_pace_keeps_five_a_second_and_a_hundred_a_minute() -> None:
    times = send_paced(ROBOTS["feishu"].pace, 230)
    for t in times:
        assert len([u for u in times if t <= u < t + 1.0]) <= 5
        assert len([u for u in times if t <= u < t + 60.0]) <= 100
    assert times[5] > times[0] + 1.0


def test_the_pace_ignores_sends_older_than_its_windows() -> None:
    pace = Pace((Window(2, 10.0),))
    assert pace.delay([0.0, 1.0], 20.0) == 0.0
    assert pace.delay([15.0, 16.0], 20.0) == pytest.approx(5.0)
    assert pace.delay([16.0, 15.0, 0.0], 20.0) == pytest.approx(5.0)


def test_make_robot_builds_each_vendor_and_refuses_a_wecom_secret() -> None:
    assert isinstance(make_robot("wecom", "https://x/send?key=k"), WeCom)
    assert isinstance(make_robot("dingtalk", "https://x", "SEC"), DingTalk)
    assert isinstance(make_robot("feishu", "https://x"), Feishu)
    with pytest.raises(ValueError, match="WeCom"):
        make_robot("wecom", "https://x/send?key=k", "secret")
