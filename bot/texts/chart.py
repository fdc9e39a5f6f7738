"""Texts of the 挂图作战 chart sent with the weekly digest."""

from __future__ import annotations

TITLE = "挂图作战：整改率 {rate}（{change}）"
NO_PROBLEMS = "挂图作战：暂无问题"
LEGEND = ("已销号", "待验收", "整改中", "未启动", "逾期")
ROW = "{rank}. {unit}"
ROW_FIGURES = "{total} 项｜整改率 {rate}｜逾期 {overdue}"
FOOTER = "{round}｜{date}"
PAGE = "（第 {page}/{pages} 张）"
LEFT_OUT = "另有 {count} 个单位未列出，见附件"
ORDER = "逾期多的单位在前，逾期相同则整改率低的在前"
CLI_WROTE = "已生成挂图作战图：{files}"
CLI_LEFT_OUT = "（" + LEFT_OUT + "）"
CLI_WEEKLY_ONLY = "--chart 只用于一周一汇总：zhenggai digest weekly --chart chart.png"
