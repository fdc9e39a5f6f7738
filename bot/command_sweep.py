"""Each person's own command list, published after start in the background, gently.

Start-up publishes only the default lists and starts polling; this pass then brings every
person's list in line with their roles, one call at a time, paced, waiting whenever replies
and the outbox are busy. Only lists that differ from the recorded digest cost a call, so a
restart with nothing changed makes none.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Iterable

from telegram.error import NetworkError, RetryAfter, TelegramError

from bot.commands import (
    KEY_PREFIX,
    Bot,
    Outcome,
    digest,
    needs_publishing,
    publish_person,
)
from bot.ratelimit import ChatRateLimiter, retry_seconds
from bot.services.command_list import commands_for_roles
from storage import people, state
from storage.db import Database

log = logging.getLogger(__name__)

ATTEMPTS = 5  # per person and pass; a person still failing waits for the next start


class CommandSweep:
    def __init__(
        self,
        bot: Bot,
        db: Database,
        admins: Iterable[int],
        limiter: ChatRateLimiter,
        *,
        per_second: float = 10.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._bot = bot
        self._db = db
        self._admins = frozenset(admins)
        self._limiter = limiter
        self._gap = 1.0 / per_second
        self._clock = clock
        self._next_at = 0.0

    async def run(self) -> None:
        """One pass over everyone whose list changed; it never takes the bot down with it."""
        try:
            due = await self.due()
            if not due:
                return
            log.info("publishing the command lists of %d people in the background", len(due))
            outcomes = [await self._one(tg_user_id) for tg_user_id in due]
            log.info(
                "command lists: %d published, %d removed, %d unreachable, %d left for next start",
                outcomes.count(Outcome.PUBLISHED),
                outcomes.count(Outcome.REMOVED),
                outcomes.count(Outcome.UNREACHABLE),
                outcomes.count(None),
            )
        except Exception:  # the menus are a nicety; the next start tries again
            log.exception("publishing the command lists stopped")

    async def due(self) -> list[int]:
        """Who needs a call: their wanted list differs from the recorded one (two queries)."""
        roles = await people.active_roles_by_user(self._db)
        stored: dict[int, str] = {}
        for key, value in (await state.with_prefix(self._db, KEY_PREFIX)).items():
            suffix = key.removeprefix(KEY_PREFIX)
            if suffix.lstrip("-").isdigit():  # not the default scopes' keys
                stored[int(suffix)] = value
        due = []
        for tg_user_id in sorted(set(roles) | self._admins | set(stored)):
            pairs = commands_for_roles(roles.get(tg_user_id, ()), tg_user_id in self._admins)
            wanted = None if pairs is None else digest(self._bot.id, pairs)
            if needs_publishing(stored.get(tg_user_id), wanted, retry_unreachable=False):
                due.append(tg_user_id)
        return due

    async def _one(self, tg_user_id: int) -> Outcome | None:
        """Publish one person's list, waiting out 429s; None when it would not go through."""
        for attempt in range(ATTEMPTS):
            await self._limiter.quiet()
            await self._paced()
            try:
                return await publish_person(
                    self._bot, self._db, tg_user_id, self._admins, retry_unreachable=False
                )
            except RetryAfter as exc:
                log.info("429 on command lists; waiting %.0fs", retry_seconds(exc))
                await asyncio.sleep(retry_seconds(exc))
            except NetworkError as exc:  # timeouts, 5xx: back off, then give up for this start
                log.info("commands for %s: %s; retrying", tg_user_id, exc)
                await asyncio.sleep(min(2.0**attempt, 30.0))
            except TelegramError as exc:
                log.warning("commands for %s not published: %s", tg_user_id, exc)
                return None
        log.warning("commands for %s not published after %d tries", tg_user_id, ATTEMPTS)
        return None

    async def _paced(self) -> None:
        """At most per_second calls, counted from one call's start to the next."""
        now = self._clock()
        if self._next_at > now:
            await asyncio.sleep(self._next_at - now)
        self._next_at = max(now, self._next_at) + self._gap
