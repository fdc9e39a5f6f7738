"""What the three group robots share: limits as data, a pace, the outcome of one send.

A robot turns the core's neutral `OutMessage` into pieces it can carry (`pieces`, pure)
and sends one piece per call (`send`, one HTTP request; a WeCom file is the upload and
the send). It never sleeps and never retries: the outbox asks `pace.delay` when the next
piece may go, and acts on the `Outcome`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any, Literal, Protocol

import httpx

from bot.messages import Attachment, OutMessage
from bot.robots import split as splitting
from bot.texts import robots as rt

# After a failure that says nothing about when to come back (a timeout, a 5xx).
TRANSIENT_RETRY = 30.0
# After a rate limit that names no time (an HTTP 429 without a reset header).
THROTTLE_RETRY = 60.0
MB = 1024 * 1024
IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg"})  # WeCom's image message: JPG or PNG


@dataclass(frozen=True)
class Limits:
    """A robot's documented limits.

    text_measure: "utf8" counts the UTF-8 bytes of the text (WeCom); "json" the UTF-8
    bytes the text takes inside the JSON body, escapes included (DingTalk and Feishu limit
    the whole body; `text_max` leaves room for the rest of it).
    """

    per_minute: int
    per_second: int | None
    text_max: int
    text_measure: Literal["utf8", "json"]
    image: bool
    image_max: int = 0  # bytes before Base64
    file: bool = False
    file_max: int = 0

    def text_size(self, text: str) -> int:
        """The text's size as this robot measures it."""
        return splitting.measure(text, self._size)

    def split(self, text: str) -> list[str]:
        """The text in parts within `text_max`, cut at line ends (see `splitting.split_lines`)."""
        return splitting.split_lines(text, self.text_max, self._size)

    @property
    def _size(self) -> splitting.Size:
        return splitting.utf8_size if self.text_measure == "utf8" else splitting.json_size


@dataclass(frozen=True)
class Window:
    """At most `count` sends in any `seconds`."""

    count: int
    seconds: float


@dataclass(frozen=True)
class Pace:
    """Our own budget for one robot, a little inside its documented limits.

    The windows are a second or two longer than the vendor's minute: our clock and theirs
    disagree slightly, and DingTalk answers one send too many with ten minutes of silence.
    """

    windows: tuple[Window, ...]

    def delay(self, sent: Sequence[float], now: float) -> float:
        """Seconds to wait before the next send, given when the earlier sends went."""
        wait = 0.0
        for window in self.windows:
            recent = sorted(t for t in sent if t > now - window.seconds)
            if len(recent) >= window.count:
                wait = max(wait, recent[-window.count] + window.seconds - now)
        return wait


@dataclass(frozen=True)
class Sent:
    """The platform took the piece."""


@dataclass(frozen=True)
class RetryLater:
    """Not now: send the same piece again after `after` seconds."""

    after: float
    code: str
    meaning: str
    detail: str = ""  # the vendor's own words, for the log

    @property
    def throttled(self) -> bool:
        """The vendor's rate limit, not a failure: waiting it out is all there is to do."""
        return self.meaning == rt.THROTTLED


@dataclass(frozen=True)
class Refused:
    """Refused for good: sending again will not help until someone changes a setting."""

    code: str
    meaning: str
    detail: str = ""


Outcome = Sent | RetryLater | Refused


class Robot(Protocol):
    """One group robot: what it can carry, and one send."""

    name: str
    limits: Limits
    pace: Pace

    def pieces(self, message: OutMessage) -> list[OutMessage]:
        """The message as pieces within this robot's limits; none for what it cannot carry."""
        ...

    async def send(
        self, client: httpx.AsyncClient, piece: OutMessage, now: float, key: str | None = None
    ) -> Outcome:
        """Send one piece; `now` (epoch seconds) signs it; `key` names it for de-duplication."""
        ...


class Webhook:
    """What every robot shares: its webhook address, its vendor's limits and pace (set by
    each vendor's class), and its pieces cut by `plan` within those limits."""

    name: str
    limits: Limits
    pace: Pace

    def __init__(self, webhook_url: str) -> None:
        self.webhook_url = webhook_url

    def pieces(self, message: OutMessage) -> list[OutMessage]:
        return plan(message, self.limits)


class SignedWebhook(Webhook):
    """A robot that may sign its sends with its secret (DingTalk's 加签, Feishu's 签名校验);
    without one it relies on a keyword or an IP list."""

    def __init__(self, webhook_url: str, secret: str | None = None) -> None:
        super().__init__(webhook_url)
        self.secret = secret


