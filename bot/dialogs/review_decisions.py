"""The office decides: a review card's buttons, the reason for 退回 or 不同意, and /reopen.

A decision is the office's, made where the office offered it. 通过 and 同意延期 decide at
the press; 退回 and 不同意 first ask for the reason, and decide when it arrives (the open
question is answered through `bot.dialogs.office`'s waits). The card then shows the
decision and who made it in place of its buttons, with the decision's own effect.
"""

from __future__ import annotations

import re
from datetime import datetime

from bot.core.effects import Effects
from bot.core.event import Event
from bot.dialogs.common import actor
from bot.dialogs.office import ask, in_office_place, office_actor
from bot.dialogs.review import files_action
from bot.messages import Attachment, Button, OutMessage
from bot.services import review as review_service
from bot.services.access import Actor
from bot.services.container import Services
from bot.services.reporting import codes
from bot.services.reporting.prompts import status_name
from bot.services.uow import retire_buttons
from bot.texts import fmt_time
from bot.texts import office as ot
from storage import history, ledger, reviews

PROBLEM = r"^rv:(ok|no|files):(\d+):(\d+)$"
EXTENSION = r"^ex:(ok|no):(\d+)$"


async def _admin_or_refuse(ev: Event, svc: Services, out: Effects, what: str) -> Actor | None:
    """Decisions are the office's, and are made where the office offered them."""
    who = await actor(ev, svc)
    if not who.is_admin or who.person is None:
        out.answer_press(ot.ADMIN_ONLY.format(office=svc.config.office.name, what=what), alert=True)
        return None
    if not await in_office_place(ev, svc):
        out.answer_press(ot.WHERE_ADMIN, alert=True)
        return None
    return who


async def problem_pressed(ev: Event, svc: Services, out: Effects) -> None:
    """通过（销号）, 退回 (asks for the reason), 查看佐证材料."""
    pressed = re.match(PROBLEM, ev.action or "")
    if pressed is None:
        return
    who = await _admin_or_refuse(ev, svc, out, "验收销号")
    if who is None:
        return
    action, problem_id, report_id = pressed.group(1), int(pressed.group(2)), int(pressed.group(3))
    if action == "files":
        out.answer_press()
        await _show_files(svc, out, report_id)
        return
    card = await _problem_card(ev, svc, problem_id, report_id)
    if action == "no":
        problem = await ledger.get(svc.db, problem_id)
        if problem is None or problem.status != "awaiting_acceptance":
            status = status_name(problem.status) if problem else "—"
            out.answer_press(ot.REVIEW_STALE.format(status=status), alert=True)
            return
        wait = {"kind": "reject", "problem": problem_id, "report": report_id, **card}
        await _ask_reason(ev, svc, wait, "退回")
        out.answer_press()
        return
    at = svc.clock()
    _show_decision(svc, who, card, ot.DECIDED_APPROVED, at)
    try:
        await review_service.accept(svc.db, who, problem_id, report_id, svc.config, at)
    except review_service.Stale as exc:
        out.answer_press(str(exc), alert=True)
        return
    out.answer_press()


async def _show_files(svc: Services, out: Effects, report_id: int) -> None:
    """The report's evidence, sent again by the platform's own file ids (it keeps the files)."""
    for kind, file_id in await history.report_files(svc.db, report_id):
        out.show(OutMessage(text="", attachment=Attachment(kind=kind, file_id=file_id)))


async def _problem_card(
    ev: Event, svc: Services, problem_id: int, report_id: int
) -> dict[str, object]:
    """The pressed problem card; it keeps 查看佐证材料 when its report has files (as it
    was offered on the card)."""
    has_files = bool(await history.report_files(svc.db, report_id))
    return _card(ev, files_action(problem_id, report_id) if has_files else "")


def _card(ev: Event, files: str = "") -> dict[str, object]:
    """The pressed card, to show its decision later: id, text and the button it keeps."""
    if ev.pressed is None or not ev.pressed_text:
        return {}
    return {"card": ev.pressed, "card_text": ev.pressed_text, "files": files}


