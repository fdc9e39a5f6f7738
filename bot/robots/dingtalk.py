"""钉钉自定义机器人: text only; signed in the URL; a retried piece keeps its msgUuid.

A custom robot's webhook takes text, link, markdown, actionCard and feedCard: an image
only as a picture URL on a public host, which an office's isolated network does not have,
so the chart and the weekly table are left out. A body over 20,000 bytes is refused
(errcode 460101), hence `text_max` in JSON bytes with room for the envelope.

Signing (加签): timestamp in milliseconds, sign = urlencoded Base64(HMAC-SHA256(key=secret,
msg=f"{timestamp}\\n{secret}")), both as query parameters; the server refuses a timestamp
more than an hour off its clock. A robot secured by keywords or an IP list only has no
secret. `msgUuid` is the documented idempotency key: a piece retried after a timeout with
the same key is not posted twice.

Sources: 自定义机器人发送群消息 (open.dingtalk.com/document/orgapp/custom-robots-send-
group-messages; English: help.dingtalk.io/open/development/custom-robots-send-group-
messages): 20 messages a minute, past it 10 minutes of throttling, msgUuid, and the error
table (-1, 40035, 43004, 400013, 400101, 400102, 400105, 400106, 410100, 430101–430104,
310000), as mirrored by dagster-dingtalk and others; 自定义机器人安全设置 for the
signature and the four 310000 messages; 130101 "send too fast, exceed 20 times per
minute", 300001/300005 "token is not exist" and 460101 "message too long, exceed 20000
bytes" from users' reports (ccfos/nightingale#369, Le0nsec/SecCrawler#12, …).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from urllib.parse import quote_plus

import httpx

from bot.messages import OutMessage
from bot.robots import base
from bot.robots.base import Limits, Outcome, Pace, Refused, Rule, Window
from bot.texts import robots as rt

THROTTLE = 600.0  # past 20 a minute the robot is silenced for 10 minutes

RULES: dict[int, Rule] = {
    -1: Rule(rt.BUSY, base.TRANSIENT_RETRY),
    130101: Rule(rt.THROTTLED, THROTTLE),
    410100: Rule(rt.THROTTLED, THROTTLE),
    300001: Rule(rt.DING_NO_TOKEN),
    300005: Rule(rt.DING_NO_TOKEN),
    400101: Rule(rt.DING_NO_TOKEN),
    400013: Rule(rt.DING_DISBANDED),
    400102: Rule(rt.DING_STOPPED),
    400105: Rule(rt.DING_MSGTYPE),
    400106: Rule(rt.DING_NO_ROBOT),
    430101: Rule(rt.DING_LINK),
    430102: Rule(rt.DING_TEXT),
    430103: Rule(rt.DING_IMAGE),
    430104: Rule(rt.DING_CONTENT),
    40035: Rule(rt.DING_NO_JSON),
    43004: Rule(rt.DING_CONTENT_TYPE),
    460101: Rule(rt.DING_TOO_LONG),
    310000: Rule(rt.DING_SECURITY),
}

# 310000 is every security rule; its message says which one.
SECURITY = (
    ("keyword", rt.DING_KEYWORD),
    ("sign", rt.DING_SIGN),
    ("timestamp", rt.DING_TIMESTAMP),
    ("ip", rt.DING_IP),
)


class DingTalk(base.SignedWebhook):
    """A DingTalk custom robot at `webhook_url` (…/robot/send?access_token=…). Its pieces:
    text in parts within the 20,000-byte body; a message with a file yields none."""

    name = "dingtalk"
    limits = Limits(
        per_minute=20, per_second=None, text_max=19_500, text_measure="json", image=False
    )
    pace = Pace((Window(20, 62.0),))

    async def send(
        self, client: httpx.AsyncClient, piece: OutMessage, now: float, key: str | None = None
    ) -> Outcome:
        """Send one text piece, signed at `now`; `key` becomes its msgUuid."""
        if piece.attachment is not None:
            return Refused("file", rt.DING_MSGTYPE)
        body: dict[str, object] = {"msgtype": "text", "text": {"content": piece.text}}
        if key is not None:
            body["msgUuid"] = key
        response = await base.post(client, self.url(now), body=body)
        if not isinstance(response, httpx.Response):
            return response
        answer = base.answer(response)
        if not isinstance(answer, dict):
            return answer
        found = base.code_of(answer, "errcode")
        if found is None:
            return base.RetryLater(base.TRANSIENT_RETRY, "unreadable", rt.UNREADABLE, str(answer))
        outcome = base.judge(*found, RULES)
        if found[0] == 310000 and isinstance(outcome, Refused):
            return Refused(outcome.code, security_meaning(found[1]), outcome.detail)
        return outcome

    def url(self, now: float) -> str:
        """The webhook URL, with timestamp and sign when the robot has a secret."""
        if self.secret is None:
            return self.webhook_url
        timestamp, signature = sign(self.secret, now)
        joiner = "&" if "?" in self.webhook_url else "?"
        return f"{self.webhook_url}{joiner}timestamp={timestamp}&sign={quote_plus(signature)}"


def sign(secret: str, now: float) -> tuple[str, str]:
    """(timestamp in ms, Base64 signature) as DingTalk documents them; not yet urlencoded."""
    timestamp = str(int(now * 1000))
    digest = hmac.new(
        secret.encode("utf-8"), f"{timestamp}\n{secret}".encode(), hashlib.sha256
    ).digest()
    return timestamp, base64.b64encode(digest).decode("ascii")


def security_meaning(message: str) -> str:
    """Which security rule a 310000 names, by its message ("sign not match", …)."""
    lowered = message.lower()
    for word, meaning in SECURITY:
        if word in lowered:
            return meaning
    return rt.DING_SECURITY
