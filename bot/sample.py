"""A sample ledger: 52 problems in 8 units, modelled on the 铜陵 seed's five categories."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from bot.services.ledger import template as t

ROUND = "十四届县委第六轮巡察"
ROUND_PREFIX = "R6"

UNITS = [
    ("县交通运输局", "刘建国", "陈志明"),
    ("县财政局", "周海燕", "吴晓东"),
    ("县卫生健康委员会", "孙立平", "郑雪梅"),
    ("县住房和城乡建设局", "王德华", "黄振宇"),
    ("青山镇人民政府", "李春生", "赵丽娟"),
    ("县农业农村局", "何永强", "钱美玲"),
    ("县市场监督管理局", "冯卫东", "许文静"),
    ("县城市投资发展有限公司", "蒋国平", "沈佳怡"),
]

# (category, description, measures, kind, days from today to the deadline)
PROBLEMS = [
    (
        "主体责任落实",
        "党组理论学习中心组学习流于形式，2025年全年集中学习仅4次，未按要求开展专题研讨",
        "制定年度学习计划，每月至少开展1次集中学习，每季度开展1次专题研讨并形成记录",
        "deadline",
        20,
    ),
    (
        "主体责任落实",
        "落实全面从严治党主体责任清单不具体，班子成员“一岗双责”履行不到位",
        "修订主体责任清单和班子成员责任清单，逐人签订责任书",
        "deadline",
        -15,
    ),
    (
        "监督责任落实",
        "纪检组织对“三重一大”事项监督不到位，部分重大事项未经集体研究即实施",
        "建立“三重一大”事项清单和会议纪要备案制度，纪检委员全程参与监督",
        "deadline",
        5,
    ),
    (
        "工作任务推进",
        "重点项目推进缓慢，年度计划的12个项目中有5个未按期开工",
        "逐项建立推进台账，明确责任人和时间节点，每月通报进度",
        "deadline",
        45,
    ),
    (
        "资金项目落实",
        "专项资金拨付滞后，2025年度专项资金有1280万元未按时拨付到位",
        "全面清理结存资金，建立资金拨付预警机制，限期拨付到位",
        "deadline",
        -3,
    ),
    (
        "作风建设",
        "违规发放津补贴，2024年以来以加班费名义发放补贴共计18.6万元",
        "全额清退违规发放的津补贴，对相关责任人严肃追责问责",
        "immediate",
        7,
    ),
]

EXTRA = [
    (
        "作风建设",
        "公务用车管理不规范，存在公车私用、派车单填写不全等问题",
        "完善公务用车管理制度，安装车辆定位系统，每月公示用车情况",
        "ongoing",
        None,
    ),
    (
        "监督责任落实",
        "对下属单位日常监督薄弱，近两年未开展专项检查",
        "制定年度监督检查计划，每半年至少开展1次专项检查",
        "deadline",
        1,
    ),
]


def sample_rows(today: date) -> list[list[str]]:
    """The template's rows (header first), with deadlines relative to `today`."""
    rows = [list(t.COLUMNS)]
    number = 0
    for unit_index, (unit, leader, owner) in enumerate(UNITS, start=1):
        chosen = [*PROBLEMS, EXTRA[unit_index % 2]] if unit_index <= 6 else PROBLEMS[:5]
        for category, description, measures, kind, days in chosen:
            number += 1
            code = f"{ROUND_PREFIX}-{unit_index:02d}-{number:03d}"
            shift = (unit_index * 3) % 11  # units differ, so not every deadline falls on one day
            if kind == "ongoing" or days is None:
                limit = "长期坚持"
            else:
                limit = (today + timedelta(days=days + shift)).isoformat()
            rows.append(
                [
                    code,
                    unit,
                    category,
                    description,
                    measures,
                    leader,
                    owner,
                    limit,
                    t.KIND_NAMES[kind],  # type: ignore[index]
                ]
            )
    return rows


def write_xlsx(path: Path, today: date) -> Path:
    """Write the sample ledger as an .xlsx an office would fill in."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "问题台账"
    for row in sample_rows(today):
        sheet.append(row)
    sheet.freeze_panes = "A2"
    for column, width in zip("ABCDEFGHI", (14, 22, 14, 50, 50, 10, 10, 12, 10), strict=True):
        sheet.column_dimensions[column].width = width
    book.save(path)
    return path
