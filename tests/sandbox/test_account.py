"""Commands per scope, the webhook, and chat information."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from aiohttp import web
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeAllGroupChats,
    BotCommandScopeChat,
)
from telegram.constants import ChatAction
from telegram.error import BadRequest

from bot.sandbox import Sandbox, SimChat, SimUser
from tests.sandbox.conftest import TOKEN

pytestmark = pytest.mark.filterwarnings("ignore:Please use:telegram.warnings.PTBUserWarning")


async def test_commands_are_stored_per_scope_and_language(sb: Sandbox, bot: Bot) -> None:
    private = [BotCommand("start", "开始"), BotCommand("bind", "绑定身份")]
    await bot.set_my_commands(private, scope=BotCommandScopeChat(9001))
    await bot.set_my_commands([BotCommand("status", "进度")], scope=BotCommandScopeAllGroupChats())
    await bot.set_my_commands([BotCommand("start", "Start")], language_code="en")
    assert [c["command"] for c in sb.commands({"type": "chat", "chat_id": 9001})] == [
        "start",
        "bind",
    ]
    assert sb.commands({"type": "all_group_chats"}) == [
        {"command": "status", "description": "进度"}
    ]
    assert sb.commands() == []  # default scope, no language: nothing was set there
    assert sb.commands(language_code="en") == [{"command": "start", "description": "Start"}]
    read = await bot.get_my_commands(scope=BotCommandScopeChat(9001))
    assert [c.command for c in read] == ["start", "bind"]
    await bot.delete_my_commands(scope=BotCommandScopeChat(9001))
    assert sb.commands({"type": "chat", "chat_id": 9001}) == []


async def test_invalid_commands_are_rejected(bot: Bot) -> None:
    with pytest.raises(BadRequest, match=r"(?i)BOT_COMMAND_INVALID"):
        await bot.set_my_commands([BotCommand("Start", "开始")])
    with pytest.raises(BadRequest):
        await bot.set_my_commands([BotCommand("start", "")])


async def test_webhook_secret_token_is_checked(bot: Bot) -> None:
    with pytest.raises(BadRequest, match=r"(?i)secret token"):
        await bot.set_webhook("https://example.invalid/hook", secret_token="有空格 no")
    with pytest.raises(BadRequest, match=r"(?i)HTTPS URL"):
        await bot.set_webhook("ftp://example.invalid/hook")


async def test_webhook_delivery_retries_until_200(
    sb: Sandbox, bot: Bot, alice: SimUser, dm: SimChat
) -> None:
    got: list[tuple[str | None, dict[str, Any]]] = []
    answers = [500, 200, 200]

    async def hook(request: web.Request) -> web.Response:
        got.append((request.headers.get("X-Telegram-Bot-Api-Secret-Token"), await request.json()))
        return web.Response(status=answers.pop(0))

    app = web.Application()
    app.router.add_post("/hook", hook)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        sb.deliver_webhooks = True
        await bot.set_webhook(f"http://127.0.0.1:{port}/hook", secret_token="s3cret")
        sb.send_text(alice, dm, "一")
        sb.send_text(alice, dm, "二")
        await sb.wait_for(lambda: sb.pending_updates() == 0)
    finally:
        await runner.cleanup()
    texts = [update["message"]["text"] for _, update in got]
    assert texts == ["一", "一", "二"]  # the first answer was 500: sent again, in order
    assert {secret for secret, _ in got} == {"s3cret"}
    info = await bot.get_webhook_info()
    assert info.last_error_message is not None
    assert "500" in info.last_error_message


async def test_chat_information(sb: Sandbox, bot: Bot, alice: SimUser, dm: SimChat) -> None:
    office = sb.group(-100200, "整改办", admins=[alice], bot_admin=True)
    chat = await bot.get_chat(office.id)
    assert (chat.title, chat.type) == ("整改办", "supergroup")
    member = await bot.get_chat_member(office.id, alice.id)
    assert member.status == "creator"
    me = await bot.get_chat_member(office.id, sb.bot_user["id"])
    assert me.status == "administrator"
    admins = await bot.get_chat_administrators(office.id)
    assert {a.user.id for a in admins} == {alice.id, sb.bot_user["id"]}
    assert (await bot.get_chat(dm.id)).first_name == "王芳"
    assert await bot.send_chat_action(dm.id, ChatAction.TYPING) is True
    with pytest.raises(BadRequest, match=r"(?i)wrong parameter action"):
        await bot.do_api_request("sendChatAction", api_kwargs={"chat_id": dm.id, "action": "x"})


async def test_json_and_query_string_bodies_are_accepted(sb: Sandbox, dm: SimChat) -> None:
    url = f"{sb.base_url}{TOKEN}"
    async with httpx.AsyncClient() as client:
        as_json = await client.post(f"{url}/sendMessage", json={"chat_id": dm.id, "text": "JSON"})
        as_query = await client.get(f"{url}/sendMessage", params={"chat_id": dm.id, "text": "Q"})
        bad = await client.post(
            f"{url}/sendMessage", data={"chat_id": str(dm.id), "text": "x", "entities": "[oops"}
        )
    assert as_json.status_code == 200
    assert as_json.json()["result"]["text"] == "JSON"
    assert as_query.status_code == 200
    assert bad.status_code == 400
    assert bad.json()["description"].startswith("Bad Request: can't parse entities")
    assert [m["text"] for m in sb.received(dm)] == ["JSON", "Q"]


async def test_call_log_records_decoded_params(sb: Sandbox, bot: Bot, dm: SimChat) -> None:
    await bot.send_message(dm.id, "你好", disable_notification=True)
    [call] = sb.calls("sendMessage")
    assert call.params == {"chat_id": dm.id, "text": "你好", "disable_notification": True}
    assert call.status == 200
    assert call.error is None
