"""Texts of progress reporting: /mine, /report, quick reports, /extend, /withdraw."""

from __future__ import annotations

# who may report
NOT_BOUND = "请先绑定身份：向{office}索取绑定码后发送 /bind 绑定码。"
UNBOUND_REPLY = "您尚未绑定身份，这条回复不会记为整改进展。请向{office}索取绑定码，在与我的私聊中发送 /bind 绑定码。"
LEADER_READ_ONLY = "领导身份仅供查阅，不能报告整改进展；整改进展由单位联络员报告。"
ADMIN_NOT_CONTACT = "管理员不能代替单位报告进展，请由单位联络员报告。"
OTHER_UNIT = "问题 {code} 属于“{unit}”，您只能报告本单位（{mine}）的问题。"
CLOSED = "问题 {code} 已销号，无需再报告。如需重新整改，请联系{office}。"
NOT_FOUND = "本单位没有编号为 {code} 的未销号问题。发送 /mine 查看本单位的问题。"

# /mine
MINE_HEAD = "{unit}未销号的问题 {count} 个（点按钮报告进展）："
MINE_NONE = "{unit}目前没有未销号的问题。"
MINE_LINE = "{code}｜{status}｜{limit}\n  {title}"
REPORT_BUTTON = "报告进展 {code}"
PICK = "请选择要报告的问题："

# the draft, step by step
START = (
    "正在报告：{code}\n{title}\n\n请报告整改进展：发送文字说明，可附照片和文件（可分多条发送）。"
    "发送完毕后请点“完成”；如需放弃本次报告，请发送 /cancel。"
)
START_GROUP = "（在群里请以“回复”本消息的方式发送。）"
GOT = "已收到文字 {texts} 段、附件 {files} 个。如需补充请继续发送，发送完毕后请点“完成”。"
FILE_NOT_KEPT_FULL = (
    "服务器存储空间已满，这个文件没有保存，报告内容未改变。请稍后重新发送；巡察办已收到通知。"
)
FILE_NOT_KEPT = "这个文件没有保存成功，报告内容未改变。请稍后重新发送；巡察办已收到通知。"
DISK_FULL_OFFICE = (
    "⚠️ 服务器存储空间已满：联络员发来的佐证材料无法保存，已请其稍后重发。请尽快清理磁盘。"
)
EVIDENCE_FAILED_OFFICE = "⚠️ 佐证材料无法写入存储目录，已请联络员稍后重发。请检查服务器的存储目录。"
GOT_TOO_BIG = "文件“{name}”{note}；已记录该文件，建议压缩或拆分后再补充。"
# The note kept with a file the bot could not save (the platform's limit, or its refusal).
FILE_NOTE_TOO_BIG = "超过 {mb} MB，未下载"
FILE_NOTE_NOT_FETCHED = "未能下载（平台未提供该文件）"
PHOTO_NAME = "照片"  # a file without a name, in that note
DONE_BUTTON = "完成"
NEED_CONTENT = "请至少发送一段文字说明或一个附件，再点“完成”。"
CLAIM = "问题 {code} 的整改状态："
CLAIM_PROGRESS = "持续推进"
CLAIM_COMPLETED = "已完成，申请验收"
ADD_MORE = "补充照片或文件"
MONEY = "（可选）挽回损失多少万元？请直接回复数字，如 12.5；如无，请点“跳过”。"
RULES = "（可选）新建或完善制度多少项？请回复整数；如无，请点“跳过”。"
PEOPLE = "（可选）问责多少人？请回复整数；如无，请点“跳过”。"
SKIP = "跳过"
SKIP_ALL = "没有量化成果"
FIGURE_NAMES = {"money": "挽回损失", "rules": "新建/完善制度", "people": "问责"}
# A prompt, once answered, shows the answer in place of its buttons.
ANSWER_DONE = "已收到文字 {texts} 段、附件 {files} 个，已点“完成”。"
ANSWER_MORE = "（先补充照片或文件）"
ANSWER_FIGURE = "{what}：{value}"
ANSWER_NO_FIGURES = "量化成果：没有"
ANSWER_SUBMITTED = "（已确认提交）"
ANSWER_DISCARDED = "（已放弃）"
ANSWER_EDIT = "（修改中）"
CONFIRM = "请核对后提交：\n问题：{code}\n状态：{claim}\n文字：{text}\n附件：{files} 个\n挽回损失：{money}\n新建/完善制度：{rules}\n问责：{people}"
CONFIRM_HINT = "数字有误请点“修改数字”；如需补充佐证材料，直接发送照片或文件即可。"
SUBMIT = "确认提交"
EDIT_FIGURES = "修改数字"
FIGURE_NOW = "当前填写：{value}。点“跳过”保持不变。"
FILE_ADDED = "已补充附件，共 {files} 个。"
DISCARD = "放弃"
RECEIPT = (
    "已收到您的报告。\n报告编号：{number}\n问题：{code}\n问题状态：{status}\n{next}\n"
    "24 小时内如需撤回，请发送 /withdraw {number}"
)
NEXT_PROGRESS = "请继续推进整改，并按时报告整改进展。"
NEXT_COMPLETED = "{office}将组织验收（对账销号），结果会通知您。"
DISCARDED = "已放弃本次报告，未提交任何内容。"
UNFINISHED = "您有一份未完成的报告（问题 {code}），已为您保存。请先完成它，或发送 /cancel 放弃。"
WHICH_DRAFT = (
    "这条消息以问题编号 {new} 开头，而您正在填写问题 {open} 的报告。\n"
    "它属于哪一份？（{open} 的报告会保留，不会丢失。）"
)
INTO_OPEN = "归入正在填写的 {code} 报告"
START_OTHER = "另起一份 {code} 的报告"
RESUMED = "您之前暂存的问题 {code} 的报告草稿已恢复，发送 /report 继续填写，或 /cancel 放弃。"
STALE_BUTTON = "这个按钮已过期，请按最新的提示操作。"
NOT_YOUR_DRAFT = "这是其他联络员正在填写的报告。"
WAITING_FOR = "请先按提示操作：{what}"
NONE_TEXT = "（无）"
FIGURE_NONE = "未填"

