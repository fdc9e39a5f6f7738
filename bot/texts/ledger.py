"""Texts of the ledger: import, views, export."""

from __future__ import annotations

# /import
IMPORT_ASK = (
    "请发送问题台账文件（.xlsx 或 .csv，第一行为表头）。\n巡察轮次：{round}\n"
    "表头应为：问题编号、被巡察单位、问题类别、问题描述、整改措施、责任领导、责任人、整改时限、整改类型。\n"
    "发送 /cancel 取消。"
)
IMPORT_ASK_GROUP = "在群里请以“回复”本消息的方式发送文件。"
IMPORT_NOT_ADMIN = "只有{office}管理员可以导入问题台账。"
IMPORT_WHERE = "请在与我的私聊或巡察办工作群中导入台账。"
IMPORT_TOO_BIG = "文件超过 {mb} MB，机器人无法下载。请拆分后再发送。"
IMPORT_NOT_FETCHED = "未能从平台取得该文件，未做任何修改。请稍后重新发送。"
IMPORT_REFUSED = "文件未导入：发现 {count} 处问题，未做任何修改。请修改后重新发送。"
IMPORT_REFUSED_MORE = "……另有 {more} 处，完整清单见附件。"
IMPORT_ERRORS_FILE = "导入错误清单.csv"
IMPORT_PREVIEW = "导入预览：{file}\n巡察轮次：{rounds}"
IMPORT_PREVIEW_SHEET = "读取的工作表：{sheet}"
IMPORT_PREVIEW_NOTHING = "与现有台账完全一致，无需导入。"
IMPORT_NEW_UNITS = "新增单位 {count} 个：{names}"
IMPORT_NEW_PROBLEMS = "新增问题 {count} 个"
IMPORT_CHANGED = "内容有变化的问题 {count} 个："
IMPORT_UNCHANGED = "无变化 {count} 个"
IMPORT_PREVIEW_FOOT = "确认后一次性导入；已有问题的状态和整改记录不受影响。"
IMPORT_CHANGE_LINE = "· {code}：{column} {old} → {new}"
IMPORT_MORE = "……另有 {more} 项"
IMPORT_CONFIRM = "确认导入"
IMPORT_CANCEL = "取消"
IMPORT_DONE = "已导入。巡察轮次：{rounds}\n新增单位 {units} 个，新增问题 {new} 个，更新 {changed} 个，无变化 {same} 个。"
IMPORT_CANCELLED = "已取消导入，台账未做任何修改。"
IMPORT_NOT_YOURS = "只有发起这次导入的管理员可以确认或取消。"
IMPORT_STALE = "这次导入已经处理过了。"
ROUND_NEW = "（新建）"

# reading the file
FILE_EMPTY = "文件是空的。"
FILE_TOO_BIG = "文件超过 20 MB，请拆分后再导入。"
FILE_OLD_XLS = "这是旧版 .xls 文件，请在 Excel 或 WPS 中另存为 .xlsx 或 .csv 后再导入。"
FILE_NOT_XLSX = "文件扩展名是 .xlsx，但内容不是有效的 Excel 文件。"
FILE_CANNOT_OPEN = "无法打开这个 Excel 文件，文件可能已损坏。请在 Excel 或 WPS 中打开后重新保存为 .xlsx（或另存为 .csv），再导入。"
FILE_CORRUPT = "文件已损坏，无法读取表格内容。请在 Excel 或 WPS 中打开后重新保存为 .xlsx（或另存为 .csv），再导入。"
FILE_NO_SHEET = "Excel 文件里没有工作表。"
FILE_NO_VISIBLE_SHEET = "Excel 文件里没有可见的工作表。请取消隐藏台账所在的工作表后再导入。"
FILE_TOO_MANY_ROWS = "表格有效行数超过上限 {limit:,} 行，请拆分后分批导入。"
FILE_TOO_LONG = "表格行数（含空行）超过 {limit:,} 行，请删除表格中多余的空行，或拆分后分批导入。"
FILE_UNPACKED_TOO_BIG = "文件内容过多（解压后超过 {limit} MB），请拆分后分批导入。"
FILE_UNKNOWN = "无法识别这个文件：请上传 .xlsx 或 .csv（UTF-8 或 GB18030 编码）的台账。"
FILE_BAD_CSV = "CSV 格式有误（第 {line} 行附近）：请检查引号是否成对、单元格内容是否过长。"
FILE_NOTHING = "文件里没有任何内容。"
DEFAULT_ROUND = "第一轮巡察"

