"""/review, its buttons and reasons, and /reopen: the office accepts, sends back, decides."""

from __future__ import annotations

from datetime import datetime

from telegram import Message, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.context import Context
from bot.messages import Attachment, Button, OutMessage
from bot.render import send
from bot.services import review as review_service
from bot.services.access import Actor
from bot.services.ledger.views import deadline_text, title
from bot.services.reporting import codes
from bot.services.reporting.figures import show_count, show_money
from bot.services.reporting.prompts import status_name
from bot.services.uow import retire_buttons
from bot.texts import fmt_day, fmt_time
from bot.texts import office as ot
from handlers.common import actor_of, answer, office_name, toast
from handlers.office_common import ask, in_office_place, office_actor
from storage import history, ledger, people, reports, reviews

SHOWN = 5
REPORT_CHARS = 500
PROBLEM = r"^rv:(ok|no|files):(\d+):(\d+)$"
EXTENSION = r"^ex:(ok|no):(\d+)$"


async def review_cmd(update: Update, ctx: Context) -> None:
    """The queue: problems awaiting acceptance (oldest first) and extension requests."""
    if await office_actor(update, ctx, "验收销号和审核延期") is None:
        return
    db, tz, today = ctx.svc.db, ctx.svc.config.schedule.timezone, ctx.svc.today()
    waiting = await reviews.awaiting_problem_ids(db)
    asks = await reviews.pending_extensions(db)
    total = len(waiting) + len(asks)
    if total == 0:
        await answer(update, ctx, ot.REVIEW_EMPTY)
        return
    shown = min(total, SHOWN)
    await answer(
        update, ctx, ot.REVIEW_HEAD.format(problems=len(waiting), extensions=len(asks), shown=shown)
    )
    for problem_id in waiting[:SHOWN]:
        problem = await ledger.get(db, problem_id)
        report = await reports.latest_active(db, problem_id)
        if problem is None or report is None:
            continue
        author = await people.name_of(db, report.person_id)
        files = [a for a in await history.attachments(db, problem_id) if a.report_id == report.id]
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
        row = [
            Button(text=ot.REVIEW_APPROVE, action=f"rv:ok:{problem_id}:{report.id}"),
            Button(text=ot.REVIEW_REJECT, action=f"rv:no:{problem_id}:{report.id}"),
        ]
        buttons: tuple[tuple[Button, ...], ...] = (tuple(row),)
        if files:
            names = "、".join(
                a.file_name or ("照片" if a.kind == "photo" else "文件") for a in files
            )
            lines.append(ot.REVIEW_FILES.format(count=len(files), names=names))
            buttons += (
                (Button(text=ot.REVIEW_SHOW_FILES, action=f"rv:files:{problem_id}:{report.id}"),),
            )
        await answer(update, ctx, "\n".join(lines), buttons)
    for request in asks[: max(0, SHOWN - len(waiting[:SHOWN]))]:
        problem = await ledger.get(db, request.problem_id)
        if problem is None:
            continue
        text = ot.REVIEW_EXTENSION.format(
            code=problem.code,
            unit=problem.unit_name,
            title=title(problem),
            person=await people.name_of(db, request.person_id),
            old=fmt_day(problem.deadline, today) if problem.deadline else ot.LIMIT_ONGOING,
            new=fmt_day(request.requested_deadline, today),
            reason=request.reason,
        )
        await answer(
            update,
            ctx,
            text,
            (
                (
                    Button(text=ot.EXTENSION_APPROVE, action=f"ex:ok:{request.id}"),
                    Button(text=ot.EXTENSION_REJECT, action=f"ex:no:{request.id}"),
                ),
            ),
        )
    if total > shown:
        await answer(update, ctx, ot.REVIEW_MORE.format(more=total - shown))


def _cut(text: str, width: int) -> str:
    """The text as written (its lines kept), with an ellipsis when it is cut."""
    return text if len(text) <= width else text[: width - 1] + "…"


async def _admin_or_refuse(update: Update, ctx: Context, what: str) -> bool:
    """Decisions are the office's, and are made where the office offered them."""
    actor = await actor_of(update, ctx)
    if not actor.is_admin or actor.person is None:
        await toast(update, ot.ADMIN_ONLY.format(office=office_name(ctx), what=what), alert=True)
        return False
    if not await in_office_place(update, ctx):
        await toast(update, ot.WHERE_ADMIN, alert=True)
        return False
    return True


async def problem_button(update: Update, ctx: Context) -> None:
    """通过（销号）, 退回 (asks for the reason), 查看佐证材料."""
    assert ctx.matches is not None
    if not await _admin_or_refuse(update, ctx, "验收销号"):
        return
    action, problem_id, report_id = (
        ctx.matches[0].group(1),
        int(ctx.matches[0].group(2)),
        int(ctx.matches[0].group(3)),
    )
    svc, actor = ctx.svc, await actor_of(update, ctx)
    if action == "files":
        await toast(update)
        await _send_files(update, ctx, report_id)
        return
    if action == "no":
        problem = await ledger.get(svc.db, problem_id)
        if problem is None or problem.status != "awaiting_acceptance":
            status = status_name(problem.status) if problem else "—"
            await toast(update, ot.REVIEW_STALE.format(status=status), alert=True)
            return
        wait = {"kind": "reject", "problem": problem_id, "report": report_id, **_card(update)}
        await _ask_reason(update, ctx, wait, "退回")
        await toast(update)
        return
    at = svc.clock()
    _show_decision(ctx, actor, _card(update), ot.DECIDED_APPROVED, at)
    try:
        await review_service.accept(svc.db, actor, problem_id, report_id, svc.config, at)
    except review_service.Stale as exc:
        await toast(update, str(exc), alert=True)
        return
    await toast(update)


