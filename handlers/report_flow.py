"""The report conversation: each step's answer, files, and the buttons of a draft.

Its state is the draft row in the database, not memory: a restart loses nothing.
Registered before the commands; it stops the update when it took it.
"""

from __future__ import annotations

import contextlib

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
from bot.services.reporting import codes, evidence, flow
from bot.services.reporting.draft import Draft, DraftFile
from bot.services.reporting.figures import FigureError, parse_count, parse_money
from bot.services.reporting.prompts import prompt, status_name
from bot.texts import reporting as rt
from handlers.common import actor_of, answer, office_name, send_out
from storage import ledger

DRAFT_CALLBACK = r"^rd:([0-9a-f]{6}):(\w+)$"
START_CALLBACK = r"^rp:(\d+)$"


async def show_step(update: Update, ctx: Context, draft: Draft) -> None:
    problem = await ledger.get(ctx.svc.db, draft.problem_id)
    assert problem is not None
    chat = update.effective_chat
    in_group = chat is not None and chat.type != "private"
    await send_out(update, ctx, prompt(draft, problem, in_group=in_group))


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
        draft = await flow.begin(
            svc.db, actor.person.id, chat.id, problem, texts, svc.clock(), files or []
        )
    except flow.Refused as exc:
        await answer(update, ctx, str(exc))
        return
    await show_step(update, ctx, draft)


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
    digest, path = await evidence.store(folder, data, name, mime, kept.kind)
    return kept.model_copy(update={"size": len(data), "sha256": digest, "local_path": str(path)})


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
        return
    draft = await flow.current(svc.db, actor.person.id)
    if draft is not None and draft.chat_id == chat.id:
        await _answer_step(update, ctx, draft, message)
        raise ApplicationHandlerStop
    unit_id = actor.contact_role.unit_id
    assert unit_id is not None
    problems = await ledger.open_of_unit_by_code(svc.db, unit_id)
    text = message.text or message.caption or ""
    replied = message.reply_to_message
    if replied is not None and replied.from_user is not None and replied.from_user.id == ctx.bot.id:
        named = codes.named_in(replied.text or replied.caption or "", problems)
        if len(named) == 1:
            file = await _keep(ctx, message)
            await start_on(
                update, ctx, actor, named[0].id, [text] if text else [], [file] if file else None
            )
            raise ApplicationHandlerStop
    quick = codes.leading_code(message.text or "", problems)
    if quick is not None:
        problem, rest = quick
        await start_on(update, ctx, actor, problem.id, [rest] if rest.strip() else [])
        raise ApplicationHandlerStop


async def _answer_step(update: Update, ctx: Context, draft: Draft, message: Message) -> None:
    svc = ctx.svc
    text = message.text
    if message.photo or message.document:
        if draft.step not in ("collect", "claim"):
            await answer(update, ctx, rt.WAITING_FOR.format(what=rt.MONEY))
            return
        file = await _keep(ctx, message)
        assert file is not None
        draft.files.append(file)
        if message.caption:
            draft.texts.append(message.caption)
        draft.step = "collect"
        await flow.save(svc.db, draft, svc.clock())
        if file.note and file.sha256 is None:
            await answer(update, ctx, rt.GOT_TOO_BIG.format(name=file.file_name or "照片"))
        await show_step(update, ctx, draft)
        return
    if text is None:
        return
    if draft.step == "collect":
        draft.texts.append(text)
        await flow.save(svc.db, draft, svc.clock())
        await show_step(update, ctx, draft)
        return
    if draft.step in ("money", "rules", "people"):
        try:
            value = parse_money(text) if draft.step == "money" else parse_count(text)
        except FigureError as exc:
            await answer(update, ctx, str(exc))
            return
        setattr(draft, draft.step, value)
        draft.step = draft.after_figure()
        await flow.save(svc.db, draft, svc.clock())
        await show_step(update, ctx, draft)
        return
    await show_step(update, ctx, draft)  # a text where a button is expected: ask again


async def press(update: Update, ctx: Context) -> None:
    """A button of a draft: 完成, 持续推进 / 已完成, 跳过, 确认提交, 放弃."""
    query = update.callback_query
    assert query is not None and ctx.matches is not None
    nonce, name = ctx.matches[0].group(1), ctx.matches[0].group(2)
    actor = await actor_of(update, ctx)
    svc = ctx.svc
    draft = await flow.current(svc.db, actor.person.id) if actor.person else None
    if draft is None or draft.nonce != nonce:
        await query.answer(
            rt.STALE_BUTTON if actor.contact_role else rt.NOT_YOUR_DRAFT, show_alert=True
        )
        return
    await query.answer()
    await _clear_buttons(update)
    steps = {
        "done": "collect",
        "cp": "claim",
        "cc": "claim",
        "more": "claim",
        "skip": "figure",
        "none": "money",
        "ok": "confirm",
        "no": "any",
    }
    expected = steps.get(name)
    current = (
        "figure"
        if expected == "figure" and draft.step in ("money", "rules", "people")
        else draft.step
    )
    if expected not in (current, "any"):
        await answer(update, ctx, rt.STALE_BUTTON)
        return
    if name == "no":
        await flow.discard(svc.db, draft.person_id)
        await answer(update, ctx, rt.DISCARDED)
        return
    if name == "ok":
        await _submit(update, ctx, actor, draft)
        return
    if name == "done":
        if not draft.has_content:
            await answer(update, ctx, rt.NEED_CONTENT)
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
    await flow.save(svc.db, draft, svc.clock())
    await show_step(update, ctx, draft)


async def _clear_buttons(update: Update) -> None:
    """Take the keyboard off a message once it is answered, so it cannot be pressed twice."""
    query = update.callback_query
    if query is None or query.message is None:
        return
    with contextlib.suppress(BadRequest):  # already gone (a double tap): nothing to take off
        await query.edit_message_reply_markup(None)


async def _submit(update: Update, ctx: Context, actor: Actor, draft: Draft) -> None:
    svc = ctx.svc
    try:
        done = await flow.submit(svc.db, draft, actor, svc.config, svc.clock())
    except flow.Refused as exc:
        await answer(update, ctx, str(exc))
        return
    svc.kick_outbox()
    office = office_name(ctx)
    completed = done.report.claim == "completed"
    await answer(
        update,
        ctx,
        rt.RECEIPT.format(
            number=done.report.number,
            code=done.problem.code,
            status=status_name(done.problem.status),
            next=rt.NEXT_COMPLETED.format(office=office) if completed else rt.NEXT_PROGRESS,
        ),
    )


async def start_button(update: Update, ctx: Context) -> None:
    """报告进展 under a problem (in /mine or /report)."""
    query = update.callback_query
    assert query is not None and ctx.matches is not None
    await query.answer()
    actor = await actor_of(update, ctx)
    await start_on(update, ctx, actor, int(ctx.matches[0].group(1)), [])


def handlers() -> list[BaseHandler[Update, Context, None]]:
    content = (filters.TEXT & ~filters.COMMAND) | filters.PHOTO | filters.Document.ALL
    return [
        MessageHandler(content, route),
        CallbackQueryHandler(press, pattern=DRAFT_CALLBACK),
        CallbackQueryHandler(start_button, pattern=START_CALLBACK),
    ]
