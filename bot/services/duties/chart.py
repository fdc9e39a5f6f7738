"""挂图作战: one stacked bar per unit, worst first, as PNG images a phone can read.

Pure: neutral figures in, PNG bytes out. It draws on its own `Figure` with the Agg canvas
(no pyplot state), so a worker thread may call it. The Chinese font comes from the
`pylopdf-fonts-zh-cn` package (Noto Sans SC, SIL OFL 1.1), never from the OS.
"""

from __future__ import annotations

import asyncio
import io
import math
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from importlib import resources
from pathlib import Path

from matplotlib import font_manager
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from bot.messages import shorten
from bot.services.duties.digest import change_text
from bot.services.ledger.figures import pct
from bot.texts import chart as tc
from bot.texts.dates import day
from storage.duty_state import WeekFigures
from storage.figures import Counts

FONT_PACKAGE = "pylopdf_fonts_zh_cn"
FONT_FILE = "NotoSansSC-Regular.otf"

PER_IMAGE = 20  # more bars than this no longer read on a phone
MAX_UNITS = 30  # past this the chart shows the worst and says how many it left out
WIDTH_PX = 1080
DPI = 100
ROW_PX = 96
HEAD_PX = 200
FOOT_PX = 120
NAME_CHARS = 14

# 已销号, 待验收, 整改中, 未启动, 逾期: segment colours, and the text colour inside each.
COLOURS = ("#2e7d32", "#1e88e5", "#f9a825", "#cfd8dc", "#d32f2f")
INK = ("white", "white", "black", "black", "white")


class FontMissing(RuntimeError):
    """The Chinese font package is not installed: the chart would show empty boxes."""


@dataclass(frozen=True)
class UnitBar:
    """One unit's problems in five disjoint counts (the caller guarantees disjointness)."""

    name: str
    closed: int
    awaiting: int
    in_progress: int
    not_started: int
    overdue: int

    @property
    def counts(self) -> tuple[int, int, int, int, int]:
        return (self.closed, self.awaiting, self.in_progress, self.not_started, self.overdue)

    @property
    def total(self) -> int:
        return sum(self.counts)

    @property
    def rate(self) -> float | None:
        """整改率 = 已销号 ÷ 问题总数."""
        return self.closed / self.total if self.total else None


def bars_of(counts: Iterable[Counts]) -> list[UnitBar]:
    """Each unit's bar from its five shares as the database counts them (`storage.figures`,
    the SQL side of `storage.standing`): no problem is read one by one."""
    return [
        UnitBar(c.label, c.closed, c.awaiting, c.in_progress, c.not_started, c.overdue)
        for c in counts
    ]


def worst_first(bars: list[UnitBar]) -> list[UnitBar]:
    """Most 逾期 first; then the lowest 整改率; then the most problems; then by name."""
    return sorted(
        bars,
        key=lambda b: (-b.overdue, b.rate if b.rate is not None else 2.0, -b.total, b.name),
    )


def left_out(bars: list[UnitBar]) -> int:
    """How many units the chart leaves out (only the worst MAX_UNITS are drawn)."""
    return max(0, len(bars) - MAX_UNITS)


def change_pp(rate: float | None, closed_before: int, total_before: int) -> float | None:
    """The change of 整改率 in percentage points since a week's figures; None without them."""
    if rate is None or total_before <= 0:
        return None
    return (rate - closed_before / total_before) * 100


def title(rate: float | None, change: float | None) -> str:
    if rate is None:
        return tc.NO_PROBLEMS
    return tc.TITLE.format(rate=pct(rate), change=change_text(change))


def render(
    bars: list[UnitBar],
    rate: float | None,
    change: float | None,
    round_name: str,
    on: date,
) -> list[bytes]:
    """The chart as PNG images: at most PER_IMAGE units each, MAX_UNITS in all, worst first.

    rate: the overall 整改率; change: its change in percentage points since last week (None
    for the first digest). When units are left out, the last image's footer says how many.
    """
    font = _font()
    shown = worst_first(bars)[:MAX_UNITS]
    pages = max(1, math.ceil(len(shown) / PER_IMAGE))
    size = math.ceil(len(shown) / pages) if shown else 0
    images = []
    for page in range(pages):
        chunk = shown[page * size : (page + 1) * size]
        footer = tc.FOOTER.format(round=round_name, date=day(on))
        if pages > 1:
            footer += tc.PAGE.format(page=page + 1, pages=pages)
        if page == pages - 1 and left_out(bars):
            footer += "\n" + tc.LEFT_OUT.format(count=left_out(bars))
        images.append(_draw(chunk, page * size, title(rate, change), footer, font))
    return images


