"""/notice, 已阅 and /receipts: a notice that demonstrably reaches every unit."""

from __future__ import annotations

from telegram import Message, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.context import Context
from bot.messages import Button, OutMessage
from bot.render import send
from bot.services import notices as notice_service
from bot.services.ledger.figures import pct
from bot.services.reach import robots_on
from bot.services.uow import effect, reply, retire_buttons
from bot.texts import fmt_time
from bot.texts import office as ot
from handlers.common import actor_of, answer, office_name, toast
from handlers.office_common import ask, in_office_place, office_actor
from storage import notices, units
from storage.models import Unit
from storage.reader import Reader

PER_PAGE = 8
COMPOSE = r"^nt:(\d+):(all|pick|send|no|u|p)(?::(\d+))?$"
ACK = r"^ack:(\d+)$"
REMIND = r"^rr:(\d+)$"


async def notice_cmd(update: Update, ctx: Context) -> None:
    """Start a notice: its text after the command, or the next message."""
    actor = await office_actor(update, ctx, "发通知")
    if actor is None:
        return
    user, chat = update.effective_user, update.effective_chat
    assert user is not None and chat is not None
    text = " ".join(ctx.args or []).strip()
    if not text:
        question = ot.NOTICE_ASK + ("\n" + ot.NOTICE_ASK_GROUP if chat.type != "private" else "")
        await ask(ctx, "notice", user.id, chat.id, {}, question)
        return
    await compose(update, ctx, text, None, None)


async def compose(
    update: Update, ctx: Context, text: str, file_id: str | None, file_kind: str | None
) -> None:
    """Keep the draft notice and ask where it goes."""
    actor = await actor_of(update, ctx)
    assert actor.person is not None
    kind = {"photo": "图片", "document": "文件"}.get(file_kind or "", "")
    head = ot.NOTICE_TARGETS.format(
        chars=len(text), file=ot.NOTICE_WITH_FILE.format(kind=kind) if kind else ""
    )
    async with effect(ctx.svc.db) as tx:
        notice_id = await notices.create(
            tx, text, file_id, file_kind, actor.person.id, ctx.svc.clock()
        )
        buttons = (
            (
                Button(text=ot.NOTICE_ALL, action=f"nt:{notice_id}:all"),
                Button(text=ot.NOTICE_CHOOSE, action=f"nt:{notice_id}:pick"),
            ),
            (Button(text=ot.NOTICE_CANCEL, action=f"nt:{notice_id}:no"),),
        )
        await reply(OutMessage(text=head, buttons=buttons))


async def content_from(update: Update, ctx: Context, message: Message) -> None:
    """The message that answered /notice: text, or a photo or document with its caption."""
    if message.photo:
        await compose(update, ctx, message.caption or "", message.photo[-1].file_id, "photo")
    elif message.document:
        await compose(update, ctx, message.caption or "", message.document.file_id, "document")
    else:
        await compose(update, ctx, message.text or "", None, None)


