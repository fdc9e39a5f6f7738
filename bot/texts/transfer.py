"""Texts of 移交纪检监察: handing an overdue item to the discipline commission."""

from __future__ import annotations

USAGE = (
    "用法：/transfer 问题编号 移交对象 [说明]\n"
    "例如：/transfer R6-01-005 县纪委监委 超期10天未办理，问题线索移交再监督"
)
WHAT = "移交纪检监察"
CLOSED = "问题 {code} 已销号，无需移交。"
AGAIN = "问题 {code} 已于 {at} 移交{to}，不重复移交。"
OK = "已将问题 {code}（{unit}）移交{to}。\n{note}\n已记入审计日志和问题历史，并将在红色预警清单和汇总中标注。"
NOTE = "说明：{note}"
NO_NOTE = "说明：无"
DEFAULT_NOTE = "超期{days}天未办理，问题线索由纪检监察机关再监督"