def _show_decision(
    svc: Services,
    who: Actor,
    card: dict[str, object],
    template: str,
    at: datetime,
    *,
    reason: str = "",
) -> None:
    """With the decision's effect, the card shows it and who made it in place of its buttons."""
    if "card" not in card:
        retire_buttons()  # a card the platform no longer shows us: its keyboard still comes off
        return
    signed = who.person.signature if who.person else str(who.tg_user_id)
    decided = template.format(
        reason=reason, who=signed, at=fmt_time(at, svc.config.schedule.timezone)
    )
    files = str(card.get("files") or "")
    keep = ((Button(text=ot.REVIEW_SHOW_FILES, action=files),),) if files else ()
    retire_buttons(
        f"{card['card_text']}\n\n{decided}",
        buttons=keep,
        message_id=int(str(card["card"])),
    )


async def _ask_reason(ev: Event, svc: Services, wait: dict[str, object], what: str) -> None:
    """The next message here from this admin is the reason (in a group: as a reply)."""
    text = ot.REVIEW_ASK_REASON.format(what=what)
    if not ev.where.private:
        text += "\n" + ot.REVIEW_ASK_REASON_GROUP
    await ask(svc, "review", ev.who.user_id, ev.where.chat_id, wait, text)


async def extension_pressed(ev: Event, svc: Services, out: Effects) -> None:
    """同意延期, or 不同意 (asks for the reason)."""
    pressed = re.match(EXTENSION, ev.action or "")
    if pressed is None:
        return
    who = await _admin_or_refuse(ev, svc, out, "审核延期申请")
    if who is None:
        return
    approve, extension_id = pressed.group(1) == "ok", int(pressed.group(2))
    request = await reviews.extension(svc.db, extension_id)
    if request is None or request.status != "pending":
        out.answer_press(ot.REVIEW_STALE.format(status="已处理"), alert=True)
        return
    card = _card(ev)
    if not approve:
        wait = {"kind": "extension", "extension": extension_id, **card}
        await _ask_reason(ev, svc, wait, "不同意延期")
        out.answer_press()
        return
    at = svc.clock()
    _show_decision(svc, who, card, ot.DECIDED_EXTENDED, at)
    try:
        await review_service.decide_extension(
            svc.db, who, extension_id, approve=True, reason=None, config=svc.config, at=at
        )
    except review_service.Stale as exc:
        out.answer_press(str(exc), alert=True)
        return
    out.answer_press()


async def reason_given(
    ev: Event, svc: Services, out: Effects, wait: dict[str, object], reason: str
) -> None:
    """The reason for 退回 or 不同意延期 arrived: decide now (the question closes with it)."""
    if not reason.strip():
        out.say(ot.REASON_EMPTY)  # the question stays open
        return
    who, at = await actor(ev, svc), svc.clock()
    reject = wait.get("kind") == "reject"
    said = ot.DECIDED_REJECTED if reject else ot.DECIDED_NOT_EXTENDED
    _show_decision(svc, who, wait, said, at, reason=reason.strip())
    try:
        if reject:
            await review_service.send_back(
                svc.db,
                who,
                int(str(wait["problem"])),
                int(str(wait["report"])),
                reason.strip(),
                svc.config,
                at,
            )
        else:
            await review_service.decide_extension(
                svc.db,
                who,
                int(str(wait["extension"])),
                approve=False,
                reason=reason.strip(),
                config=svc.config,
                at=at,
            )
    except review_service.Stale as exc:
        out.say(str(exc))


async def reopen(ev: Event, svc: Services, out: Effects) -> None:
    """/reopen <code> <reason>: 回头看 reopens a closed problem."""
    who = await office_actor(ev, svc, out, "回头看重新打开问题")
    if who is None:
        return
    if len(ev.args) < 2:
        out.say(ot.REOPEN_USAGE)
        return
    code, reason = codes.normal(ev.args[0]), " ".join(ev.args[1:]).strip()
    found = await ledger.by_code(svc.db, code)
    if not found:
        out.say(ot.PROBLEM_NOT_FOUND.format(code=code))
        return
    try:
        await review_service.reopen(svc.db, who, found[0], reason, svc.config, svc.clock())
    except review_service.Stale as exc:
        out.say(str(exc))
