"""The Bot API client over aiohttp (bot/http.py), against a tiny local server: files keep
their Chinese names, a stalled upload ends in TimedOut, and a closed client is not reborn."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from telegram import InputFile
from telegram.error import TimedOut
from telegram.request import RequestData
from telegram.request._requestparameter import RequestParameter

from bot.http import AiohttpRequest


@pytest.fixture
async def server() -> AsyncIterator[tuple[str, list[str]]]:
    names: list[str] = []

    async def upload(request: web.Request) -> web.Response:
        reader = await request.multipart()
        async for part in reader:
            if part.filename:  # type: ignore[union-attr]
                names.append(part.filename)  # type: ignore[union-attr]
        return web.json_response({"ok": True, "result": True})

    async def stall(request: web.Request) -> web.Response:
        await asyncio.sleep(2)  # answers long after the upload's time is up
        return web.json_response({"ok": True, "result": True})

    app = web.Application()
    app.router.add_post("/upload", upload)
    app.router.add_post("/stall", stall)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        yield f"http://127.0.0.1:{port}", names
    finally:
        await runner.cleanup()


def document(name: str) -> RequestData:
    param = RequestParameter.from_input("document", InputFile(b"PK\x03\x04data", name))
    return RequestData([param, RequestParameter.from_input("chat_id", 5)])


async def test_a_file_keeps_its_chinese_name(server: tuple[str, list[str]]) -> None:
    base, names = server
    request = AiohttpRequest()
    await request.initialize()
    try:
        status, _ = await request.do_request(
            f"{base}/upload", "POST", document("问题台账 2026-11-27.xlsx")
        )
    finally:
        await request.shutdown()
    assert status == 200
    assert names == ["问题台账 2026-11-27.xlsx"]  # not %E9%97%AE…


async def test_an_upload_that_stalls_ends_in_timed_out(server: tuple[str, list[str]]) -> None:
    base, _ = server
    request = AiohttpRequest(read_timeout=0.2)
    await request.initialize()
    try:
        with pytest.raises(TimedOut):
            await request.do_request(f"{base}/stall", "POST", document("a.xlsx"), write_timeout=0.3)
    finally:
        await request.shutdown()


async def test_a_shut_down_client_is_not_quietly_reborn(server: tuple[str, list[str]]) -> None:
    base, _ = server
    request = AiohttpRequest()
    await request.initialize()
    await request.shutdown()
    with pytest.raises(RuntimeError, match="shut down"):
        await request.do_request(f"{base}/upload", "POST", document("a.xlsx"))
