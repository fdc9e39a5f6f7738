"""The office's review on neutral events: the queue's cards, the decisions, /reopen.

No Telegram object here: a made-up platform's events go to the dialogs with real services
on a real database. What a person reads is either in the dialog's `Effects` (answers that
change nothing, a press's notice) or in the outbox, written with the decision it confirms.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from bot.config import parse_config
from bot.core.effects import Dialog, Effects
from bot.core.event import Event, Place, Sender
from bot.dialogs import review, review_decisions
from bot.dialogs.office import read_wait
from bot.messages import Attachment, Button, OutMessage
from bot.services.access import load_actor
from bot.services.container import Services
from bot.services.reporting import extension, flow
from bot.services.reporting.draft import DraftFile
from bot.texts import fmt_time
from bot.texts import office as ot
from storage import chats, ledger, people, reviews, state, units
from storage.migrations import open_database
from tests import dbs
from tests.e2e.reporting import seed_rows
from tests.unit.core_kit import ELSEWHERE, run_turn

AT = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)  # a Tuesday, 10:00 at the office
ADMIN, CONTACT, OFFICE_GROUP, UNIT_GROUP = 11, 22, -100, -200
LIMITS = ELSEWHERE
NAMES = {ADMIN: "王主任", CONTACT: "王芳"}
CARD = 900  # the message id of a card the admin presses a button on
_turns = itertools.count(1)


@dataclass(frozen=True)
class World:
    svc: Services
    problem_id: int  # R6-01-002, awaiting acceptance, its report with one photo
    report_id: int
    extension_id: int  # R6-01-001: a pending request for a later deadline


async def build(folder: Path) -> World:
    config = parse_config({"storage": dbs.storage(folder, "r"), "office": {"admins": [ADMIN]}})
    svc = Services(config=config, db=await open_database(config.storage.target), clock=lambda: AT)
    db = svc.db
    async with db.transaction() as tx:
        await seed_rows(tx, AT)
        finance = await units.by_name(tx, "县财政局")
        assert finance is not None
        admin = await people.upsert(tx, ADMIN, NAMES[ADMIN], None, AT)
        contact = await people.upsert(tx, CONTACT, NAMES[CONTACT], None, AT)
        await people.grant(tx, contact.id, "contact", finance.id, AT, None, None)
        # Both act on the other platform too (linked); office.admins are Telegram ids, so
        # the admin holds the role there.
        await people.grant(tx, admin.id, "admin", None, AT, None, None)
        for person, uid in ((admin, ADMIN), (contact, CONTACT)):
            await people.link(tx, "feishu", str(uid), person.id, AT)
        await chats.remember(tx, OFFICE_GROUP, "supergroup", "巡察办工作群")
        await chats.register(tx, OFFICE_GROUP, "office", None, admin.id, AT)
        await chats.remember(tx, UNIT_GROUP, "supergroup", "县财政局整改群")
        await chats.register(tx, UNIT_GROUP, "unit", finance.id, admin.id, AT)
    who = await load_actor(db, CONTACT, config.office.admins)
    assert who.person is not None
    problem = (await ledger.by_code(db, "R6-01-002"))[0]
    photo = DraftFile(kind="photo", file_id="photo-1", file_unique_id="u-1")
    draft = await flow.begin(db, who.person.id, CONTACT, problem, ["已全额清退"], AT, [photo])
    draft.claim, draft.step = "completed", "confirm"
    done = await flow.submit(db, draft, who, config, AT)
    later = (await ledger.by_code(db, "R6-01-001"))[0]
    asked = await extension.request(
        db,
        who,
        later,
        date(2030, 6, 30),
        "审批流程调整",
        today=AT.date(),
        office=config.office.name,
        at=AT,
    )
    return World(svc, problem.id, done.report.id, asked)


def command(user: int, name: str, *args: str, chat: int | None = None) -> Event:
    where = Place(chat if chat is not None else user, private=chat is None, title="某群")
    text = " ".join((f"/{name}", *args))
    return Event(1, AT, Sender("feishu", user, NAMES[user]), where, text, name, args, limits=LIMITS)


def typed(user: int, text: str, *, chat: int) -> Event:
    """A message of the user's own (here: the answer to the bot's question)."""
    where = Place(chat, private=False, title="某群")
    return Event(3, AT, Sender("feishu", user, NAMES[user]), where, text, limits=LIMITS)


def press(user: int, action: str, *, chat: int | None = None, card: str = "") -> Event:
    """A button pressed on a card the platform still shows (its text), or on none."""
    where = Place(chat if chat is not None else user, private=chat is None, title="某群")
    return Event(
        2,
        AT,
        Sender("feishu", user, NAMES[user]),
        where,
        action=action,
        pressed=CARD if card else None,
        pressed_text=card,
        limits=LIMITS,
    )


async def run(dialog: Dialog, ev: Event, svc: Services) -> tuple[Effects, list[OutMessage]]:
    """The dialog's effects, and the replies written with its decision (in their order)."""
    return await run_turn(dialog, ev, svc, update_id=next(_turns))