def plan(message: OutMessage, limits: Limits) -> list[OutMessage]:
    """The pieces of a message for a robot with these limits (every robot's `pieces`).

    Buttons are dropped (robots only push) and an edit yields nothing (a robot cannot edit
    what it sent). A file goes first and its caption after it, so a file refused for good
    never leaves its caption alone in the group; a file the robot cannot carry takes its
    caption with it: no pieces at all.
    """
    if message.edit_message_id is not None:
        return []
    words = [OutMessage(text=part) for part in limits.split(message.text)]
    attachment = message.attachment
    if attachment is None:
        return words
    if not carries(limits, attachment):
        return []
    return [OutMessage(text="", attachment=attachment), *words]


def carries(limits: Limits, attachment: Attachment) -> bool:
    """Whether the robot can carry this file at all, judged without opening it."""
    if attachment.path is None:  # a Telegram file_id: the bytes are on Telegram's side
        return False
    if attachment.kind == "photo":
        return limits.image and PurePath(attachment.path).suffix.lower() in IMAGE_SUFFIXES
    return limits.file


@dataclass(frozen=True)
class Rule:
    """What one vendor code means, and when to try again (never, when retry_after is None)."""

    meaning: str
    retry_after: float | None = None


def judge(code: int, message: str, rules: Mapping[int, Rule]) -> Outcome:
    """The outcome of a vendor's answer by its code; an unknown code is refused, with its words."""
    if code == 0:
        return Sent()
    rule = rules.get(code)
    if rule is None:
        return Refused(str(code), rt.UNKNOWN.format(code=code, message=message), message)
    if rule.retry_after is None:
        return Refused(str(code), rule.meaning, message)
    return RetryLater(rule.retry_after, str(code), rule.meaning, message)


def dumps(body: Mapping[str, Any]) -> bytes:
    """The JSON body as the vendors count it: UTF-8, not \\u-escaped (3 bytes a 汉字, not 6)."""
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


async def post(
    client: httpx.AsyncClient,
    url: str,
    *,
    body: Mapping[str, Any] | None = None,
    files: Mapping[str, tuple[str, bytes, str]] | None = None,
) -> httpx.Response | Outcome:
    """One POST; a transport failure comes back as the outcome it means, not an exception."""
    try:
        if files is not None:
            return await client.post(url, files=files)
        headers = {"Content-Type": "application/json; charset=utf-8"}
        return await client.post(url, content=dumps(body or {}), headers=headers)
    except httpx.UnsupportedProtocol as exc:
        return Refused("url", rt.BAD_URL, str(exc))
    except httpx.InvalidURL as exc:
        return Refused("url", rt.BAD_URL, str(exc))
    except httpx.TimeoutException as exc:
        return RetryLater(TRANSIENT_RETRY, "timeout", rt.TIMEOUT, repr(exc))
    except httpx.TransportError as exc:
        return RetryLater(TRANSIENT_RETRY, "network", rt.NETWORK, repr(exc))
    except httpx.HTTPError as exc:  # anything else httpx raises: a broken answer, say
        return RetryLater(TRANSIENT_RETRY, "http", rt.UNREADABLE, repr(exc))


def answer(response: httpx.Response, reset_header: str | None = None) -> dict[str, Any] | Outcome:
    """The vendor's JSON answer, or the outcome its HTTP status alone decides.

    A 429 or a 5xx is retried whatever the body says; any other status with a JSON body is
    judged by the vendor's code (Feishu answers a malformed request with HTTP 400 and code
    9499); a body that is not JSON is retried after a 2xx (a proxy's page) and refused after
    a 4xx (an address that is not a robot's).
    """
    status = response.status_code
    if status == 429:
        return RetryLater(_reset(response, reset_header), "http-429", rt.THROTTLED, response.text)
    if status >= 500:
        return RetryLater(
            TRANSIENT_RETRY, f"http-{status}", rt.SERVER.format(status=status), response.text
        )
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict):
        return body
    if status < 400:
        return RetryLater(TRANSIENT_RETRY, "unreadable", rt.UNREADABLE, response.text[:200])
    meaning = rt.NOT_FOUND if status == 404 else rt.HTTP_REFUSED
    return Refused(f"http-{status}", meaning.format(status=status), response.text[:200])


def _reset(response: httpx.Response, header: str | None) -> float:
    for name in (header, "Retry-After"):
        if name is None:
            continue
        try:
            return max(1.0, float(response.headers[name]))
        except (KeyError, ValueError):
            continue
    return THROTTLE_RETRY


def code_of(body: Mapping[str, Any], *fields: str) -> tuple[int, str] | None:
    """(code, message) from the first of `fields` present as an integer, or None."""
    for field in fields:
        value = body.get(field)
        if isinstance(value, int) and not isinstance(value, bool):
            message = body.get("errmsg", body.get("msg", body.get("StatusMessage", "")))
            return value, str(message)
    return None
