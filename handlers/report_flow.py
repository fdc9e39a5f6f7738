"""The report conversation: each step's answer, files, and the buttons of a draft.

Its state is the draft row in the database, not memory: a restart loses nothing.
Registered before the commands; it stops the update when it took it.
"""

from __future__ import annotations

import contextlib
import unicodedata

from telegram import Message, Update
from telegram.error import BadRequest
from telegram.ext import (
    ApplicationHandlerStop,
    BaseHandler,
    CallbackQueryHandler,
    MessageHandler,
    filters,
)

from bot.context import Context
from bot.services.access import Actor
from bot.services.notify import to_office as notify_office
from bot.services.reporting import codes, evidence, flow
from bot.services.reporting.draft import Draft, DraftFile
from bot.services.reporting.figures import FigureError, parse_count, parse_money
from bot.services.reporting.prompts import answered, prompt
from bot.services.uow import retire_buttons
from bot.texts import reporting as rt
from handlers.common import actor_of, answer, office_name, send_out, toast
from storage import chats, ledger
from storage.ledger import Problem

DRAFT_CALLBACK = r"^rd:([0-9a-f]{6}):(\w+)$"
START_CALLBACK = r"^rp:(\d+)$"


async def show_step(update: Update, ctx: Context, draft: Draft) -> None:
    """Ask the draft's current question again (nothing changed: a plain answer)."""
    problem = await ledger.get(ctx.svc.db, draft.problem_id)
    assert problem is not None
    chat = update.effective_chat
    in_group = chat is not None and chat.type != "private"
    await send_out(update, ctx, prompt(draft, problem, in_group=in_group))


async def save_step(ctx: Context, draft: Draft, *, note: str | None = None) -> None:
    """Keep the draft's new state; its next question is the effect's own reply."""
    problem = await ledger.get(ctx.svc.db, draft.problem_id)
    assert problem is not None
    await flow.save(ctx.svc.db, draft, problem, ctx.svc.clock(), note=note)


async def start_on(
    update: Update,
    ctx: Context,
    actor: Actor,
    problem_id: int,
    texts: list[str],
    files: list[DraftFile] | None = None,
) -> None:
    """Begin (or resume) a report on one problem and ask the next question."""
    svc = ctx.svc
    problem = await ledger.get(svc.db, problem_id)
    why = flow.refusal(actor, problem, office_name(ctx))
    if why is not None or problem is None or actor.person is None:
        await answer(update, ctx, why or rt.STALE_BUTTON)
        return
    chat = update.effective_chat
    assert chat is not None
    try:
        await flow.begin(svc.db, actor.person.id, chat.id, problem, texts, svc.clock(), files or [])
    except flow.Refused as exc:
        await answer(update, ctx, str(exc))


async def _keep(ctx: Context, message: Message) -> DraftFile | None:
    """Download a photo or document into the evidence folder; keep its file id either way."""
    if message.photo:
        size = message.photo[-1]  # the largest
        kept = DraftFile(
            kind="photo",
            file_id=size.file_id,
            file_unique_id=size.file_unique_id,
            mime_type="image/jpeg",
            size=size.file_size,
        )
    elif message.document:
        doc = message.document
        kept = DraftFile(
            kind="document",
            file_id=doc.file_id,
            file_unique_id=doc.file_unique_id,
            file_name=doc.file_name,
            mime_type=doc.mime_type,
            size=doc.file_size,
        )
    else:
        return None
    file_id, name, mime, length = kept.file_id, kept.file_name, kept.mime_type, kept.size
    if length is not None and length > evidence.TELEGRAM_DOWNLOAD_LIMIT:
        return kept.model_copy(update={"note": "超过 20 MB，未下载"})
    try:
        data = bytes(await (await ctx.bot.get_file(file_id)).download_as_bytearray())
    except BadRequest as exc:  # "file is too big" and the like: keep the id, say so
        return kept.model_copy(update={"note": f"未能下载：{exc.message}"})
    folder = ctx.svc.config.storage.evidence_dir
    try:
        digest, path = await evidence.store(folder, data, name, mime, kept.kind)
    except evidence.EvidenceStoreError as exc:
        raise NotKept(exc.disk_full) from exc
    return kept.model_copy(update={"size": len(data), "sha256": digest, "local_path": str(path)})


class NotKept(Exception):
    """The file could not be written to the evidence folder (the disk is full, say)."""

    def __init__(self, disk_full: bool) -> None:
        super().__init__("disk full" if disk_full else "evidence not written")
        self.disk_full = disk_full


async def keep_or_refuse(update: Update, ctx: Context, message: Message) -> DraftFile | None:
    """The file kept as evidence, or None after telling the user it could not be kept."""
    try:
        return await _keep(ctx, message)
    except NotKept as exc:
        await answer(update, ctx, rt.FILE_NOT_KEPT_FULL if exc.disk_full else rt.FILE_NOT_KEPT)
        await notify_disk_trouble(ctx, exc.disk_full)
        return None


