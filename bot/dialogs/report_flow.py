"""The report conversation: each step's answer, a file, a reply to a reminder, a quick report.

Its state is the draft row in the database, not memory: a restart loses nothing. It runs
before the commands and takes the event when it answered it; anything else is left for the
later dialogs. The draft's buttons are in `bot.dialogs.report_press`.
"""

from __future__ import annotations

import unicodedata

from bot.core.effects import Effects
from bot.core.event import Event
from bot.dialogs.common import actor
from bot.dialogs.report_files import keep_or_refuse
from bot.services.access import Actor
from bot.services.container import Services
from bot.services.reporting import codes, flow
from bot.services.reporting.draft import Draft, DraftFile
from bot.services.reporting.figures import FigureError, parse_count, parse_money
from bot.services.reporting.prompts import prompt
from bot.texts import reporting as rt
from storage import chats, ledger
from storage.ledger import Problem


async def show_step(ev: Event, svc: Services, out: Effects, draft: Draft) -> None:
    """Ask the draft's current question again (nothing changed: a plain answer)."""
    problem = await ledger.get(svc.db, draft.problem_id)
    assert problem is not None
    out.show(prompt(draft, problem, in_group=not ev.where.private))


async def save_step(svc: Services, draft: Draft, *, note: str | None = None) -> None:
    """Keep the draft's new state; its next question is the effect's own reply."""
    problem = await ledger.get(svc.db, draft.problem_id)
    assert problem is not None
    await flow.save(svc.db, draft, problem, svc.clock(), note=note)


async def start_on(
    ev: Event,
    svc: Services,
    out: Effects,
    who: Actor,
    problem_id: int,
    texts: list[str],
    files: list[DraftFile] | None = None,
) -> None:
    """Begin (or resume) a report on one problem and ask the next question."""
    problem = await ledger.get(svc.db, problem_id)
    why = flow.refusal(who, problem, svc.config.office.name)
    if why is not None or problem is None or who.person is None:
        out.say(why or rt.STALE_BUTTON)
        return
    try:
        await flow.begin(
            svc.db, who.person.id, ev.where.chat_id, problem, texts, svc.clock(), files or []
        )
    except flow.Refused as exc:
        out.say(str(exc))


async def route(ev: Event, svc: Services, out: Effects) -> None:
    """A message from a contact: an answer to their draft, a reply to a reminder, a quick report."""
    who = await actor(ev, svc)
    office = svc.config.office.name
    if who.person is None or who.contact_role is None:
        # Not a contact. A message that starts with a problem's code gets the reason why
        # this person cannot report; anything else is for the later dialogs.
        first = codes.first_token(ev.typed)
        if first and ev.where.private and await ledger.by_code(svc.db, first):
            out.say(flow.refusal(who, None, office) or rt.STALE_BUTTON)
            out.take()
        elif not who.is_bound and await _answers_a_reminder(ev, svc):
            # Someone in a unit's group answered a reminder without being bound: say so
            # briefly there, rather than let the answer look taken.
            out.say(rt.UNBOUND_REPLY.format(office=office))
            out.take()
        return
    unit_id = who.contact_role.unit_id
    assert unit_id is not None
    problems = await ledger.open_of_unit_by_code(svc.db, unit_id)
    draft = await flow.current(svc.db, who.person.id)
    if draft is not None and draft.chat_id == ev.where.chat_id:
        await _answer_step(ev, svc, out, draft, problems)
        out.take()
        return
    named = codes.named_in(ev.reply_text, problems) if ev.reply_to is not None else []
    if len(named) == 1:  # a reply to a reminder or a to-do about one problem
        file = await keep_or_refuse(ev, svc, out)
        if file is None and ev.files:
            out.take()  # said why it was not kept
            return
        texts = [ev.text] if ev.text else []
        await start_on(ev, svc, out, who, named[0].id, texts, [file] if file else None)
        out.take()
        return
    quick = codes.leading_code(ev.typed, problems)
    if quick is not None:
        problem, rest = quick
        await start_on(ev, svc, out, who, problem.id, [rest] if rest.strip() else [])
        out.take()
        return
    if len(named) > 1:  # a reply to a to-do: which problem is it about?
        out.say(rt.WHICH_OF_MANY.format(code=named[0].code))
        out.take()


async def _answers_a_reminder(ev: Event, svc: Services) -> bool:
    """A reply, in a unit's group, to a bot message that names one of the unit's problems."""
    if ev.where.private or ev.reply_to is None:
        return False
    group = await chats.get(svc.db, ev.where.chat_id)
    if group is None or group.purpose != "unit" or group.unit_id is None:
        return False
    problems = await ledger.open_of_unit_by_code(svc.db, group.unit_id)
    return bool(codes.named_in(ev.reply_text, problems))


async def _answer_step(
    ev: Event, svc: Services, out: Effects, draft: Draft, problems: dict[str, Problem]
) -> None:
    """The contact's message while their draft is open in this chat: the step's answer."""
    if ev.files:
        await _add_file(ev, svc, out, draft)
        return
    text = ev.typed
    if not text:
        return
    other = codes.leading_code(text, problems)
    if other is not None and other[0].id != draft.problem_id:
        # Never file one problem's report under another silently: ask.
        await flow.hold(svc.db, draft, other[0], text, svc.clock())
        return
    if draft.step == "collect":
        draft.texts.append(text)
        await save_step(svc, draft)
        return
    if draft.step in ("money", "rules", "people"):
        if _said_skip(text):  # typed 跳过 is the 跳过 button
            draft.step = draft.after_figure()
            await save_step(svc, draft)
            return
        try:
            value = parse_money(text) if draft.step == "money" else parse_count(text)
        except FigureError as exc:
            out.say(str(exc))
            return
        setattr(draft, draft.step, value)
        draft.step = draft.after_figure()
        await save_step(svc, draft)
        return
    await show_step(ev, svc, out, draft)  # a text where a button is expected: ask again


async def _add_file(ev: Event, svc: Services, out: Effects, draft: Draft) -> None:
    """A photo or document joins the draft, its caption with the texts."""
    file = await keep_or_refuse(ev, svc, out)
    if file is None:
        return  # said why; the draft is as it was
    draft.files.append(file)
    if ev.text:  # with a file, the text is its caption
        draft.texts.append(ev.text)
    too_big = file.note is not None and file.sha256 is None
    note = (
        rt.GOT_TOO_BIG.format(name=file.file_name or rt.PHOTO_NAME, note=file.note)
        if too_big
        else None
    )
    if draft.step in ("collect", "claim"):
        draft.step = "collect"
    else:  # a figure or the confirm card: the file joins, the same question comes again
        note = note or rt.FILE_ADDED.format(files=len(draft.files))
    await save_step(svc, draft, note=note)


def _said_skip(text: str) -> bool:
    return unicodedata.normalize("NFKC", text).strip().strip("。.") == rt.SKIP