# views
VIEW_ROLE_REFUSED = "该命令仅供巡察办和领导使用。您可以发送 /unit 查看本单位的问题。"
VIEW_UNBOUND = "请先绑定身份：向{office}索取绑定码后发送 /bind 绑定码。"
VIEW_WHERE = "请在与我的私聊中使用此命令。"
VIEW_OTHER_UNIT = "您只能查看本单位（{unit}）的问题。"
UNIT_USAGE = "用法：/unit 单位名称（可写单位名称的一部分）。发送 /units 查看全部单位。"
PROBLEM_USAGE = "用法：/problem 问题编号，例如 /problem R6-01-001"
PROBLEM_NOT_FOUND = "没有找到编号为 {code} 的问题。请核对编号，或发送 /unit 查看问题清单。"
NO_PROBLEMS = "台账中还没有问题。管理员可发送 /import 导入问题台账。"
NO_OVERDUE = "目前没有逾期的问题。"
PAGE = "第 {page}/{pages} 页"
PREV = "◀ 上一页"
NEXT = "下一页 ▶"
STALE_PAGE = "这一页已过期，请重新发送命令。"

UNITS_HEAD = "被巡察单位 {count} 个（整改率 = 已销号 ÷ 问题总数）"
UNITS_LINE = "{name}\n  问题 {total} · 未完成 {open} · 待验收 {awaiting} · 逾期 {overdue} · 整改率 {rate}\n  联络员：{contacts}"
NO_CONTACTS = "未绑定"
UNIT_HEAD = (
    "{name}：问题 {total} 个，已销号 {closed}，待验收 {awaiting}，逾期 {overdue}，整改率 {rate}"
)
PROBLEM_LINE = "{code}｜{status}｜{limit}\n  {title}"
LIMIT_ONGOING = "长期坚持"
# The deadline alone; a list puts LIMIT_LABEL before it, a card puts it after 整改时限：.
LIMIT_LABEL = "时限 {limit}"
LIMIT_LEFT = "{date}（剩 {days} 天）"
LIMIT_TODAY = "{date}（今天到期）"
LIMIT_OVERDUE = "{date}（逾期 {days} 天）"
LIMIT_DONE = "{date}"
OVERDUE_HEAD = "逾期问题 {count} 个（按逾期天数排序）"
OVERDUE_LINE = "逾期 {days} 天｜{code}｜{unit}｜{status}\n  {title}"

STATS_HEAD = "整改统计（截至{today}）\n整改率 = 已销号 ÷ 问题总数；完成率 = (已销号 + 已完成待验收) ÷ 问题总数"
STATS_TOTAL = "全部：问题 {total} 个，已销号 {closed}，待验收 {awaiting}，整改中 {in_progress}，未启动 {not_started}，逾期 {overdue}\n整改率 {rectify}，完成率 {complete}"
STATS_SECTION = "【按{what}】"
STATS_RESULTS = (
    "整改成果（已验收的报告）：挽回损失 {money} 万元，新建/完善制度 {rules} 项，问责 {people} 人"
)
STATS_RESULTS_SECTION = "【整改成果·按{what}】"
STATS_RESULTS_LINE = "{label}：挽回损失 {money} 万元，制度 {rules} 项，问责 {people} 人"
STATS_LINE = "{label}：{total} 个，整改率 {rectify}，完成率 {complete}，逾期 {overdue}"

PROBLEM_DETAIL = (
    "【{code}】{status}\n巡察轮次：{round}\n被巡察单位：{unit}\n问题类别：{category}\n整改类型：{kind}\n"
    "整改时限：{limit}\n责任领导：{leader}\n责任人：{owner}\n\n问题描述：\n{description}\n\n整改措施：\n{measures}"
)
SECTION_REPORTS = "\n【整改进展】"
SECTION_NO_REPORTS = "\n【整改进展】暂无"
REPORT_LINE = "{number}｜{at}｜{author}｜{claim}{withdrawn}\n{text}"
REPORT_FIGURES = "  挽回损失 {money} 万元 · 新建/完善制度 {rules} 项 · 问责 {people} 人"
ATTACHMENT_LINE = "  📎 {kind} {name}（{size}，SHA-256 {hash}）"
SECTION_REVIEWS = "\n【审核记录】"
REVIEW_LINE = "{at}｜{reviewer}｜{decision}{reason}"
SECTION_DEADLINES = "\n【时限调整】"
DEADLINE_LINE = "{at}｜{old} → {new}｜{reason}"
SECTION_TRAIL = "\n【操作记录】"
TRAIL_LINE = "{at}｜{actor}｜{action}"
CLAIMS = {"progress": "持续推进", "completed": "已完成，申请验收"}
DECISIONS = {"approved": "通过（销号）", "rejected": "退回", "reopened": "回头看重新打开"}
WITHDRAWN = "（已撤回）"
EXPORT_CAPTION = "问题台账（导出时间：{at}）"
EXPORT_FILE = "问题台账_{date}.xlsx"

# /stats at a province's scale: the worst rows by name, the rest counted.
STATS_WORST = "逾期最多的 {shown} 个（共 {count} 个，全表请发送 /export）："
STATS_REST = "其余 {count} 个：问题 {total} 个，逾期 {overdue}"
STATS_RESULTS_REST = "……另有 {count} 个，见 /export"