async def notify_disk_trouble(ctx: Context, disk_full: bool) -> None:
    """The office hears of it once an hour: the server needs someone."""
    svc = ctx.svc
    now = svc.clock()
    text = rt.DISK_FULL_OFFICE if disk_full else rt.EVIDENCE_FAILED_OFFICE
    with contextlib.suppress(Exception):  # the database may be on the full disk too
        async with svc.db.transaction() as tx:
            await notify_office(tx, f"evidence:{int(now.timestamp() // 3600)}", "alert", text, now)
        svc.kick_outbox()


async def route(update: Update, ctx: Context) -> None:
    """A message from a contact: an answer to their draft, a reply to a reminder, a quick report."""
    message, user, chat = update.effective_message, update.effective_user, update.effective_chat
    if message is None or user is None or chat is None:
        return
    actor = await actor_of(update, ctx)
    svc = ctx.svc
    if actor.person is None or actor.contact_role is None:
        # Not a contact. A message that starts with a problem's code gets the reason why
        # this person cannot report; anything else is for the other handlers.
        first = codes.first_token(message.text or "")
        if first and chat.type == "private" and await ledger.by_code(svc.db, first):
            why = flow.refusal(actor, None, office_name(ctx))
            await answer(update, ctx, why or rt.STALE_BUTTON)
            raise ApplicationHandlerStop
        if not actor.is_bound and await _answers_a_reminder(ctx, message, chat.id):
            # Someone in a unit's group answered a reminder without being bound: say so
            # briefly there, rather than let the answer look taken.
            await answer(update, ctx, rt.UNBOUND_REPLY.format(office=office_name(ctx)))
            raise ApplicationHandlerStop
        return
    unit_id = actor.contact_role.unit_id
    assert unit_id is not None
    problems = await ledger.open_of_unit_by_code(svc.db, unit_id)
    draft = await flow.current(svc.db, actor.person.id)
    if draft is not None and draft.chat_id == chat.id:
        await _answer_step(update, ctx, draft, message, problems)
        raise ApplicationHandlerStop
    text = message.text or message.caption or ""
    replied = message.reply_to_message
    if replied is not None and replied.from_user is not None and replied.from_user.id == ctx.bot.id:
        named = codes.named_in(replied.text or replied.caption or "", problems)
        if len(named) == 1:
            file = await keep_or_refuse(update, ctx, message)
            if file is None and (message.photo or message.document):
                raise ApplicationHandlerStop
            await start_on(
                update, ctx, actor, named[0].id, [text] if text else [], [file] if file else None
            )
            raise ApplicationHandlerStop
    quick = codes.leading_code(message.text or "", problems)
    if quick is not None:
        problem, rest = quick
        await start_on(update, ctx, actor, problem.id, [rest] if rest.strip() else [])
        raise ApplicationHandlerStop
    if replied is not None and replied.from_user is not None and replied.from_user.id == ctx.bot.id:
        named = codes.named_in(replied.text or replied.caption or "", problems)
        if len(named) > 1:  # a reply to a to-do: which problem is it about?
            await answer(update, ctx, rt.WHICH_OF_MANY.format(code=named[0].code))
            raise ApplicationHandlerStop


async def _answers_a_reminder(ctx: Context, message: Message, chat_id: int) -> bool:
    """A reply, in a unit's group, to a bot message that names one of the unit's problems."""
    replied = message.reply_to_message
    if chat_id > 0 or replied is None or replied.from_user is None:
        return False
    if replied.from_user.id != ctx.bot.id:
        return False
    group = await chats.get(ctx.svc.db, chat_id)
    if group is None or group.purpose != "unit" or group.unit_id is None:
        return False
    problems = await ledger.open_of_unit_by_code(ctx.svc.db, group.unit_id)
    return bool(codes.named_in(replied.text or replied.caption or "", problems))


async def _answer_step(
    update: Update, ctx: Context, draft: Draft, message: Message, problems: dict[str, Problem]
) -> None:
    svc = ctx.svc
    text = message.text
    if message.photo or message.document:
        file = await keep_or_refuse(update, ctx, message)
        if file is None:
            return  # said why; the draft is as it was
        draft.files.append(file)
        if message.caption:
            draft.texts.append(message.caption)
        too_big = file.note is not None and file.sha256 is None
        note = rt.GOT_TOO_BIG.format(name=file.file_name or "照片") if too_big else None
        if draft.step in ("collect", "claim"):
            draft.step = "collect"
        else:  # a figure or the confirm card: the file joins, the same question comes again
            note = note or rt.FILE_ADDED.format(files=len(draft.files))
        await save_step(ctx, draft, note=note)
        return
    if text is None:
        return
    other = codes.leading_code(text, problems)
    if other is not None and other[0].id != draft.problem_id:
        # Never file one problem's report under another silently: ask.
        await flow.hold(svc.db, draft, other[0], text, svc.clock())
        return
    if draft.step == "collect":
        draft.texts.append(text)
        await save_step(ctx, draft)
        return
    if draft.step in ("money", "rules", "people"):
        if _said_skip(text):  # typed 跳过 is the 跳过 button
            draft.step = draft.after_figure()
            await save_step(ctx, draft)
            return
        try:
            value = parse_money(text) if draft.step == "money" else parse_count(text)
        except FigureError as exc:
            await answer(update, ctx, str(exc))
            return
        setattr(draft, draft.step, value)
        draft.step = draft.after_figure()
        await save_step(ctx, draft)
        return
    await show_step(update, ctx, draft)  # a text where a button is expected: ask again


