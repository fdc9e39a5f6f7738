"""/review: the office's queue, one card per item with the buttons that decide it.

The decisions those buttons make (and /reopen) are in `bot.dialogs.review_decisions`.
"""

from __future__ import annotations

from bot.core.effects import Effects
from bot.core.event import Event
from bot.dialogs.office import office_actor
from bot.messages import Button
from bot.services.container import Services
from bot.services.ledger.views import deadline_text, title
from bot.services.reporting.figures import show_count, show_money
from bot.texts import fmt_day, fmt_time
from bot.texts import office as ot
from storage import history, ledger, people, reports, reviews
from storage.extensions import ExtensionRequest
from storage.ledger import Problem
from storage.reports import Report

SHOWN = 5  # cards in one answer: a long queue is worked through, then asked for again
REPORT_CHARS = 500  # of a report's text on its card


async def review(ev: Event, svc: Services, out: Effects) -> None:
    """The queue: problems awaiting acceptance (oldest first) and extension requests."""
    if await office_actor(ev, svc, out, "验收销号和审核延期") is None:
        return
    db = svc.db
    waiting = await reviews.awaiting_problem_ids(db)
    asks = await reviews.pending_extensions(db)
    total = len(waiting) + len(asks)
    if total == 0:
        out.say(ot.REVIEW_EMPTY)
        return
    shown = min(total, SHOWN)
    out.say(ot.REVIEW_HEAD.format(problems=len(waiting), extensions=len(asks), shown=shown))
    for problem_id in waiting[:SHOWN]:
        problem = await ledger.get(db, problem_id)
        report = await reports.latest_active(db, problem_id)
        if problem is not None and report is not None:
            await _problem_card(svc, out, problem, report)
    for request in asks[: max(0, SHOWN - len(waiting[:SHOWN]))]:
        problem = await ledger.get(db, request.problem_id)
        if problem is not None:
            await _extension_card(svc, out, problem, request)
    if total > shown:
        out.say(ot.REVIEW_MORE.format(more=total - shown))


async def _problem_card(svc: Services, out: Effects, problem: Problem, report: Report) -> None:
    """What the office needs to accept or send back: the latest report, its figures and
    files, with 通过（销号）, 退回 and (when there are files) 查看佐证材料."""
    db, tz, today = svc.db, svc.config.schedule.timezone, svc.today()
    author = await people.name_of(db, report.person_id)
    files = [a for a in await history.attachments(db, problem.id) if a.report_id == report.id]
    lines = [
        ot.REVIEW_PROBLEM.format(
            code=problem.code,
            unit=problem.unit_name,
            title=title(problem),
            limit=deadline_text(problem, today),
            number=report.number,
            at=fmt_time(report.created_at, tz),
            author=author,
            text=_cut(report.text, REPORT_CHARS) or "—",
        )
    ]
    if (
        report.recovered_wan_x100 is not None
        or report.rules_count is not None
        or report.accountable_count is not None
    ):
        lines.append(
            ot.REVIEW_FIGURES.format(
                money=show_money(report.recovered_wan_x100),
                rules=show_count(report.rules_count, "项"),
                people=show_count(report.accountable_count, "人"),
            )
        )
    row = (
        Button(text=ot.REVIEW_APPROVE, action=f"rv:ok:{problem.id}:{report.id}"),
        Button(text=ot.REVIEW_REJECT, action=f"rv:no:{problem.id}:{report.id}"),
    )
    buttons: tuple[tuple[Button, ...], ...] = (row,)
    if files:
        names = "、".join(a.file_name or ("照片" if a.kind == "photo" else "文件") for a in files)
        lines.append(ot.REVIEW_FILES.format(count=len(files), names=names))
        buttons += (
            (Button(text=ot.REVIEW_SHOW_FILES, action=files_action(problem.id, report.id)),),
        )
    out.say("\n".join(lines), buttons)


async def _extension_card(
    svc: Services, out: Effects, problem: Problem, request: ExtensionRequest
) -> None:
    """Who asks for how long, and why, with 同意延期 and 不同意."""
    today = svc.today()
    text = ot.REVIEW_EXTENSION.format(
        code=problem.code,
        unit=problem.unit_name,
        title=title(problem),
        person=await people.name_of(svc.db, request.person_id),
        old=fmt_day(problem.deadline, today) if problem.deadline else ot.LIMIT_ONGOING,
        new=fmt_day(request.requested_deadline, today),
        reason=request.reason,
    )
    buttons = (
        (
            Button(text=ot.EXTENSION_APPROVE, action=f"ex:ok:{request.id}"),
            Button(text=ot.EXTENSION_REJECT, action=f"ex:no:{request.id}"),
        ),
    )
    out.say(text, buttons)


def files_action(problem_id: int, report_id: int) -> str:
    """The 查看佐证材料 button's action (a decided card keeps that button)."""
    return f"rv:files:{problem_id}:{report_id}"


def _cut(text: str, width: int) -> str:
    """The text as written (its lines kept), with an ellipsis when it is cut."""
    return text if len(text) <= width else text[: width - 1] + "…"
