"""已阅, /receipts and 提醒未阅: a sent notice demonstrably reaches every unit.

The 已阅 button is the receipt itself (the first press counts); the office sees who has
and has not pressed it, and may remind only those who have not.
"""

from __future__ import annotations

import re

from bot.core.effects import Effects
from bot.core.event import Event
from bot.dialogs.common import actor
from bot.dialogs.office import in_office_place, office_actor
from bot.messages import Button
from bot.services import notices as notice_service
from bot.services.container import Services
from bot.services.ledger.figures import pct
from bot.texts import fmt_time
from bot.texts import office as ot
from storage import notices
from storage.notices import Notice, Recipient

ACK = r"^ack:(\d+)$"
REMIND = r"^rr:(\d+)$"


async def ack(ev: Event, svc: Services, out: Effects) -> None:
    """已阅: the button is the receipt; the first press counts, a second changes nothing."""
    found = re.match(ACK, ev.action or "")
    if found is None:
        return
    who = await actor(ev, svc)
    result = await notice_service.acknowledge(
        svc.db, int(found.group(1)), ev.who.user_id, who.is_bound, svc.clock()
    )
    tz = svc.config.schedule.timezone
    text = {
        "ok": ot.ACK_OK,
        "again": ot.ACK_AGAIN.format(at=fmt_time(result.first, tz) if result.first else ""),
        "not_recipient": ot.ACK_NOT_RECIPIENT,
        "unbound": ot.ACK_UNBOUND.format(office=svc.config.office.name),
    }[result.outcome]
    out.answer_press(text, alert=result.outcome != "ok")


async def receipts(ev: Event, svc: Services, out: Effects) -> None:
    """Who has and has not acknowledged a notice (the latest, or the one named)."""
    if await office_actor(ev, svc, out, "查看通知的已阅情况") is None:
        return
    args = ev.args
    if args and not args[0].lstrip("#").isdigit():
        out.say(ot.RECEIPTS_NOT_FOUND.format(id=args[0]))
        return
    sent = (
        await notices.get(svc.db, int(args[0].lstrip("#")))
        if args
        else await notices.latest_sent(svc.db)
    )
    if sent is None or sent.status != "sent":
        out.say(ot.RECEIPTS_NOT_FOUND.format(id=args[0]) if args else ot.RECEIPTS_NONE)
        return
    people = await notices.recipients(svc.db, sent.id)
    missing = [p for p in people if p.acked_at is None]
    buttons = ((Button(text=ot.RECEIPTS_REMIND, action=f"rr:{sent.id}"),),) if missing else ()
    out.say(_receipts_text(sent, people, svc.config.schedule.timezone), buttons)


def _receipts_text(sent: Notice, people: list[Recipient], tz: str) -> str:
    """The head with the rate, then who has read it (and when), then who has not."""
    acked, total = notice_service.rate(people)
    lines = [
        ot.RECEIPTS_HEAD.format(
            id=sent.id,
            at=fmt_time(sent.sent_at, tz) if sent.sent_at else "",
            total=total,
            acked=acked,
            rate=pct(acked / total if total else None),
            missing=total - acked,
        )
    ]
    done = [p for p in people if p.acked_at is not None]
    missing = [p for p in people if p.acked_at is None]
    if done:
        lines.append(ot.RECEIPTS_ACKED)
        lines += [
            ot.RECEIPTS_LINE.format(
                name=p.name, unit=p.unit_name, at=fmt_time(p.acked_at, tz) if p.acked_at else ""
            )
            for p in done
        ]
    if missing:
        lines.append(ot.RECEIPTS_MISSING)
        lines += [ot.RECEIPTS_LINE.format(name=p.name, unit=p.unit_name, at="") for p in missing]
    return "\n".join(lines)


async def remind(ev: Event, svc: Services, out: Effects) -> None:
    """提醒未阅: remind only those who have not acknowledged (once an hour at most); a
    button re-checks who presses it, and where."""
    found = re.match(REMIND, ev.action or "")
    if found is None:
        return
    office = svc.config.office.name
    who = await actor(ev, svc)
    if not who.is_admin or not await in_office_place(ev, svc):
        out.answer_press(ot.ADMIN_ONLY.format(office=office, what="提醒未阅"), alert=True)
        return
    result = await notice_service.remind(svc.db, int(found.group(1)), office, svc.clock())
    if isinstance(result, str):
        out.answer_press(result, alert=True)
        return
    out.answer_press(ot.REMIND_SENT.format(count=result), alert=True)
