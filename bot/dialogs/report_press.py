"""The buttons of a draft (完成, 持续推进 / 已完成, 跳过, 确认提交, 放弃, where a held message
belongs) and 报告进展 under a problem.

A button's effect commits first, with the prompt showing the answer in place of its keyboard;
the press is answered after, best effort.
"""

from __future__ import annotations

import re

from bot.core.effects import Effects
from bot.core.event import Event
from bot.dialogs.common import actor
from bot.dialogs.report_flow import save_step, start_on
from bot.services.access import Actor
from bot.services.container import Services
from bot.services.reporting import codes, flow
from bot.services.reporting.draft import Draft
from bot.services.reporting.prompts import answered
from bot.services.uow import retire_buttons
from bot.texts import reporting as rt
from storage import ledger

DRAFT_CALLBACK = r"^rd:([0-9a-f]{6}):(\w+)$"
START_CALLBACK = r"^rp:(\d+)$"

# Which step each button of a draft answers ("any": every step; "held": a held message).
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


async def press(ev: Event, svc: Services, out: Effects) -> None:
    """A button of the contact's open draft, pressed where the draft is and at its step."""
    matched = re.match(DRAFT_CALLBACK, ev.action or "")
    if matched is None:
        return
    nonce, name = matched.group(1), matched.group(2)
    who = await actor(ev, svc)
    draft = await flow.current(svc.db, who.person.id) if who.person else None
    if draft is None or draft.nonce != nonce or draft.chat_id != ev.where.chat_id:
        out.answer_press(rt.STALE_BUTTON if who.contact_role else rt.NOT_YOUR_DRAFT, alert=True)
        return
    expected = STEPS.get(name)
    current: str = draft.step
    if expected == "figure" and draft.step in ("money", "rules", "people"):
        current = "figure"
    if expected == "held":
        current = "held" if draft.held_problem_id is not None else draft.step
    if expected not in (current, "any"):
        out.answer_press(rt.STALE_BUTTON, alert=True)
        return
    # Answered: the prompt shows the answer in place of its keyboard, with the effect (never
    # before it: a failed effect leaves the question open).
    problem = await ledger.get(svc.db, draft.problem_id)
    shown = ev.pressed_text or None
    retire_buttons(answered(draft, problem.code if problem else "", name, shown))
    await _act(svc, out, who, draft, name)
    if out.toast is None:  # an alert of the act's own stands
        out.answer_press()


async def _act(svc: Services, out: Effects, who: Actor, draft: Draft, name: str) -> None:
    if name == "no":
        await flow.discard(svc.db, draft.person_id, rt.DISCARDED, svc.clock())
        return
    if name == "ok":
        try:
            await flow.submit(svc.db, draft, who, svc.config, svc.clock())
        except flow.Refused as exc:
            out.say(str(exc))
        return
    if name in ("into", "new"):
        await _place_held(svc, draft, name)
        return
    if name == "done":
        if not draft.has_content:
            out.answer_press(rt.NEED_CONTENT, alert=True)
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
    await save_step(svc, draft)


async def _place_held(svc: Services, draft: Draft, name: str) -> None:
    """The held message joins the open draft ("into"), or starts its own ("new")."""
    held_id, held_text = draft.held_problem_id, draft.held_text or ""
    other = await ledger.get(svc.db, held_id) if held_id is not None else None
    draft.held_problem_id = draft.held_text = None
    if name == "new" and other is not None and other.status != "closed":
        quick = codes.leading_code(held_text, {codes.normal(other.code): other})
        await flow.switch(svc.db, draft, other, quick[1] if quick else held_text, svc.clock())
        return
    draft.texts.append(held_text)
    draft.step = "collect" if draft.step in ("collect", "claim") else draft.step
    await save_step(svc, draft)


async def start_button(ev: Event, svc: Services, out: Effects) -> None:
    """报告进展 under a problem (in /mine or /report)."""
    matched = re.match(START_CALLBACK, ev.action or "")
    if matched is None:
        return
    who = await actor(ev, svc)
    await start_on(ev, svc, out, who, int(matched.group(1)), [])
    out.answer_press()
