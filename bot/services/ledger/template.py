"""The import template's columns and the words that fill them (product.md → The import template)."""

from __future__ import annotations

from typing import Literal

ProblemKind = Literal["immediate", "deadline", "ongoing"]
ProblemStatus = Literal["imported", "in_progress", "awaiting_acceptance", "closed"]

CODE = "问题编号"
UNIT = "被巡察单位"
CATEGORY = "问题类别"
DESCRIPTION = "问题描述"
MEASURES = "整改措施"
LEADER = "责任领导"
OWNER = "责任人"
DEADLINE = "整改时限"
KIND = "整改类型"
ROUND = "巡察轮次"  # optional: the export writes it so a file of several rounds round-trips

COLUMNS = (CODE, UNIT, CATEGORY, DESCRIPTION, MEASURES, LEADER, OWNER, DEADLINE, KIND)
REQUIRED_COLUMNS = COLUMNS[:-1]  # 整改类型 may be left out: it has a default
REQUIRED_CELLS = (CODE, UNIT, CATEGORY, DESCRIPTION)

# Field names on the problem record, in template order.
FIELDS = {
    CODE: "code",
    UNIT: "unit",
    CATEGORY: "category",
    DESCRIPTION: "description",
    MEASURES: "measures",
    LEADER: "leader_name",
    OWNER: "owner_name",
    DEADLINE: "deadline",
    KIND: "kind",
}

KIND_WORDS: dict[str, ProblemKind] = {
    "立行立改": "immediate",
    "限期整改": "deadline",
    "长期坚持": "ongoing",
}
KIND_NAMES: dict[ProblemKind, str] = {v: k for k, v in KIND_WORDS.items()}
ONGOING_WORDS = {"长期坚持", "长期", "持续推进"}

STATUS_NAMES: dict[ProblemStatus, str] = {
    "imported": "未启动",
    "in_progress": "整改中",
    "awaiting_acceptance": "已完成待验收",
    "closed": "已销号",
}