def test_the_review_dialogs_import_no_platform_and_no_handler() -> None:
    import subprocess
    import sys

    probe = (
        "import sys; import bot.dialogs.review, bot.dialogs.review_decisions;"
        " bad = sorted(m for m in sys.modules"
        " if m.split('.')[0] in ('telegram', 'handlers'));"
        " print(bad); raise SystemExit(1 if bad else 0)"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


async def test_the_queue_is_the_offices_and_shows_each_item_with_its_buttons(
    tmp_path: Path,
) -> None:
    world = await build(tmp_path)
    svc = world.svc
    refused, _ = await run(review.review, command(CONTACT, "review"), svc)
    in_unit_group, _ = await run(review.review, command(ADMIN, "review", chat=UNIT_GROUP), svc)
    shown, _ = await run(review.review, command(ADMIN, "review"), svc)
    await svc.db.close()
    what = "验收销号和审核延期"
    assert [m.text for m in refused.said] == [ot.ADMIN_ONLY.format(office="县委巡察办", what=what)]
    assert [m.text for m in in_unit_group.said] == [ot.WHERE_ADMIN]
    head, card, asked = shown.said
    assert head.text == ot.REVIEW_HEAD.format(problems=1, extensions=1, shown=2)
    assert card.text.startswith("【待验收】R6-01-002｜县财政局")
    assert "已全额清退" in card.text
    assert ot.REVIEW_FILES.format(count=1, names="照片") in card.text
    p, r = world.problem_id, world.report_id
    assert [[b.action for b in row] for row in card.buttons] == [
        [f"rv:ok:{p}:{r}", f"rv:no:{p}:{r}"],
        [f"rv:files:{p}:{r}"],
    ]
    assert "R6-01-001" in asked.text
    assert "审批流程调整" in asked.text
    assert [[b.text for b in row] for row in asked.buttons] == [
        [ot.EXTENSION_APPROVE, ot.EXTENSION_REJECT]
    ]


async def test_a_decision_is_refused_to_a_contact_and_outside_the_offices_places(
    tmp_path: Path,
) -> None:
    world = await build(tmp_path)
    svc = world.svc
    ok = f"rv:ok:{world.problem_id}:{world.report_id}"
    contact, _ = await run(review_decisions.problem_pressed, press(CONTACT, ok), svc)
    unit, _ = await run(review_decisions.problem_pressed, press(ADMIN, ok, chat=UNIT_GROUP), svc)
    problem = await ledger.get(svc.db, world.problem_id)
    await svc.db.close()
    assert contact.toast is not None
    assert contact.toast.text == ot.ADMIN_ONLY.format(office="县委巡察办", what="验收销号")
    assert contact.toast.alert
    assert unit.toast is not None
    assert (unit.toast.text, unit.toast.alert) == (ot.WHERE_ADMIN, True)
    assert problem is not None
    assert problem.status == "awaiting_acceptance"


async def test_accepting_closes_the_problem_and_the_card_shows_who_and_keeps_its_files(
    tmp_path: Path,
) -> None:
    world = await build(tmp_path)
    svc = world.svc
    ok = f"rv:ok:{world.problem_id}:{world.report_id}"
    out, replies = await run(
        review_decisions.problem_pressed, press(ADMIN, ok, chat=OFFICE_GROUP, card="卡片"), svc
    )
    problem = await ledger.get(svc.db, world.problem_id)
    files, _ = await run(
        review_decisions.problem_pressed,
        press(ADMIN, f"rv:files:{world.problem_id}:{world.report_id}"),
        svc,
    )
    await svc.db.close()
    assert problem is not None
    assert problem.status == "closed"
    when = fmt_time(AT, svc.config.schedule.timezone)
    decided, closed = replies
    assert decided.edit_message_id == CARD
    assert decided.text == "卡片\n\n" + ot.DECIDED_APPROVED.format(who="王主任", at=when)
    action = f"rv:files:{world.problem_id}:{world.report_id}"
    assert decided.buttons == ((Button(text=ot.REVIEW_SHOW_FILES, action=action),),)
    assert closed.text == ot.REVIEW_CLOSED.format(code="R6-01-002", who="王主任", at=when)
    assert out.said == []
    assert out.toast is not None
    assert out.toast.text is None
    assert [m.attachment for m in files.said] == [Attachment(kind="photo", file_id="photo-1")]


async def test_sending_back_asks_the_reason_then_decides_with_it(tmp_path: Path) -> None:
    world = await build(tmp_path)
    svc = world.svc
    no = f"rv:no:{world.problem_id}:{world.report_id}"
    pressed = press(ADMIN, no, chat=OFFICE_GROUP, card="卡片")
    _, asked = await run(review_decisions.problem_pressed, pressed, svc)
    wait = await open_question(svc, ADMIN, OFFICE_GROUP)

    def reason(text: str) -> Dialog:
        async def given(ev: Event, svc: Services, out: Effects) -> None:
            await review_decisions.reason_given(ev, svc, out, wait, text)

        return given

    empty, _ = await run(reason("  "), typed(ADMIN, "  ", chat=OFFICE_GROUP), svc)
    still = await state.get(svc.db, f"review_wait:{ADMIN}:{OFFICE_GROUP}")
    answer = typed(ADMIN, " 佐证材料不全 ", chat=OFFICE_GROUP)
    out, replies = await run(reason(answer.text), answer, svc)
    problem = await ledger.get(svc.db, world.problem_id)
    await svc.db.close()
    assert [m.text for m in asked] == [
        ot.REVIEW_ASK_REASON.format(what="退回") + "\n" + ot.REVIEW_ASK_REASON_GROUP
    ]
    assert wait["card"] == CARD
    assert [m.text for m in empty.said] == [ot.REASON_EMPTY]
    assert still is not None  # an empty reason leaves the question open
    assert problem is not None
    assert problem.status == "in_progress"
    when = fmt_time(AT, svc.config.schedule.timezone)
    decided, rejected = replies
    assert decided.edit_message_id == CARD
    assert decided.text.endswith(
        ot.DECIDED_REJECTED.format(reason="佐证材料不全", who="王主任", at=when)
    )
    assert rejected.text == ot.REVIEW_REJECTED.format(code="R6-01-002", reason="佐证材料不全")
    assert out.said == []


async def open_question(svc: Services, user: int, chat: int) -> dict[str, object]:
    """The question the admin's next message answers, as the dialog left it."""
    wait = await read_wait(svc, "review", user, chat)
    assert wait is not None
    return wait


async def test_an_extension_decided_already_is_stale_and_one_pending_is_granted(
    tmp_path: Path,
) -> None:
    world = await build(tmp_path)
    svc = world.svc
    ok = f"ex:ok:{world.extension_id}"
    granted, replies = await run(review_decisions.extension_pressed, press(ADMIN, ok), svc)
    request = await reviews.extension(svc.db, world.extension_id)
    problem = (await ledger.by_code(svc.db, "R6-01-001"))[0]
    again, _ = await run(
        review_decisions.extension_pressed, press(ADMIN, f"ex:no:{world.extension_id}"), svc
    )
    await svc.db.close()
    assert request is not None
    assert request.status == "approved"
    assert problem.deadline == date(2030, 6, 30)
    assert [m.text.startswith("已同意延期：R6-01-001") for m in replies] == [True]
    assert granted.toast is not None
    assert granted.toast.text is None
    assert again.toast is not None
    assert (again.toast.text, again.toast.alert) == (
        ot.REVIEW_STALE.format(status="已处理"),
        True,
    )


async def test_reopen_explains_its_use_and_reopens_a_closed_problem(tmp_path: Path) -> None:
    world = await build(tmp_path)
    svc = world.svc
    async with svc.db.transaction() as tx:
        await ledger.set_status(tx, world.problem_id, "closed", AT)
    usage, _ = await run(review_decisions.reopen, command(ADMIN, "reopen", "R6-01-002"), svc)
    unknown, _ = await run(review_decisions.reopen, command(ADMIN, "reopen", "R9-99-999", "x"), svc)
    why = ("r6-01-002", "回头看发现制度未落实")
    out, replies = await run(review_decisions.reopen, command(ADMIN, "reopen", *why), svc)
    problem = await ledger.get(svc.db, world.problem_id)
    await svc.db.close()
    assert [m.text for m in usage.said] == [ot.REOPEN_USAGE]
    assert [m.text for m in unknown.said] == [ot.PROBLEM_NOT_FOUND.format(code="R9-99-999")]
    assert problem is not None
    assert problem.status == "in_progress"
    assert [m.text for m in replies] == [ot.REOPEN_OK.format(code="R6-01-002")]
    assert out.said == []
