"""/digest and /transfer: an admin asks for a digest now, or hands an item to 纪检监察."""

from __future__ import annotations

from bot.core.effects import Effects
from bot.core.event import Event
from bot.dialogs.office import office_actor
from bot.services import transfer as service
from bot.services.container import Services
from bot.services.duties.runner import DutyRunner
from bot.services.reporting import codes
from bot.texts import office as ot
from bot.texts import transfer as tt
from storage import ledger


async def digest(ev: Event, svc: Services, out: Effects) -> None:
    """Build 一日一小结 or 一周一汇总 as of now and show it here (nothing is sent elsewhere)."""
    if await office_actor(ev, svc, out, "生成汇总") is None:
        return
    kind = (ev.args or ("",))[0].lower()
    if kind not in ("daily", "weekly"):
        out.say(ot.DIGEST_USAGE)
        return
    texts = await DutyRunner(svc.config, svc.db).build_digest(kind, svc.clock())
    out.say(next(iter(texts.values()), ""))


async def transfer(ev: Event, svc: Services, out: Effects) -> None:
    """/transfer <code> <to whom> [note]: 移交纪检监察, an admin's decision."""
    actor = await office_actor(ev, svc, out, tt.WHAT)
    if actor is None:
        return
    if len(ev.args) < 2:
        out.say(tt.USAGE)
        return
    code, to_whom = codes.normal(ev.args[0]), ev.args[1].strip()
    note = " ".join(ev.args[2:]).strip()
    found = await ledger.by_code(svc.db, code)
    if not found:
        out.say(ot.PROBLEM_NOT_FOUND.format(code=code))
        return
    try:
        await service.transfer(
            svc.db, actor, found[0], to_whom, note, svc.clock(), svc.config.schedule.timezone
        )
    except service.Refused as exc:
        out.say(str(exc))
