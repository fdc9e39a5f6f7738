"""Publishing the command lists per scope, with Chinese descriptions, only when they changed.

What was last published for a scope is kept in bot_state as a digest of the list
(`commands:<chat_id>` for a person, `commands:all_private_chats` …), so the database, not
Telegram, says what is out there: a restart republishes nothing unchanged. A person's chat
that Telegram refused (400: they never opened it; 403: they blocked the bot) is recorded as
`unreachable:<digest>` and tried again only when their list changes or they send /start.
"""

from __future__ import annotations

import enum
import hashlib
import json
import logging
from collections.abc import Iterable
from typing import Any

from telegram import (
    BotCommand,
    BotCommandScope,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
)
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import ExtBot

from bot import texts
from bot.context import Context
from bot.services.access import load_actor
from bot.services.command_list import Pairs, commands_for
from bot.services.command_list import (  # which commands a role has is the core's
    commands_for_roles as commands_for_roles,
)
from storage import state
from storage.db import Database

log = logging.getLogger(__name__)

KEY_PREFIX = "commands:"
UNREACHABLE = "unreachable:"
Bot = ExtBot[dict[str, Any]]


class Outcome(enum.Enum):
    UNCHANGED = "unchanged"
    PUBLISHED = "published"
    REMOVED = "removed"  # no longer bound: the chat falls back to the all-private list
    UNREACHABLE = "unreachable"


def key_of(tg_user_id: int) -> str:
    return f"{KEY_PREFIX}{tg_user_id}"


def digest(bot_id: int, pairs: Pairs) -> str:
    """What identifies a published list; the bot's id in it, so a new token republishes."""
    raw = json.dumps([bot_id, pairs], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(raw.encode()).hexdigest()[:16]


def needs_publishing(stored: str | None, wanted: str | None, *, retry_unreachable: bool) -> bool:
    """Whether a chat's list must go out, given its stored and wanted digests (None: none)."""
    if wanted is None:
        return stored is not None
    if stored == wanted:
        return False
    return retry_unreachable or stored != UNREACHABLE + wanted


def _bot_commands(pairs: Pairs) -> list[BotCommand]:
    return [BotCommand(name, desc) for name, desc in pairs]


async def publish_defaults(bot: Bot, db: Database) -> None:
    """The lists for every private chat and every group: two calls at most, none if unchanged."""
    scopes: list[tuple[str, BotCommandScope, Pairs]] = [
        ("all_private_chats", BotCommandScopeAllPrivateChats(), texts.COMMANDS_PRIVATE),
        ("all_group_chats", BotCommandScopeAllGroupChats(), texts.COMMANDS_GROUP),
    ]
    for name, scope, pairs in scopes:
        key, wanted = KEY_PREFIX + name, digest(bot.id, pairs)
        if await state.get(db, key) == wanted:
            continue
        await bot.set_my_commands(_bot_commands(pairs), scope=scope)
        async with db.transaction() as tx:
            await state.put(tx, key, wanted)


async def publish_person(
    bot: Bot, db: Database, tg_user_id: int, admins: Iterable[int], *, retry_unreachable: bool
) -> Outcome:
    """Bring one person's own list in line with their roles, if it is not already.

    RetryAfter and network errors propagate: nothing is recorded, so a later pass retries.
    """
    outcome = Outcome.UNCHANGED
    # Read again after each call: a role granted while the call was out is caught here.
    for _ in range(3):
        actor = await load_actor(db, tg_user_id, admins)
        pairs = commands_for(actor) if actor.is_bound else None
        wanted = None if pairs is None else digest(bot.id, pairs)
        key = key_of(tg_user_id)
        stored = await state.get(db, key)
        if not needs_publishing(stored, wanted, retry_unreachable=retry_unreachable):
            return outcome
        scope = BotCommandScopeChat(tg_user_id)
        try:
            if pairs is None:
                await bot.delete_my_commands(scope=scope)
            else:
                await bot.set_my_commands(_bot_commands(pairs), scope=scope)
        except (BadRequest, Forbidden) as exc:  # never opened a chat with the bot, or blocked it
            log.info("commands for %s not published: %s", tg_user_id, exc.message)
            async with db.transaction() as tx:
                if wanted is None:
                    await state.delete(tx, key)
                else:
                    await state.put(tx, key, UNREACHABLE + wanted)
            return Outcome.REMOVED if wanted is None else Outcome.UNREACHABLE
        async with db.transaction() as tx:
            if wanted is None:
                await state.delete(tx, key)
            else:
                await state.put(tx, key, wanted)
        outcome = Outcome.REMOVED if wanted is None else Outcome.PUBLISHED
    return outcome


async def publish_personal_commands(ctx: Context, tg_user_id: int) -> None:
    """Give one person their role's list now (after /bind or /start); the menu is a nicety."""
    svc = ctx.svc
    try:
        await publish_person(
            ctx.bot, svc.db, tg_user_id, svc.config.office.admins, retry_unreachable=True
        )
    except TelegramError as exc:  # not recorded: the next start's background pass retries
        log.warning("commands for %s not published now: %s", tg_user_id, exc)
