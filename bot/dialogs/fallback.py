"""The last word in a private chat: an unknown command or text gets a pointer to /help."""

from __future__ import annotations

from bot import texts
from bot.core.effects import Effects
from bot.core.event import Event
from bot.services.container import Services

# Commands that only make sense between a person and the bot.
PRIVATE_ONLY = {"mine", "report", "extend", "withdraw"}


async def unknown_command(ev: Event, svc: Services, out: Effects) -> None:
    """Say the command does not exist and where the list is."""
    out.say(texts.UNKNOWN_COMMAND)


async def not_understood(ev: Event, svc: Services, out: Effects) -> None:
    """Say the message was not understood rather than staying silent."""
    out.say(texts.NOT_UNDERSTOOD_PRIVATE)


async def private_only_in_group(ev: Event, svc: Services, out: Effects) -> None:
    """A contact's command sent to a group: say where it works; other bots' commands: silence."""
    if ev.command is None or ev.for_another_bot:
        return
    if ev.command in PRIVATE_ONLY:
        out.say(texts.PRIVATE_ONLY.format(command=ev.command))
