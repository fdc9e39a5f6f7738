"""Every text a user reads, in Simplified Chinese, in one place."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.texts import dates

ROLE_NAMES = {"admin": "巡察办管理员", "contact": "联络员", "leader": "领导（查阅）"}
PURPOSE_NAMES = {"office": "巡察办工作群", "leaders": "领导群", "unit": "单位群"}

# Command lists published to Telegram, per scope: (command, description).
COMMANDS_PRIVATE = [
    ("start", "开始使用 / 查看我的身份"),
    ("help", "查看可用命令"),
    ("bind", "使用绑定码绑定身份：/bind 绑定码"),
    ("cancel", "取消当前操作"),
]
COMMANDS_GROUP = [
    ("help", "查看可用命令"),
]
COMMANDS_CONTACT = [
    ("mine", "本单位未销号的问题（可报告进展）"),
    ("report", "报告整改进展：/report [问题编号]"),
    ("extend", "申请延期：/extend 问题编号 新时限 理由"),
    ("withdraw", "撤回 24 小时内的报告：/withdraw 报告编号"),
    ("unit", "本单位的问题清单"),
    ("problem", "查看一个问题：/problem 问题编号"),
    ("overdue", "本单位逾期的问题"),
]
COMMANDS_LEADER = [
    ("units", "各单位整改情况"),
    ("unit", "一个单位的问题：/unit 单位名称"),
    ("problem", "查看一个问题：/problem 问题编号"),
    ("overdue", "逾期问题（按逾期天数排序）"),
    ("stats", "整改率、完成率统计"),
    ("export", "导出问题台账 .xlsx"),
]
COMMANDS_ADMIN = [
    *COMMANDS_PRIVATE,
    ("import", "导入问题台账：/import [巡察轮次] 后发送文件"),
    *COMMANDS_LEADER,
    ("review", "验收销号与延期审核"),
    ("notice", "发通知（需各单位点“已阅”）"),
    ("receipts", "通知已阅情况：/receipts [通知编号]"),
    ("reopen", "回头看：/reopen 问题编号 理由"),
    ("transfer", "移交纪检监察：/transfer 问题编号 移交对象 说明"),
    ("digest", "生成汇总：/digest daily|weekly"),
    ("code", "生成绑定码：/code 单位 [contact|leader|admin]"),
    ("setgroup", "在群内登记群：/setgroup office|leaders|unit 单位"),
]


def fmt_time(moment: datetime, tz: str) -> str:
    """A moment as people in the office read it: 11月27日（周五）16:05, in its time zone."""
    return dates.moment(moment.astimezone(ZoneInfo(tz)))


def fmt_day(day: date, today: date, *, weekday: bool = True) -> str:
    """A date in a message, 11月27日（周五）; with its year when that is not this year's."""
    shown = dates.day(day) if weekday else dates.short_day(day)
    return shown if day.year == today.year else f"{day.year}年{shown}"


# /start and /help
START_UNBOUND = (
    "您好，这里是{office}的整改通。\n"
    "您还没有绑定身份。请向{office}索取绑定码，然后发送：\n"
    "/bind 绑定码"
)
START_BOUND = (
    "您好，{name}。这里是{office}的整改通。\n您的身份：{roles}。\n发送 /help 查看可用命令。"
)
START_GROUP = (
    "您好，这里是{office}的整改通。请在与我的私聊中使用命令；"
    "管理员可在本群发送 /setgroup 登记本群。"
)
HELP_HEADER = "可用命令（您的身份：{roles}）："
HELP_UNBOUND_ROLE = "未绑定"
HELP_GROUP = (
    "本群{registered}。\n"
    "管理员可发送：/setgroup office（巡察办工作群）、/setgroup leaders（领导群）、"
    "/setgroup unit 单位名称（单位群）。\n其他操作请在与我的私聊中进行。"
)
# /help in a group, for anyone but an admin: no admin commands, what the group is for.
HELP_GROUP_HEAD = "本群{registered}。"
HELP_GROUP_REPLY = "联络员可直接“回复”机器人在本群发出的提醒，报告整改进展。"
HELP_GROUP_PRIVATE = "其他操作请在与我的私聊中进行，私聊发送 /help 查看您可用的命令。"
HELP_GROUP_UNBOUND = "您尚未绑定身份：请向{office}索取绑定码，在与我的私聊中发送 /bind 绑定码。"
GROUP_NOT_REGISTERED = "尚未登记"
GROUP_REGISTERED = "已登记为：{what}"

