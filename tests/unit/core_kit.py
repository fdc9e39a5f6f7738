"""What the core's tests share: another platform's limits, and a dialog run as one turn.

No Telegram object here: these tests drive dialogs with neutral events, as a second
platform's adapter would.
"""

from __future__ import annotations

from dataclasses import replace

from bot.core.effects import Dialog, Effects
from bot.core.event import Event
from bot.core.limits import Limits
from bot.messages import OutMessage
from bot.services.container import Services
from bot.services.uow import Turn, current_turn
from storage import outbox

# A platform that is not Telegram: longer texts counted in bytes, large button data, fewer
# buttons a row. The core takes whatever the event's adapter says.
ELSEWHERE = Limits(
    text_max=30_000, text_measure="utf8", action_max_bytes=2_000, buttons_per_row=4, can_edit=True
)


def allowing(download_max: int) -> Limits:
    """ELSEWHERE, letting a bot fetch files of up to `download_max` bytes only."""
    return replace(ELSEWHERE, download_max=download_max)


async def run_turn(
    dialog: Dialog, ev: Event, svc: Services, *, update_id: int | None = None
) -> tuple[Effects, list[OutMessage]]:
    """Run a dialog as the inbox lane does, within one turn: its effects, and the durable
    replies written with its change (what the outbox sends to the chat), in order."""
    turn = Turn(
        update_id=ev.update_id if update_id is None else update_id,
        chat_id=ev.where.chat_id,
        button_message_id=ev.pressed,
    )
    out = Effects()
    token = current_turn.set(turn)
    try:
        await dialog(ev, svc, out)
    finally:
        current_turn.reset(token)
    mine = sorted(
        (i for i in await outbox.all_items(svc.db) if i.key.startswith(f"reply:{turn.update_id}:")),
        key=lambda i: i.id,
    )
    return out, [OutMessage.model_validate_json(i.payload) for i in mine]
