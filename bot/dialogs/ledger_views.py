"""/units, /unit, /problem, /overdue and /stats: reading the ledger, each within one's rights.

A paged view re-checks the reader's rights on every page turn: a button outlives a role.
"""

from __future__ import annotations

import re

from bot.core.effects import Effects
from bot.core.event import Event
from bot.dialogs.common import actor, unit_named
from bot.messages import Button, OutMessage
from bot.services.access import Actor
from bot.services.container import Services
from bot.services.ledger import detail, views
from bot.services.lookup import clean
from bot.texts import ledger as lt
from storage import chats, ledger, units

PAGE_CALLBACK = r"^pg:(units|unit|overdue):(\d+):(\d+)$"
_PAGE = re.compile(PAGE_CALLBACK)


async def viewer(ev: Event, svc: Services, out: Effects, *, everyone: bool) -> Actor | None:
    """The actor if they may read here; otherwise tell them why not and return None.

    everyone: contacts may read too (their own unit); else only admins and leaders. In a
    group, only admins and leaders, and only in the office's or the leaders' group: a unit's
    group must not see other units' figures.
    """
    who = await actor(ev, svc)
    if not who.is_bound:
        out.say(lt.VIEW_UNBOUND.format(office=svc.config.office.name))
        return None
    sees_all = who.is_admin or who.is_leader
    if not sees_all and not everyone:
        out.say(lt.VIEW_ROLE_REFUSED)
        return None
    if not ev.where.private:
        known = await chats.get(svc.db, ev.where.chat_id)
        if not sees_all or known is None or known.purpose not in ("office", "leaders"):
            out.say(lt.VIEW_WHERE)
            return None
    return who


def _other_unit(who: Actor) -> str:
    contact = who.contact_role
    return lt.VIEW_OTHER_UNIT.format(unit=contact.unit_name if contact else "")


def _pager(view: str, arg: int, page: int, pages: int) -> tuple[tuple[Button, ...], ...]:
    row = []
    if page > 1:
        row.append(Button(text=lt.PREV, action=f"pg:{view}:{arg}:{page - 1}"))
    if page < pages:
        row.append(Button(text=lt.NEXT, action=f"pg:{view}:{arg}:{page + 1}"))
    return (tuple(row),) if row else ()


async def _listing(svc: Services, who: Actor, view: str, arg: int) -> views.Listing | str:
    """Build a paged view, or say why this person may not see it."""
    db, today = svc.db, svc.today()
    contact = who.contact_role
    sees_all = who.is_admin or who.is_leader
    if view == "units":
        return await views.units_listing(db, today) if sees_all else lt.VIEW_ROLE_REFUSED
    if view == "overdue":
        if sees_all:
            return await views.overdue_listing(db, today)
        assert contact is not None and contact.unit_id is not None
        return await views.overdue_listing(db, today, contact.unit_id)
    unit = await units.get(db, arg)
    if unit is None:
        return lt.STALE_PAGE
    if not sees_all and (contact is None or contact.unit_id != unit.id):
        return _other_unit(who)
    return await views.unit_listing(db, unit, today)


async def _show(svc: Services, out: Effects, who: Actor, view: str, arg: int) -> None:
    listing = await _listing(svc, who, view, arg)
    if isinstance(listing, str):
        out.say(listing)
        return
    text, page, pages = listing.page(1)
    out.say(text, _pager(view, arg, page, pages))


async def units_cmd(ev: Event, svc: Services, out: Effects) -> None:
    """Every unit: contacts, open, awaiting acceptance, overdue, 整改率."""
    if who := await viewer(ev, svc, out, everyone=False):
        await _show(svc, out, who, "units", 0)


async def overdue_cmd(ev: Event, svc: Services, out: Effects) -> None:
    """Overdue problems, most overdue first (a contact sees their own unit's)."""
    if who := await viewer(ev, svc, out, everyone=True):
        await _show(svc, out, who, "overdue", 0)


async def unit_cmd(ev: Event, svc: Services, out: Effects) -> None:
    """One unit's problems; a contact's own unit when no name is given."""
    who = await viewer(ev, svc, out, everyone=True)
    if who is None:
        return
    typed = " ".join(ev.args)
    contact = who.contact_role
    if not typed:
        if contact is None or contact.unit_id is None:
            out.say(lt.UNIT_USAGE)
            return
        await _show(svc, out, who, "unit", contact.unit_id)
        return
    unit = await unit_named(svc, out, typed)
    if unit is not None:
        await _show(svc, out, who, "unit", unit.id)


async def problem_cmd(ev: Event, svc: Services, out: Effects) -> None:
    """One problem with its whole history."""
    who = await viewer(ev, svc, out, everyone=True)
    if who is None:
        return
    code = "".join(clean(" ".join(ev.args)).upper().split())
    if not code:
        out.say(lt.PROBLEM_USAGE)
        return
    found = await ledger.by_code(svc.db, code)
    contact = who.contact_role
    if not (who.is_admin or who.is_leader):
        mine = [p for p in found if contact is not None and p.unit_id == contact.unit_id]
        if found and not mine:
            out.say(_other_unit(who))
            return
        found = mine
    if not found:
        out.say(lt.PROBLEM_NOT_FOUND.format(code=code))
        return
    out.say(await detail.problem_text(svc.db, found[0], svc.today(), svc.config.schedule.timezone))


async def stats_cmd(ev: Event, svc: Services, out: Effects) -> None:
    """整改率 and 完成率, overall and per unit, category and round."""
    if await viewer(ev, svc, out, everyone=False):
        out.say(await views.stats_text(svc.db, svc.today()))


async def turn_page(ev: Event, svc: Services, out: Effects) -> None:
    """◀ / ▶ on a paged view: re-check rights, then show that page in place."""
    found = _PAGE.match(ev.action or "")
    assert found is not None
    view, arg, page = found.group(1), int(found.group(2)), int(found.group(3))
    who = await actor(ev, svc)
    listing: views.Listing | str = lt.VIEW_UNBOUND.format(office=svc.config.office.name)
    if who.is_bound:
        listing = await _listing(svc, who, view, arg)
    if isinstance(listing, str):
        out.answer_press(listing, alert=True)
        return
    text, shown, pages = listing.page(page)
    out.answer_press()
    if ev.pressed is not None:  # pressed twice: "not modified" is no error (the adapter's)
        out.edit(ev.pressed, OutMessage(text=text, buttons=_pager(view, arg, shown, pages)))