# figures
FIG_NOT_NUMBER = "“{text}”不是数字，请回复数字，例如 12.5；如无，请点“跳过”。"
FIG_NEGATIVE = "不能为负数，请重新填写。"
FIG_SCIENTIFIC = "请直接写数字（例如 1000000），不要用科学计数法。"
FIG_DECIMALS = "挽回损失最多保留两位小数（单位：万元）。"
FIG_TOO_BIG = "超过上限 {limit}，请核对单位后重新填写。"
FIG_WHOLE = "请填写整数，例如 3。"

# copies (五方报备)
COPY = "【整改进展】{unit}\n{code}：{title}\n报告人：{author}｜{claim}\n{text}\n附件 {files} 个｜报告编号 {number}"

# /extend
EXTEND_USAGE = "用法：/extend 问题编号 新时限 理由\n例如：/extend R6-01-004 2027-03-31 项目审批流程调整，需延后开工"
EXTEND_BAD_DATE = "新时限“{text}”不是有效日期，请写成 2027-03-31。"
EXTEND_NOT_LATER = "新时限{new}必须晚于今天，且晚于现在的时限{old}。"
EXTEND_ONGOING = "问题 {code} 是长期坚持的问题，没有时限，无需延期。"
EXTEND_PENDING = "问题 {code} 已有一份待审核的延期申请（申请延至{date}），请等待{office}审核。"
EXTEND_NEED_REASON = "请写明延期理由。"
EXTEND_OK = "延期申请已提交：问题 {code}，申请时限由{old}延至{new}。\n理由：{reason}\n{office}审核后会通知您。"

# /withdraw
WITHDRAW_USAGE = "用法：/withdraw 报告编号（提交报告时回执中的编号）"
WITHDRAW_NOT_FOUND = "没有找到编号为 {number} 的报告。"
WITHDRAW_NOT_YOURS = "只能撤回您本人提交的报告。"
WITHDRAW_TOO_LATE = "报告 {number} 已提交超过 24 小时，不能撤回。如有更正，请提交一份新的报告。"
WITHDRAW_ALREADY = "报告 {number} 已经撤回过了。"
WITHDRAW_OK = "已撤回报告 {number}（记录保留，标注为已撤回）。问题 {code} 当前状态：{status}。"
WHICH_OF_MANY = (
    "这条消息列出了多个问题，请点对应的“报告”按钮，或回复时以问题编号开头，例如：{code} 已完成……"
)
