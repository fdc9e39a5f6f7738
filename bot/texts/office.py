"""Texts of the office's workflows: notices, receipts, review, extensions, 回头看, /digest."""

from __future__ import annotations

ADMIN_ONLY = "只有{office}管理员可以{what}。"
WHERE_ADMIN = "请在与我的私聊或巡察办工作群中使用此命令。"

# /notice
NOTICE_ASK = (
    "请发送通知内容：文字，可附一张图片或一个文件（其说明文字即通知正文）。发送 /cancel 取消。"
)
NOTICE_ASK_GROUP = "在群里请以“回复”本消息的方式发送。"
NOTICE_TARGETS = "通知内容已收到（{chars} 字{file}）。发送给："
NOTICE_WITH_FILE = "，附{kind}"
NOTICE_ALL = "全部单位"
NOTICE_CHOOSE = "选择单位"
NOTICE_PICK = "选择接收通知的单位（已选 {count} 个）："
NOTICE_SEND = "确认发送"
NOTICE_CANCEL = "取消"
NOTICE_NONE_CHOSEN = "请至少选择一个单位。"
NOTICE_NO_UNITS = "还没有任何单位。请先导入问题台账。"
NOTICE_SENT = "通知 #{id} 已放入发送队列：{units} 个单位，{groups} 个单位群，{people} 名联络员。\n发送 /receipts {id} 查看已阅情况。"
NOTICE_CANCELLED = "已取消，通知未发送。"
NOTICE_STALE = "这条通知已经处理过了。"
NOTICE_MESSAGE = "【通知】{office}\n{text}\n\n请点“已阅”确认收到。"
NOTICE_FILE_CAPTION = "【通知附件】#{id}"
ACK = "已阅"
ACK_OK = "已确认收到，谢谢。"
ACK_AGAIN = "您已于{at}确认过，无需重复确认。"
ACK_NOT_RECIPIENT = "您不是这条通知的接收人（接收人为相关单位的联络员）。"
ACK_UNBOUND = "请先绑定身份后再确认：向{office}索取绑定码后私聊发送 /bind 绑定码。"

# /receipts
RECEIPTS_NONE = "还没有发出过通知。"
RECEIPTS_NOT_FOUND = "没有编号为 {id} 的通知。"
RECEIPTS_HEAD = (
    "通知 #{id}（{at}发出）：应阅 {total} 人，已阅 {acked} 人（{rate}），未阅 {missing} 人。"
)
RECEIPTS_ACKED = "已阅："
RECEIPTS_MISSING = "未阅："
RECEIPTS_LINE = "· {name}（{unit}）{at}"
RECEIPTS_REMIND = "提醒未阅"
REMIND_MESSAGE = "【通知提醒】您还没有确认{office}的通知 #{id}：\n{text}\n\n请点“已阅”确认收到。"
REMIND_SENT = "已提醒 {count} 名未阅的联络员。"
REMIND_NOBODY = "所有接收人都已阅，无需提醒。"
REMIND_TOO_SOON = "这条通知一小时内已提醒过，请稍后再试。"
DIGEST_NOTICE = "#{id} {title}：已阅 {acked}/{total}（{rate}）"

# /review
REVIEW_EMPTY = "没有待验收的问题和待审核的延期申请。"
REVIEW_HEAD = "待验收 {problems} 项，待审核延期申请 {extensions} 项。以下为最早的 {shown} 项："
REVIEW_MORE = "处理完后再次发送 /review 查看其余 {more} 项。"
REVIEW_PROBLEM = "【待验收】{code}｜{unit}\n{title}\n整改时限：{limit}\n最近报告：{number}｜{at}｜{author}\n{text}"
REVIEW_FIGURES = "挽回损失 {money} 万元 · 新建/完善制度 {rules} 项 · 问责 {people} 人"
REVIEW_FILES = "佐证材料 {count} 个：{names}"
REVIEW_APPROVE = "通过（销号）"
REVIEW_REJECT = "退回"
REVIEW_SHOW_FILES = "查看佐证材料"
REVIEW_EXTENSION = (
    "【延期申请】{code}｜{unit}\n{title}\n申请人：{person}\n时限由{old}延至{new}\n理由：{reason}"
)
EXTENSION_APPROVE = "同意延期"
EXTENSION_REJECT = "不同意"
REVIEW_ASK_REASON = "请回复{what}的理由（发送 /cancel 放弃）："
REVIEW_ASK_REASON_GROUP = "在群里请以“回复”本消息的方式发送。"
LIMIT_ONGOING = "长期坚持"
# A card, once decided, shows the decision and who made it in place of its buttons.
DECIDED_APPROVED = "已通过（销号）——{who} {at}"
DECIDED_REJECTED = "已退回：{reason}——{who} {at}"
DECIDED_EXTENDED = "已同意延期——{who} {at}"
DECIDED_NOT_EXTENDED = "不同意延期：{reason}——{who} {at}"
REVIEW_STALE = "该项已经处理过，或问题状态已变化（现为{status}），未做修改。"
REVIEW_CLOSED = "已通过验收：{code} 已销号（{who}，{at}）。"
REVIEW_REJECTED = "已退回：{code}，理由：{reason}。已通知单位。"
EXTENSION_APPROVED = "已同意延期：{code} 的整改时限由{old}改为{new}。已通知单位。"
EXTENSION_REJECTED = "已不同意延期：{code}，理由：{reason}。已通知申请人。"
REASON_EMPTY = "理由不能为空，请回复具体理由。"
TO_UNIT_CLOSED = "【验收通过】{code} 已通过{office}验收，予以销号。\n{title}"
TO_UNIT_REJECTED = "【验收退回】{code} 未通过验收，已退回继续整改。\n理由：{reason}\n{title}\n请于整改完成后再次报告整改进展（/report {code}）。"
TO_UNIT_EXTENDED = "【延期获批】{code} 的整改时限由{old}延至{new}。\n{title}"
TO_PERSON_EXTENSION_REJECTED = (
    "【延期未获批准】{code} 的延期申请未获同意，整改时限仍为{old}。\n理由：{reason}"
)
TO_UNIT_REOPENED = (
    "【回头看】{code} 已重新打开，请继续整改，并及时报告整改进展。\n理由：{reason}\n{title}"
)

# /reopen
REOPEN_USAGE = "用法：/reopen 问题编号 理由\n例如：/reopen R6-01-001 回头看发现制度未落实"
REOPEN_NOT_CLOSED = "问题 {code} 现在是“{status}”，只有已销号的问题可以回头看重新打开。"
REOPEN_OK = "已重新打开 {code}（回头看），状态改为整改中。已通知单位。"
PROBLEM_NOT_FOUND = "没有找到编号为 {code} 的问题。"

# /digest
DIGEST_USAGE = "用法：/digest daily（一日一小结）或 /digest weekly（一周一汇总）"
