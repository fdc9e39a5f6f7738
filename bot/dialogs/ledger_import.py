"""/import: an admin sends the ledger file, sees a preview, and confirms or cancels.

The file answers an open question (/import, then the file within WAIT_FOR) or names the
command in its caption; any other file is not for this dialog.
"""

from __future__ import annotations

import logging
import re
from datetime import timedelta

from bot import texts
from bot.core.effects import Effects
from bot.core.event import Event, FetchFailed
from bot.dialogs.common import actor
from bot.dialogs.office import ask, in_office_place, office_actor, read_wait, wait_key
from bot.services.container import Services
from bot.services.ledger import report_text, session
from bot.services.ledger.reading import MAX_BYTES
from bot.services.uow import effect, reply, settle
from bot.texts import ledger as lt
from bot.texts import office as ot

WAIT_FOR = timedelta(minutes=30)
CALLBACK = r"^imp:(ok|no):(\d+)$"
_DECISION = re.compile(CALLBACK)
WHAT = "导入问题台账"  # what only an admin may do, as the refusal names it

log = logging.getLogger(__name__)


async def start_import(ev: Event, svc: Services, out: Effects) -> None:
    """Ask for the file; the round may be named after the command."""
    if await office_actor(ev, svc, out, WHAT) is None:
        return
    hint = " ".join(ev.args)
    round_name = await session.default_round(svc.db, hint)
    text = lt.IMPORT_ASK.format(round=round_name)
    if not ev.where.private:  # privacy mode: the bot sees a group's file only as a reply
        text += "\n" + lt.IMPORT_ASK_GROUP
    value: dict[str, object] = {"round": hint, "at": svc.clock().timestamp()}
    await ask(svc, "import", ev.who.user_id, ev.where.chat_id, value, text)


def _limit(ev: Event) -> int:
    """The largest file taken: what the reader takes, or less if the platform lets a bot
    fetch less."""
    if ev.limits.download_max is None:
        return MAX_BYTES
    return min(MAX_BYTES, ev.limits.download_max)


async def _round_hint(ev: Event, svc: Services) -> str | None:
    """The round the file is for, when it is meant as an import; None when it is not."""
    caption = ev.text.strip()
    if caption.startswith("/import"):
        return caption.removeprefix("/import").strip()
    waiting = await read_wait(svc, "import", ev.who.user_id, ev.where.chat_id)
    if waiting is not None and (
        svc.clock().timestamp() - float(str(waiting["at"])) <= WAIT_FOR.total_seconds()
    ):
        return str(waiting["round"])
    return None


async def receive_file(ev: Event, svc: Services, out: Effects) -> None:
    """A document from an admin who asked to import (or captioned it /import)."""
    document = next((f for f in ev.files if f.kind == "document"), None)
    if document is None:
        return
    hint = await _round_hint(ev, svc)
    if hint is None:
        if ev.where.private:
            out.say(texts.NOT_UNDERSTOOD_PRIVATE)
        return
    who = await office_actor(ev, svc, out, WHAT)
    if who is None:
        return
    assert who.person is not None  # office_actor returns only a bound admin
    if (document.size or 0) > _limit(ev):
        out.say(lt.IMPORT_TOO_BIG.format(mb=_limit(ev) // 2**20))
        return
    try:
        data = await ev.download(document)
    except FetchFailed as exc:  # the platform would not hand it over: nothing changed
        log.info("import file %s not fetched: %s", document.ref, exc)
        out.say(lt.IMPORT_NOT_FETCHED)
        return
    settle(wait_key("import", ev.who.user_id, ev.where.chat_id))  # the file answers the question
    result = await session.prepare(
        svc.db,
        data,
        document.name or "台账",
        hint,
        by=who.person.id,
        chat_id=ev.where.chat_id,
        at=svc.clock(),
        max_rows=svc.config.office.import_max_rows,
    )
    if isinstance(result, session.Refused):
        async with effect(svc.db):
            await reply(report_text.refusal(result.errors))
        if len(result.errors) > report_text.SHOWN_ERRORS:  # after the refusal that mentions it
            out.send_file(lt.IMPORT_ERRORS_FILE, report_text.errors_csv(result.errors))


async def decide(ev: Event, svc: Services, out: Effects) -> None:
    """确认导入 or 取消, pressed by the admin who started the import."""
    match = _DECISION.match(ev.action or "")
    assert match is not None
    who = await actor(ev, svc)
    if not who.is_admin or who.person is None:
        out.answer_press(lt.IMPORT_NOT_ADMIN.format(office=svc.config.office.name), alert=True)
        return
    if not await in_office_place(ev, svc):
        out.answer_press(ot.WHERE_ADMIN, alert=True)
        return
    result = await session.decide(
        svc.db,
        int(match.group(2)),
        confirm=match.group(1) == "ok",
        by=who.person.id,
        by_label=who.person.signature,
        at=svc.clock(),
        chat_id=ev.where.chat_id,
    )
    if result.outcome == "not_yours":
        out.answer_press(lt.IMPORT_NOT_YOURS, alert=True)
        return
    if result.outcome == "stale":
        out.answer_press(lt.IMPORT_STALE, alert=True)
        return
    out.answer_press()
