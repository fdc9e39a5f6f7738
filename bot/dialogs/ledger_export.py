"""/export: the ledger as an .xlsx file, made for whoever may read the whole ledger here."""

from __future__ import annotations

from bot import texts
from bot.core.effects import Effects
from bot.core.event import Event
from bot.dialogs.ledger_views import viewer
from bot.services.container import Services
from bot.services.ledger.export import export_xlsx
from bot.texts import ledger as lt


async def export(ev: Event, svc: Services, out: Effects) -> None:
    """Send the ledger workbook (admins and leaders)."""
    # The same rights and places as /units: never into a unit's group.
    if await viewer(ev, svc, out, everyone=False) is None:
        return
    tz = svc.config.schedule.timezone
    data = await export_xlsx(svc.db, svc.today(), tz)
    now = texts.fmt_time(svc.clock(), tz)
    name = lt.EXPORT_FILE.format(date=svc.today().isoformat())
    out.send_file(name, data, lt.EXPORT_CAPTION.format(at=now))