# /bind
BIND_USAGE = "请在命令后附上绑定码，例如：/bind ABCD-EFGH-JKMN\n绑定码请向{office}索取。"
BIND_OK = "绑定成功。您的身份：{role}{unit}。\n发送 /help 查看可用命令。"
BIND_WRONG = "绑定码不正确，请核对后重试（一小时内还可再试 {left} 次）。"
BIND_LOCKED = "绑定码错误次数过多，为安全起见请于{until}之后再试；如有疑问请联系{office}。"
BIND_USED = "该绑定码已被使用过，每个绑定码只能用一次。请向{office}重新索取。"
BIND_EXPIRED = "该绑定码已于{at}过期。请向{office}重新索取。"
BIND_ALREADY = "您已经是{role}{unit}，无需重复绑定。"
BIND_OTHER_UNIT = "您已是“{unit}”的联络员，不能再绑定为其他单位的联络员。如需变更，请联系{office}。"
NAME_ASK = (
    "请回复您的姓名和职务，例如：张三 办公室主任\n"
    "（您提交的报告将以“姓名（职务）”署名；不便填写请回复“跳过”，将使用您的 Telegram 名称。）"
)
NAME_OK = "已登记。今后您的报告署名为：{signature}。"
NAME_SKIPPED = "好的，您的报告将以 Telegram 名称“{name}”署名。"
NAME_BAD = "请按“姓名 职务”回复，中间用空格隔开，例如：张三 办公室主任（姓名不超过 {name} 字，职务不超过 {title} 字）。不便填写请回复“跳过”。"
BIND_IN_GROUP = "为保护绑定码，请在与我的私聊中发送 /bind。"
BIND_BURNED_IN_GROUP = (
    "这个绑定码已在群里公开，为安全起见已作废，任何人都不能再用它绑定。"
    "请向{office}索取新的绑定码，并在与我的私聊中发送 /bind。"
)
BIND_BURNED = "该绑定码曾在群聊中公开，已作废。请向{office}重新索取。"

# /cancel
CANCEL_NOTHING = "当前没有进行中的操作。"
CANCEL_DONE = "已取消进行中的操作，未提交任何内容。"
PRIVATE_ONLY = "请在与我的私聊中使用 /{command}。"

# /code
CODE_USAGE = (
    "用法：/code 单位名称 [contact|leader|admin]\n"
    "例如：/code 县交通运输局（联络员）、/code leader（领导）、/code admin（管理员）"
)
CODE_ISSUED = (
    "绑定码：{code}\n身份：{role}{unit}\n有效期至：{expires}（仅可使用一次）\n"
    "请将此码私下交给本人，由其在与我的私聊中发送：/bind {code}"
)
CODE_NOT_ADMIN = "只有{office}管理员可以生成绑定码。"
CODE_PRIVATE_ONLY = "为防止绑定码泄露，请在与我的私聊中使用 /code。"
CODE_BAD_ROLE = "身份“{role}”无法识别，只能是 contact（联络员）、leader（领导）或 admin（管理员）。"
UNIT_NOT_FOUND = "未找到单位“{name}”。请先导入问题台账，或发送 /units 查看单位名称。"
UNIT_AMBIGUOUS = "“{name}”对应多个单位，请写全称：\n{names}"

# /setgroup
SETGROUP_USAGE = (
    "用法（在要登记的群里发送）：\n"
    "/setgroup office — 巡察办工作群\n/setgroup leaders — 领导群\n/setgroup unit 单位名称 — 单位群"
)
SETGROUP_PRIVATE = "请在要登记的群里发送 /setgroup，私聊无法登记为群。"
SETGROUP_NOT_ADMIN = "只有{office}管理员可以登记群。如需登记，请联系{office}。"
SETGROUP_OK = "已将本群登记为{what}。"
SETGROUP_MOVED = "（原巡察办工作群“{old}”已解除登记。）"

# errors and notices to the office
NOT_TAKEN_USER = (
    "抱歉，您刚才发送的消息{what}没有处理成功，也没有保存。请稍后重新发送；{office}已收到通知。"
)
NOT_TAKEN_OFFICE = (
    "⚠️ 一条消息多次处理失败，已停止处理，并已告知发送人重新发送。\n{where}\n原因：{error}"
)
BUTTON_NOT_OFFERED = "这个按钮不属于这条消息，未执行任何操作。"
REFUSED_OFFICE = (
    "⚠️ Telegram 拒收了发往“{title}”等处的「{head}」：{reason}\n"
    "该消息不会再重发，请核对内容后重新发送。"
)
ERROR_OFFICE = "⚠️ 整改通出错\n{where}\n{error}"
CHAT_INACTIVE_OFFICE = (
    "⚠️ 无法再向“{title}”发送消息（{reason}），已停止向其发送。请检查机器人是否被移出或屏蔽。"
)
UNCERTAIN_OFFICE = (
    "⚠️ 一条消息可能未送达（{why}）：发往“{title}”的「{head}」。"
    "为免重复，机器人不会自动重发，请向对方核实。"
)
UNCERTAIN_TIMEOUT = "Telegram 超时未答复"
UNCERTAIN_CRASH = "发送时程序中断"
NOT_UNDERSTOOD_PRIVATE = "没有理解您的消息。发送 /help 查看可用命令。"
UNKNOWN_COMMAND = "没有这个命令。发送 /help 查看可用命令。"
