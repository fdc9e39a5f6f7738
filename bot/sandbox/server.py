"""The HTTP side: Bot API routes and file downloads, in the shapes PTB sends and expects."""

from __future__ import annotations

import functools
import json
from typing import Any

from aiohttp import BodyPartReader, hdrs, web

from bot.sandbox.dispatch import call_api, reject
from bot.sandbox.errors import ApiError, bad_request
from bot.sandbox.spec import Upload
from bot.sandbox.state import World

# Telegram takes uploads up to 50 MB; leave room for the rest of the form.
_MAX_BODY = 60 * 1024 * 1024
_ATTACH = "attach://"
_dumps = functools.partial(json.dumps, ensure_ascii=False)


def build_app(world: World, token: str) -> web.Application:
    """The aiohttp application serving /bot<token>/<method> and /file/bot<token>/<path>."""
    app = web.Application(client_max_size=_MAX_BODY)
    app.router.add_route("*", "/bot{token}/{method}", functools.partial(_api, world, token))
    app.router.add_get("/file/bot{token}/{path:.*}", functools.partial(_file, world, token))
    return app


def _json(status: int, body: dict[str, Any]) -> web.Response:
    return web.json_response(body, status=status, dumps=_dumps)


async def _api(world: World, token: str, request: web.Request) -> web.Response:
    method = request.match_info["method"]
    if request.match_info["token"] != token:
        return _json(401, reject(world, method, {}, ApiError(401, "Unauthorized")))
    try:
        raw = await read_params(request)
    except ApiError as exc:
        return _json(exc.status, reject(world, method, {}, exc))
    status, body = await call_api(world, method, raw)
    return _json(status, body)


async def _file(world: World, token: str, request: web.Request) -> web.StreamResponse:
    if request.match_info["token"] != token:
        return _json(401, ApiError(401, "Unauthorized").body())
    stored = world.files.by_path(request.match_info["path"])
    if stored is None:
        return _json(404, ApiError(404, "Not Found").body())
    return web.Response(
        body=stored.data, content_type=stored.mime_type or "application/octet-stream"
    )


async def read_params(request: web.Request) -> dict[str, Any]:
    """Query string plus a form, multipart or JSON body; nested values stay JSON text here."""
    params: dict[str, Any] = dict(request.query)
    kind = request.content_type
    if kind == "application/json":
        try:
            body = await request.json()
        except ValueError:
            raise bad_request("can't parse JSON encoded request body") from None
        if not isinstance(body, dict):
            raise bad_request("JSON object expected as request body")
        params.update(body)
    elif kind == "application/x-www-form-urlencoded":
        form = await request.post()
        params.update({k: v for k, v in form.items() if isinstance(v, str)})
    elif kind == "multipart/form-data":
        params.update(await _multipart(request))
    return params


async def _multipart(request: web.Request) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    uploads: dict[str, Upload] = {}
    reader = await request.multipart()
    while (part := await reader.next()) is not None:
        if not isinstance(part, BodyPartReader):
            continue
        name = part.name or ""
        if part.filename is None:
            fields[name] = await part.text()
        else:
            data = bytes(await part.read(decode=True))
            ctype = part.headers.get(hdrs.CONTENT_TYPE)
            uploads[name] = Upload(name, part.filename, ctype, data)
    for key, value in list(fields.items()):
        if isinstance(value, str) and value.startswith(_ATTACH) and value[9:] in uploads:
            fields[key] = uploads.pop(value[9:])
    # Parts named by attach:// inside JSON (InputMedia) are not parameters of their own.
    mentioned = " ".join(v for v in fields.values() if isinstance(v, str))
    for name, upload in uploads.items():
        if f"{_ATTACH}{name}" not in mentioned:
            fields[name] = upload
    return fields
