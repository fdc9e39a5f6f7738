"""/mine, /report, /extend and /withdraw: a contact's commands, and /mine's pages."""

from __future__ import annotations

import re
from datetime import date

from bot.core.effects import Effects
from bot.core.event import Event
from bot.dialogs.common import actor
from bot.dialogs.report_flow import show_step, start_on
from bot.messages import Button
from bot.services.access import Actor
from bot.services.container import Services
from bot.services.ledger.views import Listing, limit_text, title
from bot.services.lookup import clean
from bot.services.reporting import codes, extension, flow
from bot.services.reporting.prompts import status_name
from bot.texts import ledger as lt
from bot.texts import reporting as rt
from storage import ledger

PER_PAGE = 10
MINE_CALLBACK = r"^mine:(\d+)$"


async def _contact(ev: Event, svc: Services, out: Effects) -> Actor | None:
    """The actor when they are a contact; otherwise say why they cannot report."""
    who = await actor(ev, svc)
    why = flow.refusal(who, None, svc.config.office.name)
    if why is not None:
        out.say(why)
        return None
    return who


async def _mine_page(
    svc: Services, who: Actor, page: int
) -> tuple[str, tuple[tuple[Button, ...], ...]]:
    """One page of the unit's open problems, each with its 报告进展 button, and the pages'."""
    contact = who.contact_role
    assert contact is not None and contact.unit_id is not None
    problems = await ledger.problems_of_unit(svc.db, contact.unit_id, open_only=True)
    if not problems:
        return rt.MINE_NONE.format(unit=contact.unit_name), ()
    today = svc.today()
    lines = [
        rt.MINE_LINE.format(
            code=p.code, status=status_name(p.status), limit=limit_text(p, today), title=title(p)
        )
        for p in problems
    ]
    listing = Listing(rt.MINE_HEAD.format(unit=contact.unit_name, count=len(problems)), lines)
    text, shown, pages = listing.page(page, PER_PAGE)
    chunk = problems[(shown - 1) * PER_PAGE : shown * PER_PAGE]
    buttons: list[tuple[Button, ...]] = [
        (Button(text=rt.REPORT_BUTTON.format(code=p.code), action=f"rp:{p.id}"),) for p in chunk
    ]
    nav = []
    if shown > 1:
        nav.append(Button(text=lt.PREV, action=f"mine:{shown - 1}"))
    if shown < pages:
        nav.append(Button(text=lt.NEXT, action=f"mine:{shown + 1}"))
    if nav:
        buttons.append(tuple(nav))
    return text, tuple(buttons)


async def mine(ev: Event, svc: Services, out: Effects) -> None:
    """My unit's open problems, each with a 报告进展 button."""
    if who := await _contact(ev, svc, out):
        out.say(*await _mine_page(svc, who, 1))


async def mine_page(ev: Event, svc: Services, out: Effects) -> None:
    """Another page of /mine."""
    matched = re.match(MINE_CALLBACK, ev.action or "")
    if matched is None:
        return
    who = await actor(ev, svc)
    why = flow.refusal(who, None, svc.config.office.name)
    if why is not None:
        out.answer_press(why, alert=True)
        return
    out.answer_press()
    out.say(*await _mine_page(svc, who, int(matched.group(1))))


async def report(ev: Event, svc: Services, out: Effects) -> None:
    """Start a report: on the problem named, or pick one; an unfinished draft resumes."""
    who = await _contact(ev, svc, out)
    if who is None or who.person is None or who.contact_role is None:
        return
    typed = "".join(ev.args)
    if not typed:
        draft = await flow.current(svc.db, who.person.id)
        if draft is not None and draft.has_content:
            await show_step(ev, svc, out, draft)
            return
        out.say(*await _mine_page(svc, who, 1))
        return
    unit_id = who.contact_role.unit_id
    assert unit_id is not None
    problems = await ledger.open_of_unit_by_code(svc.db, unit_id)
    problem = problems.get(codes.normal(typed))
    if problem is None:
        elsewhere = await ledger.by_code(svc.db, codes.normal(typed))
        office = svc.config.office.name
        why = flow.refusal(who, elsewhere[0], office) if elsewhere else None
        out.say(why or rt.NOT_FOUND.format(code=codes.normal(typed)))
        return
    await start_on(ev, svc, out, who, problem.id, [])


async def extend(ev: Event, svc: Services, out: Effects) -> None:
    """/extend <code> <YYYY-MM-DD> <reason>: ask the office for a later deadline."""
    who = await _contact(ev, svc, out)
    if who is None or who.contact_role is None:
        return
    args = list(ev.args)
    if len(args) < 3:
        out.say(rt.EXTEND_USAGE)
        return
    code, when, reason = codes.normal(args[0]), clean(args[1]), " ".join(args[2:])
    try:
        new = date.fromisoformat(when.replace("/", "-"))
    except ValueError:
        out.say(rt.EXTEND_BAD_DATE.format(text=args[1]))
        return
    found = await ledger.by_code(svc.db, code)
    mine = [p for p in found if p.unit_id == who.contact_role.unit_id] or found
    if not mine:
        out.say(rt.NOT_FOUND.format(code=code))
        return
    office = svc.config.office.name
    try:
        await extension.request(
            svc.db, who, mine[0], new, reason, today=svc.today(), office=office, at=svc.clock()
        )
    except flow.Refused as exc:
        out.say(str(exc))


async def withdraw(ev: Event, svc: Services, out: Effects) -> None:
    """/withdraw <number>: take back one's own report within 24 hours."""
    who = await _contact(ev, svc, out)
    if who is None:
        return
    number = "".join(clean(" ".join(ev.args)).split())
    if not number:
        out.say(rt.WITHDRAW_USAGE)
        return
    try:
        await flow.withdraw(svc.db, who, number, svc.clock())
    except flow.Refused as exc:
        out.say(str(exc))