def _draw(
    bars: list[UnitBar],
    first_rank: int,
    heading: str,
    footer: str,
    font: font_manager.FontProperties,
) -> bytes:
    rows = max(len(bars), 1)
    height_px = HEAD_PX + rows * ROW_PX + FOOT_PX
    figure = Figure(figsize=(WIDTH_PX / DPI, height_px / DPI), dpi=DPI, facecolor="white")
    FigureCanvasAgg(figure)

    def at(pt: float) -> font_manager.FontProperties:
        return _sized(font, pt)

    top = 1 - 24 / height_px
    figure.text(0.04, top, heading, fontproperties=at(26), va="top")
    figure.legend(
        handles=[Patch(color=c, label=label) for c, label in zip(COLOURS, tc.LEGEND, strict=True)],
        loc="upper left",
        bbox_to_anchor=(0.03, 1 - 70 / height_px),
        ncols=5,
        frameon=False,
        prop=at(19),
        handlelength=1.2,
        columnspacing=1.4,
    )
    figure.text(0.04, 1 - 170 / height_px, tc.ORDER, fontproperties=at(15), color="#555555")
    figure.text(0.04, 40 / height_px, footer, fontproperties=at(17), color="#333333", va="bottom")

    axes = figure.add_axes(
        (0.04, FOOT_PX / height_px, 0.92, rows * ROW_PX / height_px), frame_on=False
    )
    axes.set_xlim(0, 1)
    axes.set_ylim(rows, 0)
    axes.set_xticks([])
    axes.set_yticks([])
    for index, bar in enumerate(bars):
        _row(axes, index, first_rank + index + 1, bar, font)
    out = io.BytesIO()
    # Light compression: a fifth of the drawing time, for a file a phone still loads at once.
    figure.savefig(out, format="png", dpi=DPI, facecolor="white", pil_kwargs={"compress_level": 1})
    return out.getvalue()


def _sized(font: font_manager.FontProperties, pt: float) -> font_manager.FontProperties:
    sized = font.copy()
    sized.set_size(pt)
    return sized


def _row(axes: Axes, y: int, rank: int, bar: UnitBar, font: font_manager.FontProperties) -> None:
    """A unit's name and figures on one line, its bar below, counts inside the segments."""
    name = tc.ROW.format(rank=rank, unit=shorten(bar.name, NAME_CHARS))
    figures = tc.ROW_FIGURES.format(total=bar.total, rate=pct(bar.rate), overdue=bar.overdue)
    axes.text(0, y + 0.3, name, fontproperties=_sized(font, 20), va="center", ha="left")
    overdue_colour = COLOURS[4] if bar.overdue else "#333333"
    axes.text(
        1,
        y + 0.3,
        figures,
        fontproperties=_sized(font, 17),
        va="center",
        ha="right",
        color=overdue_colour,
    )
    left = 0.0
    for count, colour, ink in zip(bar.counts, COLOURS, INK, strict=True):
        if not count:
            continue
        share = count / bar.total
        axes.barh(y + 0.7, share, left=left, height=0.42, color=colour, edgecolor="white")
        if share >= 0.05:
            axes.text(
                left + share / 2,
                y + 0.7,
                str(count),
                fontproperties=_sized(font, 17),
                va="center",
                ha="center",
                color=ink,
            )
        left += share


_LOCK = threading.Lock()
_FONT: font_manager.FontProperties | None = None


def font_path() -> Path:
    """The Noto Sans SC file inside the installed font package; a clear error if absent."""
    try:
        path = Path(str(resources.files(FONT_PACKAGE).joinpath(FONT_FILE)))
    except ModuleNotFoundError:
        raise FontMissing(
            f"挂图作战需要中文字体包 {FONT_PACKAGE.replace('_', '-')}：请 pip install zhenggai"
        ) from None
    if not path.is_file():
        raise FontMissing(f"字体文件不存在：{path}")
    return path


def _font() -> font_manager.FontProperties:
    """Register the packaged font with matplotlib once; later calls reuse it."""
    global _FONT
    with _LOCK:
        if _FONT is None:
            path = font_path()
            font_manager.fontManager.addfont(str(path))
            _FONT = font_manager.FontProperties(fname=str(path))
        return _FONT


@dataclass(frozen=True)
class Chart:
    """The rendered images, and how many units they leave out (say so in the caption)."""

    images: list[bytes]
    left_out: int


async def weekly_chart(
    bars: list[UnitBar], today: date, last: WeekFigures | None, round_name: str
) -> Chart:
    """The weekly digest's chart, drawn in a worker thread so the event loop keeps going.

    last: what `storage.duty_state.last_week` returns (None: the first digest, no change).
    """
    total = sum(b.total for b in bars)
    rate = sum(b.closed for b in bars) / total if total else None
    change = None if last is None else change_pp(rate, last.closed, last.total)
    images = await asyncio.to_thread(render, bars, rate, change, round_name, today)
    return Chart(images, left_out(bars))


def save(images: list[bytes], first: Path) -> list[Path]:
    """Write the images as `first`, then first-2.png, first-3.png …; return the paths."""
    paths = [first] + [
        first.with_name(f"{first.stem}-{n}{first.suffix or '.png'}")
        for n in range(2, len(images) + 1)
    ]
    for path, data in zip(paths, images, strict=False):
        path.write_bytes(data)
    return paths[: len(images)]


def folder(evidence_dir: Path) -> Path:
    """Where the bot keeps charts it sends: beside the evidence folder, in its data dir."""
    return evidence_dir.parent / "charts"