def _said_skip(text: str) -> bool:
    return unicodedata.normalize("NFKC", text).strip().strip("。.") == rt.SKIP


STEPS = {
    "done": "collect",
    "cp": "claim",
    "cc": "claim",
    "more": "claim",
    "skip": "figure",
    "none": "money",
    "ok": "confirm",
    "edit": "confirm",
    "no": "any",
    "into": "held",
    "new": "held",
}


async def press(update: Update, ctx: Context) -> None:
    """A button of a draft: 完成, 持续推进 / 已完成, 跳过, 确认提交, 放弃, and where a held
    message belongs. Its effect commits first; the press is answered after, best effort."""
    assert ctx.matches is not None
    nonce, name = ctx.matches[0].group(1), ctx.matches[0].group(2)
    actor = await actor_of(update, ctx)
    svc = ctx.svc
    draft = await flow.current(svc.db, actor.person.id) if actor.person else None
    chat = update.effective_chat
    if draft is None or draft.nonce != nonce or chat is None or draft.chat_id != chat.id:
        await toast(
            update, rt.STALE_BUTTON if actor.contact_role else rt.NOT_YOUR_DRAFT, alert=True
        )
        return
    expected = STEPS.get(name)
    current: str = draft.step
    if expected == "figure" and draft.step in ("money", "rules", "people"):
        current = "figure"
    if expected == "held":
        current = "held" if draft.held_problem_id is not None else draft.step
    if expected not in (current, "any"):
        await toast(update, rt.STALE_BUTTON, alert=True)
        return
    # Answered: the prompt shows the answer in place of its keyboard, with the effect (never
    # before it: a failed effect leaves the question open).
    problem = await ledger.get(svc.db, draft.problem_id)
    shown = query_text(update)
    retire_buttons(answered(draft, problem.code if problem else "", name, shown))
    await _act(update, ctx, actor, draft, name)
    await toast(update)


def query_text(update: Update) -> str | None:
    """The text of the message whose button was pressed, when Telegram still shows it."""
    query = update.callback_query
    message = query.message if query is not None else None
    return message.text if isinstance(message, Message) and message.text else None


async def _act(update: Update, ctx: Context, actor: Actor, draft: Draft, name: str) -> None:
    svc = ctx.svc
    if name == "no":
        await flow.discard(svc.db, draft.person_id, rt.DISCARDED, svc.clock())
        return
    if name == "ok":
        try:
            await flow.submit(svc.db, draft, actor, svc.config, svc.clock())
        except flow.Refused as exc:
            await answer(update, ctx, str(exc))
        return
    if name in ("into", "new"):
        held_id, held_text = draft.held_problem_id, draft.held_text or ""
        other = await ledger.get(svc.db, held_id) if held_id is not None else None
        draft.held_problem_id = draft.held_text = None
        if name == "new" and other is not None and other.status != "closed":
            quick = codes.leading_code(held_text, {codes.normal(other.code): other})
            await flow.switch(svc.db, draft, other, quick[1] if quick else held_text, svc.clock())
            return
        draft.texts.append(held_text)
        draft.step = "collect" if draft.step in ("collect", "claim") else draft.step
        await save_step(ctx, draft)
        return
    if name == "done":
        if not draft.has_content:
            await toast(update, rt.NEED_CONTENT, alert=True)
            return
        draft.step = "claim"
    elif name in ("cp", "cc"):
        draft.claim = "completed" if name == "cc" else "progress"
        draft.step = "money"
    elif name == "more":
        draft.step = "collect"
    elif name == "skip":
        draft.step = draft.after_figure()
    elif name == "none":
        draft.step = "confirm"
    elif name == "edit":  # back to the figures; text, files and status stay as they are
        draft.step = "money"
    await save_step(ctx, draft)


async def start_button(update: Update, ctx: Context) -> None:
    """报告进展 under a problem (in /mine or /report)."""
    assert ctx.matches is not None
    actor = await actor_of(update, ctx)
    await start_on(update, ctx, actor, int(ctx.matches[0].group(1)), [])
    await toast(update)


def handlers() -> list[BaseHandler[Update, Context, None]]:
    content = (filters.TEXT & ~filters.COMMAND) | filters.PHOTO | filters.Document.ALL
    return [
        MessageHandler(content, route),
        CallbackQueryHandler(press, pattern=DRAFT_CALLBACK),
        CallbackQueryHandler(start_button, pattern=START_CALLBACK),
    ]