async def _send_files(update: Update, ctx: Context, report_id: int) -> None:
    """The report's evidence, sent again by file id (Telegram keeps the files)."""
    chat = update.effective_chat
    assert chat is not None
    for kind, file_id in await history.report_files(ctx.svc.db, report_id):
        message = OutMessage(text="", attachment=Attachment(kind=kind, file_id=file_id))
        await send(ctx.bot, chat.id, message)


def _card(update: Update) -> dict[str, object]:
    """The pressed card, to show its decision later: id, text and the 查看佐证材料 button."""
    query = update.callback_query
    card = query.message if query is not None else None
    if not isinstance(card, Message) or not card.text:
        return {}
    files = [
        b.callback_data
        for row in (card.reply_markup.inline_keyboard if card.reply_markup else ())
        for b in row
        if isinstance(b.callback_data, str) and b.callback_data.startswith("rv:files:")
    ]
    return {"card": card.message_id, "card_text": card.text, "files": files[0] if files else ""}


def _show_decision(
    ctx: Context,
    actor: Actor,
    card: dict[str, object],
    template: str,
    at: datetime,
    *,
    reason: str = "",
) -> None:
    """With the decision's effect, the card shows it and who made it in place of its buttons."""
    if "card" not in card:
        retire_buttons()  # a card Telegram no longer shows us: its keyboard still comes off
        return
    who = actor.person.signature if actor.person else str(actor.tg_user_id)
    decided = template.format(
        reason=reason, who=who, at=fmt_time(at, ctx.svc.config.schedule.timezone)
    )
    files = str(card.get("files") or "")
    keep = ((Button(text=ot.REVIEW_SHOW_FILES, action=files),),) if files else ()
    retire_buttons(
        f"{card['card_text']}\n\n{decided}",
        buttons=keep,
        message_id=int(str(card["card"])),
    )


async def _ask_reason(update: Update, ctx: Context, wait: dict[str, object], what: str) -> None:
    user, chat = update.effective_user, update.effective_chat
    assert user is not None and chat is not None
    text = ot.REVIEW_ASK_REASON.format(what=what)
    if chat.type != "private":
        text += "\n" + ot.REVIEW_ASK_REASON_GROUP
    await ask(ctx, "review", user.id, chat.id, wait, text)


async def extension_button(update: Update, ctx: Context) -> None:
    """同意延期, or 不同意 (asks for the reason)."""
    assert ctx.matches is not None
    if not await _admin_or_refuse(update, ctx, "审核延期申请"):
        return
    approve, extension_id = ctx.matches[0].group(1) == "ok", int(ctx.matches[0].group(2))
    svc, actor = ctx.svc, await actor_of(update, ctx)
    request = await reviews.extension(svc.db, extension_id)
    if request is None or request.status != "pending":
        await toast(update, ot.REVIEW_STALE.format(status="已处理"), alert=True)
        return
    if not approve:
        wait = {"kind": "extension", "extension": extension_id, **_card(update)}
        await _ask_reason(update, ctx, wait, "不同意延期")
        await toast(update)
        return
    at = svc.clock()
    _show_decision(ctx, actor, _card(update), ot.DECIDED_EXTENDED, at)
    try:
        await review_service.decide_extension(
            svc.db, actor, extension_id, approve=True, reason=None, config=svc.config, at=at
        )
    except review_service.Stale as exc:
        await toast(update, str(exc), alert=True)
        return
    await toast(update)


async def reason_given(update: Update, ctx: Context, wait: dict[str, object], reason: str) -> None:
    """The reason for 退回 or 不同意延期 arrived: decide now (the question closes with it)."""
    if not reason.strip():
        await answer(update, ctx, ot.REASON_EMPTY)  # the question stays open
        return
    svc, actor = ctx.svc, await actor_of(update, ctx)
    at, reject = svc.clock(), wait.get("kind") == "reject"
    said = ot.DECIDED_REJECTED if reject else ot.DECIDED_NOT_EXTENDED
    _show_decision(ctx, actor, wait, said, at, reason=reason.strip())
    try:
        if reject:
            await review_service.send_back(
                svc.db,
                actor,
                int(str(wait["problem"])),
                int(str(wait["report"])),
                reason.strip(),
                svc.config,
                at,
            )
        else:
            await review_service.decide_extension(
                svc.db,
                actor,
                int(str(wait["extension"])),
                approve=False,
                reason=reason.strip(),
                config=svc.config,
                at=at,
            )
    except review_service.Stale as exc:
        await answer(update, ctx, str(exc))


async def reopen_cmd(update: Update, ctx: Context) -> None:
    """/reopen <code> <reason>: 回头看 reopens a closed problem."""
    actor = await office_actor(update, ctx, "回头看重新打开问题")
    if actor is None:
        return
    args = list(ctx.args or [])
    if len(args) < 2:
        await answer(update, ctx, ot.REOPEN_USAGE)
        return
    code, reason = codes.normal(args[0]), " ".join(args[1:]).strip()
    found = await ledger.by_code(ctx.svc.db, code)
    if not found:
        await answer(update, ctx, ot.PROBLEM_NOT_FOUND.format(code=code))
        return
    svc = ctx.svc
    try:
        await review_service.reopen(svc.db, actor, found[0], reason, svc.config, svc.clock())
    except review_service.Stale as exc:
        await answer(update, ctx, str(exc))


def handlers() -> list[BaseHandler[Update, Context, None]]:
    return [
        CommandHandler("review", review_cmd),
        CommandHandler("reopen", reopen_cmd),
        CallbackQueryHandler(problem_button, pattern=PROBLEM),
        CallbackQueryHandler(extension_button, pattern=EXTENSION),
    ]
