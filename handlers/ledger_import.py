"""/import: an admin sends the ledger file, sees a preview, and confirms or cancels."""

from __future__ import annotations

import logging
from datetime import timedelta

from telegram import InputFile, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot import texts
from bot.context import Context
from bot.services.ledger import report_text, session
from bot.services.ledger.reading import MAX_BYTES
from bot.services.uow import effect, reply, settle
from bot.texts import ledger as lt
from bot.texts import office as ot
from handlers.common import actor_of, answer, office_name, toast
from handlers.office_common import ask, in_office_place, office_actor, read_wait, wait_key

log = logging.getLogger(__name__)

WAIT_FOR = timedelta(minutes=30)
CALLBACK = r"^imp:(ok|no):(\d+)$"


async def _allowed(update: Update, ctx: Context) -> bool:
    """Admins, in a private chat or the office group; everyone else is told why not."""
    return await office_actor(update, ctx, "导入问题台账") is not None


async def start_import(update: Update, ctx: Context) -> None:
    """Ask for the file; the round may be named after the command."""
    if not await _allowed(update, ctx):
        return
    user, chat = update.effective_user, update.effective_chat
    assert user is not None and chat is not None
    hint = " ".join(ctx.args or [])
    svc = ctx.svc
    round_name = await session.default_round(svc.db, hint)
    text = lt.IMPORT_ASK.format(round=round_name)
    if chat.type != "private":  # privacy mode: the bot sees a group's file only as a reply
        text += "\n" + lt.IMPORT_ASK_GROUP
    await ask(ctx, "import", user.id, chat.id, {"round": hint, "at": svc.clock().timestamp()}, text)


async def receive_file(update: Update, ctx: Context) -> None:
    """A document from an admin who asked to import (or captioned it /import)."""
    message, user, chat = update.effective_message, update.effective_user, update.effective_chat
    assert message is not None and user is not None and chat is not None
    document = message.document
    assert document is not None
    svc = ctx.svc
    caption = (message.caption or "").strip()
    waiting = await read_wait(ctx, "import", user.id, chat.id)
    hint: str | None = None
    if caption.startswith("/import"):
        hint = caption.removeprefix("/import").strip()
    elif waiting is not None and (
        svc.clock().timestamp() - float(str(waiting["at"])) <= WAIT_FOR.total_seconds()
    ):
        hint = str(waiting["round"])
    if hint is None:
        if chat.type == "private":
            await answer(update, ctx, texts.NOT_UNDERSTOOD_PRIVATE)
        return
    if not await _allowed(update, ctx):
        return
    if (document.file_size or 0) > MAX_BYTES:
        await answer(update, ctx, lt.IMPORT_TOO_BIG)
        return
    data = bytes(await (await ctx.bot.get_file(document.file_id)).download_as_bytearray())
    actor = await actor_of(update, ctx)
    assert actor.person is not None
    settle(wait_key("import", user.id, chat.id))  # the file answers the question
    result = await session.prepare(
        svc.db,
        data,
        document.file_name or "台账",
        hint,
        by=actor.person.id,
        chat_id=chat.id,
        at=svc.clock(),
        max_rows=svc.config.office.import_max_rows,
    )
    if isinstance(result, session.Refused):
        async with effect(svc.db):
            await reply(report_text.refusal(result.errors))
        if len(result.errors) > report_text.SHOWN_ERRORS:
            await ctx.bot.send_document(
                chat.id, InputFile(report_text.errors_csv(result.errors), lt.IMPORT_ERRORS_FILE)
            )


async def decide(update: Update, ctx: Context) -> None:
    """确认导入 or 取消, pressed by the admin who started the import."""
    query = update.callback_query
    assert query is not None and query.data is not None and ctx.matches is not None
    match = ctx.matches[0]
    actor = await actor_of(update, ctx)
    if not actor.is_admin or actor.person is None:
        await toast(update, lt.IMPORT_NOT_ADMIN.format(office=office_name(ctx)), alert=True)
        return
    if not await in_office_place(update, ctx):
        await toast(update, ot.WHERE_ADMIN, alert=True)
        return
    svc = ctx.svc
    chat = update.effective_chat
    result = await session.decide(
        svc.db,
        int(match.group(2)),
        confirm=match.group(1) == "ok",
        by=actor.person.id,
        by_label=actor.person.signature,
        at=svc.clock(),
        chat_id=chat.id if chat else None,
    )
    if result.outcome == "not_yours":
        await toast(update, lt.IMPORT_NOT_YOURS, alert=True)
        return
    if result.outcome == "stale":
        await toast(update, lt.IMPORT_STALE, alert=True)
        return
    await toast(update)


def handlers() -> list[BaseHandler[Update, Context, None]]:
    return [
        CommandHandler("import", start_import),
        MessageHandler(filters.Document.ALL, receive_file),
        CallbackQueryHandler(decide, pattern=CALLBACK),
    ]
