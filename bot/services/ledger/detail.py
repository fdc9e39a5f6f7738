"""One problem, whole: every field, every report with its evidence, reviews and changes."""

from __future__ import annotations

import json
from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.services.ledger import template as t
from bot.services.ledger.views import deadline_text, status_name
from bot.texts import dates, fmt_day
from bot.texts import ledger as lt
from storage import history
from storage.ledger import Problem
from storage.reader import Reader

KIND_LABELS = {"photo": "照片", "document": "文件"}
ACTIONS = {
    "import_update": "台账导入更新",
    "status": "状态变更",
    "deadline": "时限调整",
    "review": "审核",
    "reopen": "回头看",
    "report": "报告进展",
    "withdraw": "撤回报告",
    "transfer": "移交纪检监察",
}


def _size(size: int | None) -> str:
    if size is None:
        return "大小未知"
    return f"{size / 1024 / 1024:.1f} MB" if size >= 1024 * 1024 else f"{max(size // 1024, 1)} KB"


def _money(value: int | None) -> str:
    return "—" if value is None else f"{value / 100:.2f}"


def _count(value: int | None) -> str:
    return "—" if value is None else str(value)


async def problem_text(db: Reader, p: Problem, today: date, timezone: str) -> str:
    zone = ZoneInfo(timezone)

    def when(moment: datetime) -> str:
        return dates.moment(moment.astimezone(zone))

    def due(day: date | None) -> str:
        return lt.LIMIT_ONGOING if day is None else fmt_day(day, today, weekday=False)

    lines = [
        lt.PROBLEM_DETAIL.format(
            code=p.code,
            status=status_name(p),
            round=p.round_name,
            unit=p.unit_name,
            category=p.category,
            kind=t.KIND_NAMES[p.kind],  # type: ignore[index]
            limit=deadline_text(p, today),
            leader=p.leader_name or "—",
            owner=p.owner_name or "—",
            description=p.description,
            measures=p.measures or "—",
        )
    ]
    reports = await history.reports(db, p.id)
    files = await history.attachments(db, p.id)
    lines.append(lt.SECTION_REPORTS if reports else lt.SECTION_NO_REPORTS)
    for r in reports:
        lines.append(
            lt.REPORT_LINE.format(
                number=r.number,
                at=when(r.created_at),
                author=r.author,
                claim=lt.CLAIMS.get(r.claim, r.claim),
                withdrawn=lt.WITHDRAWN if r.withdrawn_at else "",
                text=r.text or "（无文字）",
            )
        )
        if (
            r.recovered_wan_x100 is not None
            or r.rules_count is not None
            or r.accountable_count is not None
        ):
            lines.append(
                lt.REPORT_FIGURES.format(
                    money=_money(r.recovered_wan_x100),
                    rules=_count(r.rules_count),
                    people=_count(r.accountable_count),
                )
            )
        lines += [
            lt.ATTACHMENT_LINE.format(
                kind=KIND_LABELS.get(a.kind, a.kind),
                name=a.file_name or "",
                size=_size(a.size),
                hash=(a.sha256 or "未下载")[:12],
            )
            for a in files
            if a.report_id == r.id
        ]
    reviews = await history.reviews(db, p.id)
    if reviews:
        lines.append(lt.SECTION_REVIEWS)
        lines += [
            lt.REVIEW_LINE.format(
                at=when(v.created_at),
                reviewer=v.reviewer,
                decision=lt.DECISIONS.get(v.decision, v.decision),
                reason=f"：{v.reason}" if v.reason else "",
            )
            for v in reviews
        ]
    changes = await history.deadline_changes(db, p.id)
    if changes:
        lines.append(lt.SECTION_DEADLINES)
        lines += [
            lt.DEADLINE_LINE.format(
                at=when(c.changed_at),
                old=due(c.old_deadline),
                new=due(c.new_deadline),
                reason=c.reason,
            )
            for c in changes
        ]
    trail = await history.trail(db, p.id)
    if trail:
        lines.append(lt.SECTION_TRAIL)
        for e in trail:
            action = ACTIONS.get(e.action, e.action)
            if e.before and e.after:
                before, after = json.loads(e.before), json.loads(e.after)
                action += "：" + "；".join(f"{k} {before.get(k)} → {after[k]}" for k in after)
            lines.append(lt.TRAIL_LINE.format(at=when(e.at), actor=e.actor_label, action=action))
    return "\n".join(lines)