async def _picker(db: Reader, notice_id: int, page: int) -> OutMessage:
    chosen = await notices.chosen_units(db, notice_id)
    every = await units.all_units(db)
    pages = max(1, -(-len(every) // PER_PAGE))
    page = min(max(page, 1), pages)
    rows: list[tuple[Button, ...]] = [
        (Button(text=("✓ " if u.id in chosen else "") + u.name, action=f"nt:{notice_id}:u:{u.id}"),)
        for u in every[(page - 1) * PER_PAGE : page * PER_PAGE]
    ]
    nav = []
    if page > 1:
        nav.append(Button(text="◀", action=f"nt:{notice_id}:p:{page - 1}"))
    if page < pages:
        nav.append(Button(text="▶", action=f"nt:{notice_id}:p:{page + 1}"))
    if nav:
        rows.append(tuple(nav))
    rows.append(
        (
            Button(text=ot.NOTICE_SEND, action=f"nt:{notice_id}:send"),
            Button(text=ot.NOTICE_CANCEL, action=f"nt:{notice_id}:no"),
        )
    )
    return OutMessage(
        text=ot.NOTICE_PICK.format(count=len(chosen)) + f"（{page}/{pages}）", buttons=tuple(rows)
    )


async def compose_button(update: Update, ctx: Context) -> None:
    """全部单位, 选择单位 (toggle units, page), 确认发送, 取消 — only the notice's author."""
    query = update.callback_query
    assert query is not None and ctx.matches is not None
    notice_id, action, arg = (
        int(ctx.matches[0].group(1)),
        ctx.matches[0].group(2),
        ctx.matches[0].group(3),
    )
    actor = await actor_of(update, ctx)
    svc = ctx.svc
    notice = await notices.get(svc.db, notice_id)
    if (
        notice is None
        or notice.status != "draft"
        or actor.person is None
        or notice.created_by != actor.person.id
        or not await in_office_place(update, ctx)
    ):
        await toast(update, ot.NOTICE_STALE, alert=True)
        return
    if action in ("p", "pick"):
        if action == "pick" and not await units.all_units(svc.db):
            await answer(update, ctx, ot.NOTICE_NO_UNITS)
            await toast(update)
            return
        picker = await _picker(svc.db, notice_id, int(arg or 1) if action == "p" else 1)
        await _show(update, ctx, picker)
        await toast(update)
        return
    if action == "u":
        async with effect(svc.db) as tx:
            await notices.set_all(tx, notice_id, False)
            await notices.toggle_unit(tx, notice_id, int(arg or 0))
            picker = await _picker(
                tx, notice_id, _page_of(await units.all_units(tx), int(arg or 0))
            )
            if query.message is not None:
                await reply(picker.model_copy(update={"edit_message_id": query.message.message_id}))
        await toast(update)
        return
    if action == "no":
        retire_buttons()
        async with effect(svc.db) as tx:
            await notices.mark(tx, notice_id, "cancelled", svc.clock())
            await reply(ot.NOTICE_CANCELLED)
        await toast(update)
        return
    if (
        action == "send"
        and not notice.all_units
        and not await notices.chosen_units(svc.db, notice_id)
    ):
        await toast(update, ot.NOTICE_NONE_CHOSEN, alert=True)
        return
    retire_buttons()
    sent = await notice_service.send(
        svc.db,
        notice_id,
        office_name(ctx),
        svc.clock(),
        all_units=action == "all",
        robots=robots_on(svc.config.channels),
    )
    await toast(update, None if sent else ot.NOTICE_STALE, alert=sent is None)


def _page_of(every: list[Unit], unit_id: int) -> int:
    """The picker page that shows this unit (a toggle keeps the page it was on)."""
    index = next((i for i, u in enumerate(every) if u.id == unit_id), 0)
    return index // PER_PAGE + 1


async def _show(update: Update, ctx: Context, message: OutMessage) -> None:
    """Turn the pressed message into this one (nothing changed in the database)."""
    query = update.callback_query
    chat = update.effective_chat
    if query is None or query.message is None or chat is None:
        return
    await send(
        ctx.bot, chat.id, message.model_copy(update={"edit_message_id": query.message.message_id})
    )


async def ack(update: Update, ctx: Context) -> None:
    """已阅: the button is the receipt; the first press counts, a second changes nothing."""
    query = update.callback_query
    assert query is not None and ctx.matches is not None and query.from_user is not None
    svc = ctx.svc
    actor = await actor_of(update, ctx)
    result = await notice_service.acknowledge(
        svc.db, int(ctx.matches[0].group(1)), query.from_user.id, actor.is_bound, svc.clock()
    )
    tz = svc.config.schedule.timezone
    text = {
        "ok": ot.ACK_OK,
        "again": ot.ACK_AGAIN.format(at=fmt_time(result.first, tz) if result.first else ""),
        "not_recipient": ot.ACK_NOT_RECIPIENT,
        "unbound": ot.ACK_UNBOUND.format(office=office_name(ctx)),
    }[result.outcome]
    await toast(update, text, alert=result.outcome != "ok")


async def receipts_cmd(update: Update, ctx: Context) -> None:
    """Who has and has not acknowledged a notice (the latest, or the one named)."""
    if await office_actor(update, ctx, "查看通知的已阅情况") is None:
        return
    svc = ctx.svc
    args = ctx.args or []
    if args and not args[0].lstrip("#").isdigit():
        await answer(update, ctx, ot.RECEIPTS_NOT_FOUND.format(id=args[0]))
        return
    notice = (
        await notices.get(svc.db, int(args[0].lstrip("#")))
        if args
        else await notices.latest_sent(svc.db)
    )
    if notice is None or notice.status != "sent":
        await answer(
            update, ctx, ot.RECEIPTS_NOT_FOUND.format(id=args[0]) if args else ot.RECEIPTS_NONE
        )
        return
    tz = svc.config.schedule.timezone
    people = await notices.recipients(svc.db, notice.id)
    acked, total = notice_service.rate(people)
    lines = [
        ot.RECEIPTS_HEAD.format(
            id=notice.id,
            at=fmt_time(notice.sent_at, tz) if notice.sent_at else "",
            total=total,
            acked=acked,
            rate=pct(acked / total if total else None),
            missing=total - acked,
        )
    ]
    done = [p for p in people if p.acked_at is not None]
    missing = [p for p in people if p.acked_at is None]
    if done:
        lines.append(ot.RECEIPTS_ACKED)
        lines += [
            ot.RECEIPTS_LINE.format(
                name=p.name, unit=p.unit_name, at=fmt_time(p.acked_at, tz) if p.acked_at else ""
            )
            for p in done
        ]
    if missing:
        lines.append(ot.RECEIPTS_MISSING)
        lines += [ot.RECEIPTS_LINE.format(name=p.name, unit=p.unit_name, at="") for p in missing]
    buttons = ((Button(text=ot.RECEIPTS_REMIND, action=f"rr:{notice.id}"),),) if missing else ()
    await answer(update, ctx, "\n".join(lines), buttons)


async def remind_button(update: Update, ctx: Context) -> None:
    """提醒未阅: remind only those who have not acknowledged (once an hour at most)."""
    query = update.callback_query
    assert query is not None and ctx.matches is not None
    actor = await actor_of(update, ctx)
    if not actor.is_admin or not await in_office_place(update, ctx):
        await toast(
            update, ot.ADMIN_ONLY.format(office=office_name(ctx), what="提醒未阅"), alert=True
        )
        return
    svc = ctx.svc
    result = await notice_service.remind(
        svc.db, int(ctx.matches[0].group(1)), office_name(ctx), svc.clock()
    )
    if isinstance(result, str):
        await toast(update, result, alert=True)
        return
    await toast(update, ot.REMIND_SENT.format(count=result), alert=True)


def handlers() -> list[BaseHandler[Update, Context, None]]:
    return [
        CommandHandler("notice", notice_cmd),
        CommandHandler("receipts", receipts_cmd),
        CallbackQueryHandler(compose_button, pattern=COMPOSE),
        CallbackQueryHandler(ack, pattern=ACK),
        CallbackQueryHandler(remind_button, pattern=REMIND),
    ]
