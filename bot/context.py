"""The callback context every handler receives."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from telegram.ext import Application, CallbackContext, ExtBot

from bot.services.container import BotData, Services


class Context(CallbackContext[ExtBot[dict[str, Any]], dict[Any, Any], dict[Any, Any], BotData]):
    """Typed access to the services."""

    @property
    def svc(self) -> Services:
        services = self.bot_data.services
        if services is None:  # pragma: no cover - the runtime always sets them
            raise RuntimeError("services are not attached to the application")
        return services


__all__ = ["App", "Context"]

if TYPE_CHECKING:
    from bot.turns import TurnApplication as App
else:
    App = Application[ExtBot[dict[str, Any]], Context, dict[Any, Any], dict[Any, Any], BotData, Any]
