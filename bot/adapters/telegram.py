"""The Telegram adapter: an `Update` becomes an `Event`; a dialog's `Effects` are applied.

Handlers register PTB handlers (commands, filters: the parsing) and hand each update to a
dialog through `on(dialog)`. The dialog sees no Telegram object; what it asked for is done
here, within Telegram's limits.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from telegram import InputFile, Message, Update
from telegram.constants import ChatType
from telegram.error import BadRequest, TelegramError
from telegram.ext import ApplicationHandlerStop

from bot.adapters.telegram_parts import LIMITS
from bot.commands import publish_personal_commands
from bot.context import Context
from bot.core.effects import Dialog, Effects, Toast
from bot.core.event import Event, FetchFailed, FileRef, Place, Sender
from bot.messages import OutMessage, fit
from bot.render import send
from storage.models import TELEGRAM

log = logging.getLogger(__name__)

PLATFORM = TELEGRAM


def event_of(update: Update, ctx: Context) -> Event:
    """What the update says, in the core's words."""
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None:  # pragma: no cover - our handlers only see users' updates
        raise ValueError("an update without a user or a chat")
    message = update.effective_message
    query = update.callback_query
    text = (message.text or message.caption or "") if message is not None else ""
    command, args = _command(text) if query is None else (None, ())
    addressee = text.split()[0].partition("@")[2].lower() if command is not None else ""
    reply = message.reply_to_message if message is not None and query is None else None
    if reply is not None and (reply.from_user is None or reply.from_user.id != ctx.bot.id):
        reply = None  # only an answer to the bot's own message means anything to a dialog
    pressed = query.message if query is not None else None
    shown = pressed if isinstance(pressed, Message) else None
    return Event(
        update_id=update.update_id,
        at=message.date if message is not None and query is None else ctx.svc.clock(),
        who=Sender(PLATFORM, user.id, user.full_name, user.username),
        where=Place(
            chat.id, chat.type == ChatType.PRIVATE, chat.title or chat.full_name or "", chat.type
        ),
        text="" if query is not None else text,
        command=command,
        for_another_bot=bool(addressee) and addressee != (ctx.bot.username or "").lower(),
        args=tuple(ctx.args or args),
        files=_files(message) if query is None else (),
        reply_to=reply.message_id if reply is not None else None,
        reply_text=(reply.text or reply.caption or "") if reply is not None else "",
        action=query.data if query is not None else None,
        pressed=shown.message_id if shown is not None else None,
        pressed_text=(shown.text or "") if shown is not None else "",
        limits=LIMITS,
        fetch=_fetcher(ctx),
    )


def _fetcher(ctx: Context) -> Callable[[FileRef], Coroutine[Any, Any, bytes]]:
    async def fetch(file: FileRef) -> bytes:
        try:
            return bytes(await (await ctx.bot.get_file(file.ref)).download_as_bytearray())
        except BadRequest as exc:  # "file is too big" and the like
            raise FetchFailed(exc.message) from exc

    return fetch


def _command(text: str) -> tuple[str | None, tuple[str, ...]]:
    if not text.startswith("/"):
        return None, ()
    head, *rest = text.split()
    return head[1:].split("@", 1)[0].lower(), tuple(rest)


def _files(message: Message | None) -> tuple[FileRef, ...]:
    if message is None:
        return ()
    found: list[FileRef] = []
    if message.photo:
        largest = message.photo[-1]
        found.append(
            FileRef(
                "photo",
                largest.file_id,
                None,
                largest.file_size,
                "image/jpeg",
                largest.file_unique_id,
            )
        )
    if message.document is not None:
        doc = message.document
        found.append(
            FileRef(
                "document",
                doc.file_id,
                doc.file_name,
                doc.file_size,
                doc.mime_type,
                doc.file_unique_id,
            )
        )
    return tuple(found)


async def apply(update: Update, ctx: Context, out: Effects) -> None:
    """Do what the dialog asked: menus first (the answer may name the new commands), the
    button press's notice (every press is answered, so no spinner waits on what follows),
    then the answers, in parts within Telegram's limits, and the files made for them."""
    for user_id in out.menus:
        await publish_personal_commands(ctx, user_id)
    if update.callback_query is not None:
        notice = out.toast or Toast(None)
        await toast(update, notice.text, alert=notice.alert)
    for message in out.said:
        await send_out(update, ctx, message)
    chat = update.effective_chat
    for file in out.files:
        if chat is not None:
            document = InputFile(file.data, file.name)
            await ctx.bot.send_document(chat.id, document, caption=file.caption or None)
    if out.withdraw and update.effective_message is not None:
        with contextlib.suppress(TelegramError):  # without delete rights the message stays
            await update.effective_message.delete()


def on(dialog: Dialog) -> Callable[[Update, Context], Coroutine[Any, Any, None]]:
    """A PTB callback that runs `dialog` on the update's event and applies its effects."""

    async def callback(update: Update, ctx: Context) -> None:
        out = Effects()
        await dialog(event_of(update, ctx), ctx.svc, out)
        await apply(update, ctx, out)
        if out.taken:  # later handler groups do not see it
            raise ApplicationHandlerStop

    callback.__name__ = callback.__qualname__ = getattr(dialog, "__name__", "dialog")
    return callback


async def toast(update: Update, text: str | None = None, *, alert: bool = False) -> None:
    """Answer a button press (the small notice on the user's screen); best effort.

    A press replayed after a restart is too old to answer: that must never cost its effect.
    """
    query = update.callback_query
    if query is None:
        return
    try:
        await query.answer(text[:200] if text else None, show_alert=alert)
    except TelegramError as exc:
        log.info("button press %s not answered: %s", query.id, exc)


async def send_out(update: Update, ctx: Context, message: OutMessage) -> None:
    """Reply with a prepared message value (text, buttons, a file), in Telegram's parts."""
    chat = update.effective_chat
    if chat is None:  # pragma: no cover
        return
    for part in fit(message):
        await send(ctx.bot, chat.id, part)
