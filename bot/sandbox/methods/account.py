"""The bot itself: getMe, its command lists, getUpdates and the webhook."""

from __future__ import annotations

import json
import re
from typing import Any

from bot.sandbox.errors import ApiError, bad_request
from bot.sandbox.methods.common import Effect, Params
from bot.sandbox.state import Webhook, World

_COMMAND = re.compile(r"[a-z0-9_]{1,32}")
_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")
_LANGUAGE = re.compile(r"(?:[a-z]{2})?")
_WEBHOOK_ACTIVE = (
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first"
)


def scope_key(scope: dict[str, Any] | None, language_code: str | None) -> tuple[str, str]:
    """Commands are stored per scope and language, as Telegram keeps them."""
    return json.dumps(scope or {"type": "default"}, sort_keys=True), language_code or ""


def get_me(world: World, params: Params) -> Effect:
    """The bot's User with the bot-only flags."""
    me = {
        **world.bot_user,
        "can_join_groups": True,
        "can_read_all_group_messages": not world.privacy_mode,
        "supports_inline_queries": False,
        "can_connect_to_business": False,
        "has_main_web_app": False,
    }
    return lambda: me


def get_updates(world: World, params: Params) -> Effect:
    """Confirm by offset, then return pending updates, long-polling up to `timeout` seconds."""
    if world.webhook.url:
        raise ApiError(409, _WEBHOOK_ACTIVE)
    offset = params.get("offset")
    limit = min(max(int(params.get("limit") or 100), 1), 100)
    timeout = max(int(params.get("timeout") or 0), 0)

    async def effect() -> list[dict[str, Any]]:
        queue = world.updates
        generation = queue.begin_poll()
        if offset is not None:
            queue.confirm(offset)
        queue.set_allowed(params.get("allowed_updates"))
        if timeout and not queue.pending():
            await queue.wait(timeout, generation)
        return queue.peek(limit)

    return effect


def set_webhook(world: World, params: Params) -> Effect:
    """Store the webhook; the sandbox POSTs to it only when deliver_webhooks is on."""
    url = params["url"]
    if url and not url.startswith(("https://", "http://")):
        raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
    secret = params.get("secret_token")
    if secret is not None and not _SECRET.fullmatch(secret):
        raise bad_request("bad webhook: secret token contains unallowed characters")
    max_connections = params.get("max_connections", 40)
    if not 1 <= max_connections <= 100:
        raise bad_request("bad webhook: max_connections must be between 1 and 100")

    def effect() -> bool:
        if params.get("drop_pending_updates"):
            world.updates.drop_all()
        allowed = params.get("allowed_updates")
        world.updates.set_allowed(allowed)
        world.webhook = Webhook(url, secret, max_connections, allowed) if url else Webhook()
        return True

    return effect


def delete_webhook(world: World, params: Params) -> Effect:
    """Remove the webhook, dropping pending updates if asked to."""

    def effect() -> bool:
        if params.get("drop_pending_updates"):
            world.updates.drop_all()
        world.webhook = Webhook()
        return True

    return effect


def get_webhook_info(world: World, params: Params) -> Effect:
    """WebhookInfo, with the delivery errors the sandbox met."""

    def effect() -> dict[str, Any]:
        hook = world.webhook
        info: dict[str, Any] = {
            "url": hook.url,
            "has_custom_certificate": False,
            "pending_update_count": world.updates.pending(),
        }
        if hook.url:
            info["max_connections"] = hook.max_connections
            if hook.allowed_updates is not None:
                info["allowed_updates"] = hook.allowed_updates
            if hook.last_error_date is not None:
                info["last_error_date"] = hook.last_error_date
                info["last_error_message"] = hook.last_error_message
        return info

    return effect


def set_my_commands(world: World, params: Params) -> Effect:
    """Store a command list for one scope and language, after Telegram's checks."""
    commands = params["commands"]
    if len(commands) > 100:
        raise bad_request("BOT_COMMANDS_TOO_MUCH")
    for command in commands:
        if not _COMMAND.fullmatch(str(command["command"])):
            raise bad_request("BOT_COMMAND_INVALID")
        if not 1 <= len(str(command["description"]).strip()) <= 256:
            raise bad_request("command description is empty or too long")
    key = _checked_key(params)
    stored = [{"command": c["command"], "description": c["description"]} for c in commands]

    def effect() -> bool:
        world.commands[key] = stored
        return True

    return effect


def get_my_commands(world: World, params: Params) -> Effect:
    """The list stored for exactly this scope and language (no fallback, as Telegram)."""
    key = _checked_key(params)
    return lambda: list(world.commands.get(key, []))


def delete_my_commands(world: World, params: Params) -> Effect:
    """Forget the list for this scope and language."""
    key = _checked_key(params)
    return lambda: world.commands.pop(key, None) is not None or True


def _checked_key(params: Params) -> tuple[str, str]:
    language = params.get("language_code") or ""
    if not _LANGUAGE.fullmatch(language):
        raise bad_request("invalid language code specified")
    return scope_key(params.get("scope"), language)
