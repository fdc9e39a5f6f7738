"""挂图作战: the sample ledger's chart in the packaged Chinese font, readable at any size."""

from __future__ import annotations

import asyncio
import importlib.util
import logging
import time
import warnings
from pathlib import Path

import pytest
from matplotlib import font_manager

from bot.cli import main
from bot.sandbox.files import image_size
from bot.services.duties import chart
from bot.services.duties.chart import UnitBar, render, worst_first
from storage import duty_state, figures
from storage.db import Database
from storage.duty_state import ProblemState, WeekFigures
from storage.migrations import open_database
from storage.standing import Tally
from tests import dbs
from tests.unit.test_ledger_stats import TODAY, load_sample

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == PNG_SIGNATURE
    size = image_size(data)
    assert size is not None
    return size


def unit(n: int) -> UnitBar:
    return UnitBar(f"某县第{n}个名字很长很长的整改责任单位", n % 7, n % 3, n % 4, n % 5 + 1, n % 6)


async def test_sample_chart_has_every_glyph_from_the_packaged_font(
    db: Database, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    await load_sample(db, tmp_path)
    last = WeekFigures(period="2026-W47", total=52, closed=8, awaiting=4)
    with warnings.catch_warnings(), caplog.at_level(logging.WARNING, logger="matplotlib"):
        warnings.simplefilter("error")  # "Glyph … missing from font(s)" is a UserWarning
        bars = chart.bars_of(await figures.counts_by(db, "unit", TODAY))
        drawn = await chart.weekly_chart(bars, TODAY, last, "第六轮巡察")
    assert [r.getMessage() for r in caplog.records] == []
    assert drawn.left_out == 0
    [image] = drawn.images
    width, height = png_size(image)
    assert width == chart.WIDTH_PX
    assert 600 < height < 2000

    spec = importlib.util.find_spec(chart.FONT_PACKAGE)
    assert spec is not None
    assert spec.origin is not None
    package = Path(spec.origin).parent
    font = chart.font_path()
    assert font.parent == package
    assert "site-packages" in font.parts
    assert font_manager.findfont(chart._font()) == str(font)


def test_the_glyph_check_would_catch_a_missing_glyph() -> None:
    bar = UnitBar("县财政局\U0001f600", 1, 0, 0, 0, 0)  # an emoji Noto Sans SC lacks
    with pytest.warns(UserWarning, match="missing from font"):
        render([bar], 1.0, None, "第六轮巡察", TODAY)


def test_six_units_make_one_image_and_sixty_make_several_of_the_worst_thirty() -> None:
    [one] = render([unit(n) for n in range(6)], 0.4, 1.5, "第六轮巡察", TODAY)
    assert png_size(one)[0] == chart.WIDTH_PX

    many = [unit(n) for n in range(60)]
    started = time.perf_counter()
    images = render(many, 0.4, -2.0, "第六轮巡察", TODAY)
    print(f"60 units rendered in {time.perf_counter() - started:.2f} s")
    assert len(images) == 2
    assert chart.left_out(many) == 30
    for image in images:
        width, height = png_size(image)
        assert width == chart.WIDTH_PX
        assert height <= chart.HEAD_PX + chart.PER_IMAGE * chart.ROW_PX + chart.FOOT_PX


async def test_each_bar_counts_every_problem_of_its_unit_once(db: Database, tmp_path: Path) -> None:
    """The chart counts in the database; what it draws is what the problems say one by one."""
    await load_sample(db, tmp_path)
    problems = await duty_state.problems(db)
    by_unit: dict[str, list[ProblemState]] = {}
    for p in problems:
        by_unit.setdefault(p.unit_name, []).append(p)
    bars = chart.bars_of(await figures.counts_by(db, "unit", TODAY))
    assert sorted(b.name for b in bars) == sorted(by_unit)
    for bar in bars:
        tally = Tally.of(by_unit[bar.name], TODAY)
        assert bar.counts == (
            tally.closed,
            tally.awaiting,
            tally.in_progress,
            tally.not_started,
            tally.overdue,
        )
        assert bar.total == tally.total == len(by_unit[bar.name])
    assert min(sum(b.counts[i] for b in bars) for i in range(5)) > 0  # the sample has every share


def test_worst_first_is_most_overdue_then_lowest_rate() -> None:
    bars = [
        UnitBar("好", 5, 0, 0, 0, 0),
        UnitBar("慢", 0, 0, 1, 4, 0),
        UnitBar("逾期少", 3, 0, 0, 0, 1),
        UnitBar("逾期多", 9, 0, 0, 0, 3),
    ]
    assert [b.name for b in worst_first(bars)] == ["逾期多", "逾期少", "慢", "好"]


def test_title_says_the_rate_and_its_change() -> None:
    assert chart.title(0.725, 3.1) == "挂图作战：整改率 72.5%（较上周 +3.1 个百分点）"
    assert chart.title(0.5, -1.04) == "挂图作战：整改率 50.0%（较上周 −1.0 个百分点）"
    assert chart.title(0.5, None) == "挂图作战：整改率 50.0%（首次汇总）"
    assert chart.change_pp(0.5, 2, 5) == pytest.approx(10.0)
    assert chart.change_pp(0.5, 0, 0) is None


def test_save_names_the_second_image_after_the_first(tmp_path: Path) -> None:
    paths = chart.save([b"a", b"b", b"c"], tmp_path / "chart.png")
    assert [p.name for p in paths] == ["chart.png", "chart-2.png", "chart-3.png"]
    assert (tmp_path / "chart-3.png").read_bytes() == b"c"


def test_cli_writes_the_weekly_chart(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "config.toml"
    section = dbs.storage(tmp_path, "z")
    config.write_text(dbs.storage_toml(section), encoding="utf-8")

    async def sample() -> None:
        db = await open_database(dbs.target(tmp_path, "z"))
        try:
            await load_sample(db, tmp_path)
        finally:
            await db.close()

    asyncio.run(sample())
    out = tmp_path / "chart.png"
    assert main(["digest", "weekly", "--chart", str(out), "--config", str(config)]) == 0
    assert f"已生成挂图作战图：{out}" in capsys.readouterr().out
    assert png_size(out.read_bytes())[0] == chart.WIDTH_PX
    assert main(["digest", "daily", "--chart", str(out), "--config", str(config)]) == 2
