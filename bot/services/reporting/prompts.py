"""What the bot says at each step of a draft, as message values with buttons."""

from __future__ import annotations

from bot.messages import Button, OutMessage, shorten
from bot.services.ledger import template as t
from bot.services.reporting.draft import Draft
from bot.services.reporting.figures import show_count, show_money
from bot.texts import reporting as rt
from storage.ledger import Problem

TEXT_PREVIEW = 300


def action(draft: Draft, name: str) -> str:
    return f"rd:{draft.nonce}:{name}"


def prompt(draft: Draft, problem: Problem, *, in_group: bool = False) -> OutMessage:
    """The question the draft's current step asks."""

    def button(text: str, name: str) -> Button:
        return Button(text=text, action=action(draft, name))

    if draft.step == "collect":
        if draft.has_content:
            text = rt.GOT.format(texts=len(draft.texts), files=len(draft.files))
        else:
            text = rt.START.format(code=problem.code, title=shorten(problem.description, 60))
            if in_group:
                text += "\n" + rt.START_GROUP
        return OutMessage(text=text, buttons=((button(rt.DONE_BUTTON, "done"),),))
    if draft.step == "claim":
        return OutMessage(
            text=rt.CLAIM.format(code=problem.code),
            buttons=(
                (button(rt.CLAIM_PROGRESS, "cp"), button(rt.CLAIM_COMPLETED, "cc")),
                (button(rt.ADD_MORE, "more"),),
            ),
        )
    if draft.step in ("money", "rules", "people"):
        text = {"money": rt.MONEY, "rules": rt.RULES, "people": rt.PEOPLE}[draft.step]
        now = {
            "money": show_money(draft.money) if draft.money is not None else None,
            "rules": show_count(draft.rules, "项") if draft.rules is not None else None,
            "people": show_count(draft.people, "人") if draft.people is not None else None,
        }[draft.step]
        if now is not None:  # correcting from the confirm card: say what stands
            text += "\n" + rt.FIGURE_NOW.format(value=now)
        row = [button(rt.SKIP, "skip")]
        if draft.step == "money":
            row.append(button(rt.SKIP_ALL, "none"))
        return OutMessage(text=text, buttons=(tuple(row),))
    body = draft.text or rt.NONE_TEXT
    if len(body) > TEXT_PREVIEW:
        body = body[:TEXT_PREVIEW] + "…"
    claim = rt.CLAIM_COMPLETED if draft.claim == "completed" else rt.CLAIM_PROGRESS
    return OutMessage(
        text=rt.CONFIRM.format(
            code=problem.code,
            claim=claim,
            text=body,
            files=len(draft.files),
            money=show_money(draft.money),
            rules=show_count(draft.rules, "项"),
            people=show_count(draft.people, "人"),
        )
        + "\n\n"
        + rt.CONFIRM_HINT,
        buttons=(
            (button(rt.SUBMIT, "ok"), button(rt.DISCARD, "no")),
            (button(rt.EDIT_FIGURES, "edit"),),
        ),
    )


def answered(draft: Draft, code: str, name: str, shown: str | None) -> str | None:
    """What the prompt shows once its button `name` is pressed (None: only the keyboard goes).

    `draft` is as it was when the button was pressed; `shown` is the prompt's text.
    """
    if name in ("cp", "cc"):
        return rt.CLAIM.format(code=code) + (
            rt.CLAIM_COMPLETED if name == "cc" else rt.CLAIM_PROGRESS
        )
    if name == "more":
        return rt.CLAIM.format(code=code) + rt.ANSWER_MORE
    if name == "done":
        return rt.ANSWER_DONE.format(texts=len(draft.texts), files=len(draft.files))
    if name == "skip" and draft.step in rt.FIGURE_NAMES:
        return rt.ANSWER_FIGURE.format(what=rt.FIGURE_NAMES[draft.step], value=rt.SKIP)
    if name == "none":
        return rt.ANSWER_NO_FIGURES
    if shown is None:
        return None
    endings = {"ok": rt.ANSWER_SUBMITTED, "no": rt.ANSWER_DISCARDED, "edit": rt.ANSWER_EDIT}
    return f"{shown}\n\n{endings[name]}" if name in endings else None


def status_name(status: str) -> str:
    return t.STATUS_NAMES[status]  # type: ignore[index]
