"""Local stand-ins for the WeCom, DingTalk and Feishu group-robot webhooks, for tests.

Each one checks what the real service checks (the key or token, the signature and its
hour, the body, the size), answers in the vendor's own JSON and codes, fails on demand
(`throttle`, `fail`, `hang`, `reply`), can enforce the per-minute limit itself, and records
what the group would show (`arrivals`: decoded text, image bytes with their MD5 checked,
files), in order. Its clock is injectable; it listens on 127.0.0.1 on a free port.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import functools
import hashlib
import hmac
import json
import secrets
import time
from collections import deque
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Literal, Self

from aiohttp import BodyPartReader, web

Clock = Callable[[], float]
Answer = tuple[int, dict[str, Any]]  # HTTP status and JSON body
Handler = Callable[[web.Request], Awaitable[Answer]]
MB = 1024 * 1024
HOUR = 3600.0
_dumps = functools.partial(json.dumps, ensure_ascii=False)


@dataclass(frozen=True)
class Arrival:
    """One message as the group would show it."""

    kind: Literal["text", "image", "file"]
    text: str = ""
    data: bytes = b""
    name: str = ""  # a file's name
    signed: bool = False  # it came with a signature the receiver verified
    at: float = 0.0  # the receiver's clock


@dataclass(frozen=True)
class _Failure:
    status: int
    headers: Mapping[str, str]


class Receiver:
    """What every stand-in shares: the server, failures on demand, the limits, the record."""

    def __init__(
        self,
        *,
        clock: Clock = time.time,
        per_minute: int | None = None,
        per_second: int | None = None,
    ) -> None:
        self.clock = clock
        self.per_minute = per_minute
        self.per_second = per_second
        self.arrivals: list[Arrival] = []
        self.answers: list[Answer] = []  # every JSON answer given, in order
        self.requests = 0  # every request that reached the server
        self._throttled = 0
        self._failures: deque[_Failure] = deque()
        self._hangs: deque[bool] = deque()
        self._scripted: deque[Answer] = deque()
        self._accepted: deque[float] = deque()
        self._runner: web.AppRunner | None = None
        self.port = 0

    # -- on demand ---------------------------------------------------------------------------

    def throttle(self, n: int = 1) -> None:
        """The next n sends fail with the vendor's rate-limit code."""
        self._throttled += n

    def fail(self, n: int = 1, status: int = 500, headers: Mapping[str, str] | None = None) -> None:
        """The next n requests get this HTTP status and an HTML page, as a gateway answers."""
        self._failures.extend([_Failure(status, dict(headers or {}))] * n)

    def hang(self, n: int = 1, *, after_arrival: bool = False) -> None:
        """The next n requests get no answer; after_arrival: the message arrives all the same
        (the answer is what is lost), as when a timeout hides a send that went through."""
        self._hangs.extend([after_arrival] * n)

    def reply(self, status: int, body: dict[str, Any]) -> None:
        """The next request gets exactly this answer (to try every documented code)."""
        self._scripted.append((status, body))

    @property
    def texts(self) -> list[str]:
        """The texts that arrived, in order."""
        return [a.text for a in self.arrivals if a.kind == "text"]

    # -- lifecycle ---------------------------------------------------------------------------

    def routes(self) -> list[web.RouteDef]:
        raise NotImplementedError

    async def start(self) -> Self:
        """Listen on 127.0.0.1, a free port (`port` tells which)."""
        app = web.Application(client_max_size=32 * MB)
        app.add_routes(self.routes())
        runner = web.AppRunner(
            app, access_log=None, shutdown_timeout=0.5, handler_cancellation=True
        )
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        self._runner = runner
        self.port = int(runner.addresses[0][1])
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Self:
        return await self.start()

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.stop()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # -- shared steps ------------------------------------------------------------------------

    def _route(self, handler: Handler) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
        return functools.partial(self._serve, handler)

    async def _serve(self, handler: Handler, request: web.Request) -> web.StreamResponse:
        self.requests += 1
        if self._hangs:
            if self._hangs.popleft():
                await handler(request)
            await asyncio.sleep(HOUR)  # the client gives up first; aiohttp then cancels us
        if self._failures:
            failure = self._failures.popleft()
            page = f"<html><body><h1>{failure.status}</h1></body></html>"
            return web.Response(
                status=failure.status, text=page, content_type="text/html", headers=failure.headers
            )
        if self._scripted:
            status, body = self._scripted.popleft()
        else:
            status, body = await handler(request)
        self.answers.append((status, body))
        return web.json_response(body, status=status, dumps=_dumps)

    def _gate(self) -> bool:
        """Whether this send is refused for its rate: on demand, or past a limit."""
        now = self.clock()
        if self._throttled:
            self._throttled -= 1
            self._on_throttle(now)
            return True
        while self._accepted and self._accepted[0] <= now - 60.0:
            self._accepted.popleft()
        in_second = sum(1 for t in self._accepted if t > now - 1.0)
        if (self.per_minute is not None and len(self._accepted) >= self.per_minute) or (
            self.per_second is not None and in_second >= self.per_second
        ):
            self._on_throttle(now)
            return True
        return False

    def _on_throttle(self, now: float) -> None:
        """What else a rate-limited send sets off (DingTalk: ten minutes of silence)."""

    def _accept(self, arrival: Arrival) -> None:
        self._accepted.append(self.clock())
        self.arrivals.append(arrival)


