"""Any text, command or button data, from anyone, anywhere: an answer, never a failure.

Hypothesis feeds arbitrary input to the bot's entry points as real updates. Each must
finish without an unhandled exception (the turn records none), and what the user reads is
never the "not taken" apology; a refusal or a plain answer is fine.
"""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from telegram import Update

from bot import texts
from bot.context import App
from storage.db import Database
from tests.recording import BOT_USER, RecordingRequest
from tests.unit.test_authorization import (  # the world's fixtures, shared
    NAMES,
    ROLES,
    UIDS,
    chat_of,
    config,  # noqa: F401
    template,  # noqa: F401
    world,  # noqa: F401
)

pytestmark = pytest.mark.usefixtures("world")
PROPERTY = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
COMMANDS = [
    "start", "help", "bind", "cancel", "mine", "report", "extend", "withdraw", "units",
    "unit", "problem", "overdue", "stats", "import", "code", "setgroup", "notice",
    "receipts", "review", "reopen", "digest", "export", "nosuchcommand",
]  # fmt: skip
PLACES = ("private", "office", "unit")
_ids = itertools.count(2_000_000)

anyone = st.sampled_from(ROLES)
anywhere = st.sampled_from(PLACES)
words = st.text(min_size=1, max_size=300)
data = st.one_of(
    st.text(min_size=1, max_size=21),  # up to 63 bytes of UTF-8
    st.from_regex(r"(rd|rp|rv|ex|nt|ack|rr|imp|pg|mine):[0-9a-z:]{0,20}", fullmatch=True),
).filter(lambda d: 1 <= len(d.encode()) <= 64)


def _message(role: str, where: str, text: str) -> dict[str, Any]:
    message: dict[str, Any] = {
        "message_id": next(_ids),
        "date": 1_800_000_000,
        "chat": chat_of(role, where),
        "from": {"id": UIDS[role], "is_bot": False, "first_name": NAMES[role]},
        "text": text,
    }
    if text.startswith("/"):
        head = text.split()[0] if text.split() else text
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(head)}]
    return message


async def _run(app: App, update: Update, recorder: RecordingRequest) -> None:
    start = len(recorder.calls)
    turn = await app.run_turn(update, durable=False, final=True)
    assert turn.error is None, repr(turn.error)
    said = [str(c.params.get("text") or "") for c in recorder.calls[start:]]
    apology = texts.NOT_TAKEN_USER.split("{", 1)[0]
    assert not any(apology in s for s in said), said


@PROPERTY
@given(role=anyone, where=anywhere, text=words)
async def test_any_text(
    app: App, recorder: RecordingRequest, db: Database, role: str, where: str, text: str
) -> None:
    update = Update.de_json(
        {"update_id": next(_ids), "message": _message(role, where, text)}, app.bot
    )
    await _run(app, update, recorder)


@PROPERTY
@given(role=anyone, where=anywhere, command=st.sampled_from(COMMANDS), args=words)
async def test_any_command(
    app: App,
    recorder: RecordingRequest,
    db: Database,
    role: str,
    where: str,
    command: str,
    args: str,
) -> None:
    text = f"/{command} {args}"
    update = Update.de_json(
        {"update_id": next(_ids), "message": _message(role, where, text)}, app.bot
    )
    await _run(app, update, recorder)


@PROPERTY
@given(role=anyone, where=anywhere, pressed=data)
async def test_any_button_data(
    app: App, recorder: RecordingRequest, role: str, where: str, pressed: str
) -> None:
    message = _message(role, where, "（机器人的消息）")
    message["from"] = BOT_USER
    message["reply_markup"] = {"inline_keyboard": [[{"text": "按钮", "callback_data": pressed}]]}
    query = {
        "id": f"cq-{next(_ids)}",
        "from": {"id": UIDS[role], "is_bot": False, "first_name": NAMES[role]},
        "chat_instance": "ci",
        "data": pressed,
        "message": message,
    }
    update = Update.de_json({"update_id": next(_ids), "callback_query": query}, app.bot)
    await _run(app, update, recorder)
