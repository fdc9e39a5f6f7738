"""企业微信群机器人: text, the chart as an image, the weekly table as a file.

Its key is in the URL and it signs nothing. Text goes as `text` (≤ 2,048 bytes of UTF-8),
not `markdown` (≤ 4,096 bytes): our texts are plain, and markdown would read a line that
starts with "#" or ">" as markup. A file is uploaded to the robot's own `upload_media`
endpoint (same key, 5 B–20 MB, media kept 3 days and usable by this robot only), then
sent by its media_id; each attempt uploads afresh, so a retry never meets an expired id.

Sources: 群机器人配置说明 (developer.work.weixin.qq.com/document/path/91770: message
types and sizes, image Base64 + MD5 ≤ 2 MB JPG/PNG, upload_media, 20 messages a minute);
全局错误码 (document/path/90313, mirrored in 90455); the errmsg wording of 93000, 45009
and 40058 from users' reports (e.g. "invalid webhook url", "api freq out of limit",
"markdown.content exceed max length 4096. invalid Request Parameter").
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx

from bot.messages import OutMessage
from bot.robots import base
from bot.robots.base import MB, Limits, Outcome, Pace, Refused, Rule, Window
from bot.texts import robots as rt

RULES: dict[int, Rule] = {
    -1: Rule(rt.BUSY, base.TRANSIENT_RETRY),
    45009: Rule(rt.THROTTLED, 60.0),  # api freq out of limit: the robot's 20 a minute
    93000: Rule(rt.WECOM_BAD_KEY),  # invalid webhook url: wrong key, robot removed
    40058: Rule(rt.WECOM_BAD_PARAM),  # invalid Request Parameter (also: content too long)
    44004: Rule(rt.WECOM_EMPTY),
    40008: Rule(rt.WECOM_MSGTYPE),
    40004: Rule(rt.WECOM_MEDIA_TYPE),
    40005: Rule(rt.WECOM_TYPE),
    40006: Rule(rt.WECOM_FILE_SIZE),
    40009: Rule(rt.WECOM_IMAGE_SIZE),
    40007: Rule(rt.WECOM_MEDIA_ID, base.TRANSIENT_RETRY),  # the next attempt uploads again
    45002: Rule(rt.WECOM_TOO_BIG),
    301019: Rule(rt.WECOM_MD5),  # "media md5 not match"
}


class WeCom(base.Webhook):
    """A WeCom group robot at `webhook_url` (…/cgi-bin/webhook/send?key=…). Its pieces: text
    in 2,048-byte parts; a PNG/JPG chart as an image and a file as a file, first."""

    name = "wecom"
    limits = Limits(
        per_minute=20,
        per_second=None,
        text_max=2048,
        text_measure="utf8",
        image=True,
        image_max=2 * MB,
        file=True,
        file_max=20 * MB,
    )
    pace = Pace((Window(20, 61.0),))

    async def send(
        self, client: httpx.AsyncClient, piece: OutMessage, now: float, key: str | None = None
    ) -> Outcome:
        """Send one piece (`now` and `key` are unused: WeCom neither signs nor de-duplicates)."""
        attachment = piece.attachment
        if attachment is None:
            return await self._post({"msgtype": "text", "text": {"content": piece.text}}, client)
        assert attachment.path is not None  # pieces() keeps only files the bot wrote
        data = await _read(attachment.path)
        if data is None:
            return Refused("file", rt.FILE_MISSING.format(path=attachment.path))
        if attachment.kind == "photo":
            return await self._image(client, data)
        return await self._file(client, Path(attachment.path).name, data)

    async def _image(self, client: httpx.AsyncClient, data: bytes) -> Outcome:
        if len(data) > self.limits.image_max:
            return Refused("40009", rt.IMAGE_TOO_BIG.format(limit=self.limits.image_max // MB))
        image = {
            "base64": base64.b64encode(data).decode("ascii"),
            "md5": hashlib.md5(data).hexdigest(),  # the vendor's checksum, not a security measure
        }
        return await self._post({"msgtype": "image", "image": image}, client)

    async def _file(self, client: httpx.AsyncClient, name: str, data: bytes) -> Outcome:
        if not 5 <= len(data) <= self.limits.file_max:
            return Refused("40006", rt.FILE_SIZE.format(limit=self.limits.file_max // MB))
        media = {"media": (name, data, "application/octet-stream")}
        response = await base.post(client, self.upload_url, files=media)
        if not isinstance(response, httpx.Response):
            return response
        body = base.answer(response)
        if not isinstance(body, dict):
            return body
        media_id = body.get("media_id")
        if not isinstance(media_id, str) or not media_id:
            return _judge(body)
        return await self._post({"msgtype": "file", "file": {"media_id": media_id}}, client)

    async def _post(self, body: dict[str, object], client: httpx.AsyncClient) -> Outcome:
        response = await base.post(client, self.webhook_url, body=body)
        if not isinstance(response, httpx.Response):
            return response
        answer = base.answer(response)
        return answer if not isinstance(answer, dict) else _judge(answer)

    @property
    def upload_url(self) -> str:
        """…/cgi-bin/webhook/upload_media?key=…&type=file, from the send URL."""
        parts = urlsplit(self.webhook_url)
        path = parts.path.rsplit("/", 1)[0] + "/upload_media"
        query = [(k, v) for k, v in parse_qsl(parts.query) if k != "type"] + [("type", "file")]
        return urlunsplit(parts._replace(path=path, query=urlencode(query)))


def _judge(body: dict[str, object]) -> Outcome:
    found = base.code_of(body, "errcode")
    if found is None:
        return base.RetryLater(base.TRANSIENT_RETRY, "unreadable", rt.UNREADABLE, str(body)[:200])
    return base.judge(*found, RULES)


async def _read(path: str) -> bytes | None:
    """The file's bytes, read off the event loop; None when it is gone or unreadable."""
    try:
        return await asyncio.to_thread(Path(path).read_bytes)
    except OSError:
        return None