async def _json_body(request: web.Request) -> tuple[int, Any]:
    raw = await request.read()
    try:
        return len(raw), json.loads(raw)
    except ValueError:
        return len(raw), None


class WeComReceiver(Receiver):
    """企业微信群机器人: /cgi-bin/webhook/send and /upload_media, by key."""

    TEXT_MAX = 2048
    IMAGE_MAX = 2 * MB
    FILE_MAX = 20 * MB

    def __init__(self, key: str = "wecom-key-0000", **options: Any) -> None:
        super().__init__(**options)
        self.key = key
        self._media: dict[str, tuple[str, bytes]] = {}

    @property
    def webhook_url(self) -> str:
        return f"{self.base}/cgi-bin/webhook/send?key={self.key}"

    def routes(self) -> list[web.RouteDef]:
        return [
            web.post("/cgi-bin/webhook/send", self._route(self._send)),
            web.post("/cgi-bin/webhook/upload_media", self._route(self._upload)),
        ]

    async def _send(self, request: web.Request) -> Answer:
        if request.query.get("key") != self.key:
            return _wecom(93000, "invalid webhook url")
        if self._gate():
            return _wecom(45009, "api freq out of limit")
        _, body = await _json_body(request)
        if not isinstance(body, dict):
            return _wecom(40058, "invalid Request Parameter. Warning: wrong json format.")
        kind = body.get("msgtype")
        if kind == "text":
            return self._text(body.get("text"))
        if kind == "image":
            return self._image(body.get("image"))
        if kind == "file":
            return self._file(body.get("file"))
        return _wecom(40008, "invalid message type")

    def _text(self, text: Any) -> Answer:
        content = text.get("content") if isinstance(text, dict) else None
        if not isinstance(content, str) or not content:
            return _wecom(44004, "empty content")
        if len(content.encode("utf-8")) > self.TEXT_MAX:
            return _wecom(40058, "text.content exceed max length 2048. invalid Request Parameter")
        self._accept(Arrival("text", text=content, at=self.clock()))
        return _wecom(0, "ok")

    def _image(self, image: Any) -> Answer:
        if not isinstance(image, dict):
            return _wecom(40058, "invalid Request Parameter")
        try:
            data = base64.b64decode(str(image.get("base64", "")), validate=True)
        except binascii.Error:
            return _wecom(40058, "invalid base64")
        if not 0 < len(data) <= self.IMAGE_MAX:
            return _wecom(40009, "invalid image size")
        if hashlib.md5(data).hexdigest() != image.get("md5"):
            return _wecom(301019, "media md5 not match")
        if not data.startswith((b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff")):
            return _wecom(40004, "invalid media type")
        self._accept(Arrival("image", data=data, at=self.clock()))
        return _wecom(0, "ok")

    def _file(self, file: Any) -> Answer:
        media_id = file.get("media_id") if isinstance(file, dict) else None
        stored = self._media.get(media_id) if isinstance(media_id, str) else None
        if stored is None:
            return _wecom(40007, "invalid media_id")
        name, data = stored
        self._accept(Arrival("file", data=data, name=name, at=self.clock()))
        return _wecom(0, "ok")

    async def _upload(self, request: web.Request) -> Answer:
        if request.query.get("key") != self.key:
            return _wecom(93000, "invalid webhook url")
        if request.query.get("type") != "file":
            return _wecom(40005, "invalid type")
        name, data = "", b""
        if request.content_type == "multipart/form-data":
            reader = await request.multipart()
            while (part := await reader.next()) is not None:
                if isinstance(part, BodyPartReader) and part.name == "media":
                    name, data = part.filename or "", bytes(await part.read(decode=True))
        if not name or not 5 <= len(data) <= self.FILE_MAX:
            return _wecom(40006, "invalid file size")
        media_id = secrets.token_hex(16)
        self._media[media_id] = (name, data)
        created = str(int(self.clock()))
        return 200, {
            "errcode": 0,
            "errmsg": "ok",
            "type": "file",
            "media_id": media_id,
            "created_at": created,
        }


def _wecom(code: int, message: str) -> Answer:
    return 200, {"errcode": code, "errmsg": message}


class DingTalkReceiver(Receiver):
    """钉钉自定义机器人: /robot/send?access_token=…&timestamp=…&sign=…"""

    BODY_MAX = 20_000
    THROTTLE = 600.0

    def __init__(
        self,
        token: str = "ding-token-0000",
        secret: str | None = "SECding-secret-0000",
        keywords: tuple[str, ...] = (),
        **options: Any,
    ) -> None:
        super().__init__(**options)
        self.token = token
        self.secret = secret
        self.keywords = keywords
        self.blocked_until = float("-inf")
        self._uuids: set[str] = set()

    @property
    def webhook_url(self) -> str:
        return f"{self.base}/robot/send?access_token={self.token}"

    def routes(self) -> list[web.RouteDef]:
        return [web.post("/robot/send", self._route(self._send))]

    def _gate(self) -> bool:
        if self.clock() < self.blocked_until:
            return True
        return super()._gate()

    def _on_throttle(self, now: float) -> None:
        self.blocked_until = max(self.blocked_until, now + self.THROTTLE)

    async def _send(self, request: web.Request) -> Answer:
        query = request.query
        if query.get("access_token") != self.token:
            return _ding(300005, "token is not exist")
        if self.secret is not None:
            refusal = self._verify(query.get("timestamp", ""), query.get("sign", ""))
            if refusal is not None:
                return refusal
        if self._gate():
            return _ding(130101, "send too fast, exceed 20 times per minute")
        size, body = await _json_body(request)
        if size > self.BODY_MAX:
            return _ding(460101, "message too long, exceed 20000 bytes")
        if not isinstance(body, dict):
            return _ding(40035, "缺少参数 json")
        uuid = body.get("msgUuid")
        if isinstance(uuid, str) and uuid in self._uuids:
            return _ding(0, "ok")  # the same message again: taken, not posted twice
        if body.get("msgtype") != "text":
            return _ding(400105, "不支持的消息类型")
        text = body.get("text")
        content = text.get("content") if isinstance(text, dict) else None
        if not isinstance(content, str) or not content:
            return _ding(40035, "缺少参数 json")
        if self.keywords and not any(word in content for word in self.keywords):
            return _ding(310000, "keywords not in content")
        if isinstance(uuid, str):
            self._uuids.add(uuid)
        self._accept(Arrival("text", text=content, signed=self.secret is not None, at=self.clock()))
        return _ding(0, "ok")

    def _verify(self, timestamp: str, sign: str) -> Answer | None:
        assert self.secret is not None
        if not timestamp.isdigit() or abs(int(timestamp) - self.clock() * 1000) > HOUR * 1000:
            return _ding(310000, "invalid timestamp")
        message = f"{timestamp}\n{self.secret}".encode()
        digest = hmac.new(self.secret.encode(), message, hashlib.sha256).digest()
        if not hmac.compare_digest(base64.b64encode(digest).decode(), sign):
            return _ding(310000, "sign not match")
        return None


def _ding(code: int, message: str) -> Answer:
    return 200, {"errcode": code, "errmsg": message}


class FeishuReceiver(Receiver):
    """飞书自定义机器人: /open-apis/bot/v2/hook/<token>, signed in the body."""

    BODY_MAX = 20_000  # "20 KB", read strictly

    def __init__(
        self,
        token: str = "feishu-token-0000",
        secret: str | None = "feishu-secret-0000",
        keywords: tuple[str, ...] = (),
        **options: Any,
    ) -> None:
        super().__init__(**options)
        self.token = token
        self.secret = secret
        self.keywords = keywords

    @property
    def webhook_url(self) -> str:
        return f"{self.base}/open-apis/bot/v2/hook/{self.token}"

    def routes(self) -> list[web.RouteDef]:
        return [web.post("/open-apis/bot/v2/hook/{token}", self._route(self._send))]

    async def _send(self, request: web.Request) -> Answer:
        if request.match_info["token"] != self.token:
            return _feishu(19001, "param invalid: incoming webhook access token invalid")
        size, body = await _json_body(request)
        if size > self.BODY_MAX or not isinstance(body, dict):
            return _feishu(9499, "Bad Request", status=400)
        if self.secret is not None and not self._verified(body):
            return _feishu(
                19021, "sign match fail or timestamp is not within one hour from current time"
            )
        if self._gate():
            return _feishu(
                11232, "frequency limited psm[lark.oapi.app_platform_runtime]appID[1500]"
            )
        content = body.get("content")
        text = content.get("text") if isinstance(content, dict) else None
        if body.get("msg_type") != "text" or not isinstance(text, str) or not text:
            return _feishu(9499, "Bad Request: fail to parse content", status=400)
        if self.keywords and not any(word in text for word in self.keywords):
            return _feishu(19024, "Key Words Not Found")
        self._accept(Arrival("text", text=text, signed=self.secret is not None, at=self.clock()))
        return _feishu(0, "success")

    def _verified(self, body: dict[str, Any]) -> bool:
        assert self.secret is not None
        timestamp, sign = str(body.get("timestamp", "")), body.get("sign")
        if not timestamp.isdigit() or abs(int(timestamp) - self.clock()) > HOUR:
            return False
        key = f"{timestamp}\n{self.secret}".encode()
        expected = base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()
        return isinstance(sign, str) and hmac.compare_digest(expected, sign)


def _feishu(code: int, message: str, status: int = 200) -> Answer:
    return status, {"code": code, "msg": message, "data": {}}
