"""Sandbox: a local Bot API server for PTB, and the simulated users on the other side."""

from __future__ import annotations

import asyncio
import copy
import time
from collections.abc import Callable
from types import TracebackType
from typing import Any

from aiohttp import web

from bot.sandbox import transcript, users
from bot.sandbox.errors import SandboxError
from bot.sandbox.faults import Faults
from bot.sandbox.limits import FloodLimits, FloodViolation
from bot.sandbox.methods.account import scope_key
from bot.sandbox.model import Entry, SimChat, SimUser
from bot.sandbox.server import build_app
from bot.sandbox.spec import load_spec
from bot.sandbox.state import Call, World
from bot.sandbox.webhook import WebhookPusher

ChatRef = SimChat | int


class Sandbox:
    """Telegram as far as PTB can tell; every acting-as-user method is synchronous."""

    def __init__(
        self,
        token: str = "123456:TEST-TOKEN",
        *,
        strict: bool = True,
        limits: FloodLimits | None = None,
        bot_name: str = "整改通",
        bot_username: str = "zhenggai_bot",
        privacy_mode: bool = True,
        seed: int = 0,
        clock: Callable[[], float] = time.monotonic,
        deliver_webhooks: bool = False,
    ) -> None:
        prefix = token.split(":", 1)[0]
        # Telegram's bot id is the token's numeric prefix.
        self.bot_user: dict[str, Any] = {
            "id": int(prefix) if prefix.isdigit() else 1,
            "is_bot": True,
            "first_name": bot_name,
            "username": bot_username,
        }
        self.token = token
        self.host = "127.0.0.1"
        self.port = 0
        self._world = World(
            spec=load_spec(),
            bot_user=self.bot_user,
            strict=strict,
            privacy_mode=privacy_mode,
            limits=limits or FloodLimits(),
            clock=clock,
            seed=seed,
        )
        self._pusher = WebhookPusher(self._world)
        self._pusher.enabled = deliver_webhooks
        self._runner: web.AppRunner | None = None

    # -- lifecycle ---------------------------------------------------------------------------

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> Sandbox:
        """Listen on host:port (0 picks a free port); sb.port tells which."""
        if self._runner is not None or self._world.updates.closed:
            raise SandboxError("a sandbox starts once; make a new one to start again")
        runner = web.AppRunner(
            build_app(self._world, self.token),
            access_log=None,
            shutdown_timeout=2.0,
            handler_cancellation=True,  # a client that hangs up ends its long poll
        )
        await runner.setup()
        site = web.TCPSite(runner, host, port)
        await site.start()
        self._runner = runner
        self.host = host
        self.port = int(runner.addresses[0][1])
        self._pusher.start()
        return self

    async def stop(self) -> None:
        """Answer waiting long polls, stop webhook delivery and close the server."""
        self._world.updates.close()
        self._world.stopping.set()
        await self._pusher.stop()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Sandbox:
        return await self.start()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        """For ApplicationBuilder().base_url(); PTB appends the token."""
        return f"http://{self.host}:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        """For ApplicationBuilder().base_file_url()."""
        return f"http://{self.host}:{self.port}/file/bot"

    @property
    def faults(self) -> Faults:
        """Failures to inject into the bot's calls."""
        return self._world.faults

    @property
    def deliver_webhooks(self) -> bool:
        """When True and a webhook is set, updates are POSTed to it instead of waiting."""
        return self._pusher.enabled

    @deliver_webhooks.setter
    def deliver_webhooks(self, value: bool) -> None:
        self._pusher.enabled = value

    # -- the world ---------------------------------------------------------------------------

    def user(
        self,
        user_id: int,
        first_name: str,
        *,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = None,
    ) -> SimUser:
        """A user, made once per id; later calls return the same one."""
        known = self._world.users.get(user_id)
        if known is None:
            known = SimUser(user_id, first_name, last_name, username, language_code)
            self._world.users[user_id] = known
        return known

    def private_chat(self, user: SimUser) -> SimChat:
        """The user's chat with the bot (the user has pressed Start); its id is the user's."""
        chat = self._world.chats.get(user.id)
        if chat is None:
            chat = SimChat(user.id, "private", user=user)
            self._world.chats[user.id] = chat
        return chat

    def group(
        self,
        chat_id: int,
        title: str,
        *,
        supergroup: bool = True,
        admins: list[SimUser] | None = None,
        bot_admin: bool = False,
    ) -> SimChat:
        """A group the bot is a member of, made once per id; admins[0] is its creator."""
        chat = self._world.chats.get(chat_id)
        if chat is None:
            kind = "supergroup" if supergroup else "group"
            chat = SimChat(chat_id, kind, title, admins=list(admins or []), bot_admin=bot_admin)
            self._world.chats[chat_id] = chat
        return chat

    async def add_to_group(self, chat: SimChat, by: SimUser) -> dict[str, Any] | None:
        """Someone adds the bot: it becomes a member and gets a my_chat_member update."""
        chat.bot_member = True
        return users.member_update(self._world, chat, by, "left", "member")

    async def remove_from_group(self, chat: SimChat, by: SimUser) -> dict[str, Any] | None:
        """Someone removes the bot: later sends there get 403, as on Telegram."""
        chat.bot_member = False
        return users.member_update(self._world, chat, by, "member", "kicked")

    def block_bot(self, user: SimUser) -> dict[str, Any] | None:
        """The user blocks the bot: later sends to them get 403."""
        chat = self.private_chat(user)
        chat.blocked = True
        return users.member_update(self._world, chat, user, "member", "kicked")

    # -- acting as users (synchronous: each queues an update at once) -----------------------

    def send_text(
        self, user: SimUser, chat: SimChat, text: str, reply_to: users.ReplyTo = None
    ) -> dict[str, Any]:
        """The user sends a text; a leading /command gets its bot_command entity."""
        body = users.text_body(text)
        return users.post(self._world, user, chat, "text", body, reply_to)

    def send_photo(
        self,
        user: SimUser,
        chat: SimChat,
        data: bytes,
        caption: str | None = None,
        reply_to: users.ReplyTo = None,
    ) -> dict[str, Any]:
        """The user sends a photo; message.photo lists a thumbnail and the full size."""
        body = {"photo": self._world.files.photo(data), **users.text_body(caption or "", "caption")}
        return users.post(self._world, user, chat, "photo", body, reply_to)

    def send_document(
        self,
        user: SimUser,
        chat: SimChat,
        data: bytes,
        file_name: str = "document.bin",
        mime_type: str | None = None,
        caption: str | None = None,
        reply_to: users.ReplyTo = None,
    ) -> dict[str, Any]:
        """The user sends a file; the bot can download it through getFile."""
        document = self._world.files.document(data, file_name, mime_type)
        body = {"document": document, **users.text_body(caption or "", "caption")}
        return users.post(self._world, user, chat, "document", body, reply_to)

    def edit_text(self, user: SimUser, message: dict[str, Any], text: str) -> dict[str, Any]:
        """The user edits a text they sent; the bot gets edited_message."""
        return users.edit_text(self._world, user, message, text)

    def press_button(
        self,
        user: SimUser,
        message: dict[str, Any] | int,
        data: str,
        chat: SimChat | None = None,
    ) -> dict[str, Any]:
        """Press a button the message shows now; SandboxError if it has no such button."""
        return users.press_button(self._world, user, message, data, chat)

    # -- reading what happened ---------------------------------------------------------------

    def _entries(self, chat: ChatRef) -> list[Entry]:
        chat_id = chat.id if isinstance(chat, SimChat) else chat
        return self._world.entries(chat_id)

    def received(self, chat: ChatRef) -> list[dict[str, Any]]:
        """Messages the bot sent to the chat and has not deleted, as they are now."""
        return [e.snapshot() for e in self._entries(chat) if e.by_bot and not e.deleted]

    def transcript(self, chat: ChatRef) -> list[dict[str, Any]]:
        """Every message of the chat, users' and the bot's, deleted ones marked."""
        return [transcript.view(e) for e in self._entries(chat)]

    def format_transcript(self, chat: ChatRef) -> str:
        """The chat as readable text, for `zhenggai demo` and failing tests."""
        chat_id = chat.id if isinstance(chat, SimChat) else chat
        known = self._world.chats.get(chat_id) or SimChat(chat_id, "unknown")
        name = str(self.bot_user["first_name"])
        return transcript.format_transcript(known, self._entries(chat), name)

    def calls(self, method: str | None = None) -> list[Call]:
        """API calls in arrival order, optionally of one method (any letter case)."""
        found = self._world.calls
        if method is None:
            return list(found)
        return [c for c in found if c.method.lower() == method.lower()]

    def rejected(self) -> list[Call]:
        """Calls answered with an error status (400 and up)."""
        return [c for c in self._world.calls if c.status >= 400]

    @property
    def flood_violations(self) -> list[FloodViolation]:
        """429s the sandbox gave because the bot broke a flood limit (not injected ones)."""
        return list(self._world.flood_violations)

    def pending_updates(self) -> int:
        """Updates the bot has not confirmed yet."""
        return self._world.updates.pending()

    def commands(
        self, scope: dict[str, Any] | None = None, language_code: str = ""
    ) -> list[dict[str, Any]]:
        """What setMyCommands stored for exactly this scope and language."""
        return copy.deepcopy(self._world.commands.get(scope_key(scope, language_code), []))

    def callback_answer(self, query_id: str) -> dict[str, Any] | None:
        """The bot's answerCallbackQuery for this query, or None while unanswered."""
        record = self._world.callbacks.get(query_id)
        return None if record is None or record.answer is None else dict(record.answer)

    def expire_callbacks(self) -> int:
        """Let every unanswered button press grow too old to answer, as Telegram does after
        a few seconds (a bot restarting mid-press meets this); returns how many."""
        fresh = [r for r in self._world.callbacks.values() if r.answer is None and not r.expired]
        for record in fresh:
            record.expired = True
        return len(fresh)

    def uploaded_file(self, file_id: str) -> bytes:
        """The bytes behind a file_id (a file the bot or a user sent)."""
        stored = self._world.files.get(file_id)
        if stored is None:
            raise SandboxError(f"no file with file_id {file_id!r}")
        return stored.data

    # Called timeout like asyncio.wait_for's; ASYNC109 is about passing a timeout on to an
    # inner call, and polling has none.
    async def wait_for(self, predicate: Callable[[], bool], timeout: float = 5.0) -> None:  # noqa: ASYNC109
        """Poll the predicate every 10 ms; TimeoutError says what the bot did meanwhile."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not predicate():
            if loop.time() >= deadline:
                raise TimeoutError(transcript.stuck_report(self._world, predicate, timeout))
            await asyncio.sleep(0.01)
