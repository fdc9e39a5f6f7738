"""飞书自定义机器人: text only; signed in the JSON body.

A custom robot can post an `image` message only by an `image_key`, and image keys come
from the upload API (/open-apis/im/v1/images) with an app's tenant_access_token, which a
custom robot does not have; it cannot send files at all. So the chart and the table are
left out here; a 企业自建应用 bot could carry them. The request body may not pass 20 KB.

Signing (签名校验): timestamp in seconds, sign = Base64(HMAC-SHA256(key=f"{timestamp}\\n
{secret}", msg=b"")), both in the JSON body; more than an hour off the server's clock is
refused like a wrong secret (19021).

Sources: 自定义机器人使用指南 (open.feishu.cn/document/client-docs/bot-v3/add-custom-bot):
100 a minute and 5 a second, 11232 at busy :00/:30, the 20 KB body, 9499, 19021, 19022,
19024; 19001 "param invalid: incoming webhook access token invalid" and 19002 from users'
reports (sansan0/TrendRadar#278, …); 2200 as a transient internal error and HTTP 429 as
throttling from openclaw/openclaw#70879; x-ogw-ratelimit-reset from the server API's rate
limit doc.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

import httpx

from bot.messages import OutMessage
from bot.robots import base
from bot.robots.base import Limits, Outcome, Pace, Refused, Rule, Window
from bot.texts import robots as rt

RESET_HEADER = "x-ogw-ratelimit-reset"

RULES: dict[int, Rule] = {
    11232: Rule(rt.THROTTLED, 60.0),  # frequency limited: a minute takes us off the peak
    2200: Rule(rt.BUSY, base.TRANSIENT_RETRY),
    19001: Rule(rt.FEISHU_BAD_TOKEN),
    19002: Rule(rt.FEISHU_PARAMS),
    19021: Rule(rt.FEISHU_SIGN),
    19022: Rule(rt.FEISHU_IP),
    19024: Rule(rt.FEISHU_KEYWORD),
    9499: Rule(rt.FEISHU_BAD_REQUEST),
}


class Feishu(base.SignedWebhook):
    """A Feishu custom robot at `webhook_url` (…/open-apis/bot/v2/hook/<token>). Its pieces:
    text in parts within the 20 KB body; a message with a file yields none."""

    name = "feishu"
    limits = Limits(per_minute=100, per_second=5, text_max=19_500, text_measure="json", image=False)
    pace = Pace((Window(100, 61.0), Window(5, 1.1)))

    async def send(
        self, client: httpx.AsyncClient, piece: OutMessage, now: float, key: str | None = None
    ) -> Outcome:
        """Send one text piece, signed at `now` (`key` is unused: no de-duplication here)."""
        if piece.attachment is not None:
            return Refused("file", rt.FEISHU_BAD_REQUEST)
        body: dict[str, object] = {"msg_type": "text", "content": {"text": piece.text}}
        if self.secret is not None:
            body["timestamp"], body["sign"] = sign(self.secret, now)
        response = await base.post(client, self.webhook_url, body=body)
        if not isinstance(response, httpx.Response):
            return response
        answer = base.answer(response, RESET_HEADER)
        if not isinstance(answer, dict):
            return answer
        # "code" since 2020; older robots answer with StatusCode alone.
        found = base.code_of(answer, "code", "StatusCode")
        if found is None:
            return base.RetryLater(base.TRANSIENT_RETRY, "unreadable", rt.UNREADABLE, str(answer))
        return base.judge(*found, RULES)


def sign(secret: str, now: float) -> tuple[str, str]:
    """(timestamp in seconds, Base64 signature) as Feishu documents them."""
    timestamp = str(int(now))
    key = f"{timestamp}\n{secret}".encode()
    digest = hmac.new(key, b"", hashlib.sha256).digest()
    return timestamp, base64.b64encode(digest).decode("ascii")
