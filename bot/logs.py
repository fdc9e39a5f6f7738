"""Logging set-up; the token is cut out of every line, whoever logs it."""

from __future__ import annotations

import logging

REDACTED = "<token>"
# A bot token is "<bot id>:<secret>"; the secret alone is cut out too, when it is long enough
# not to match ordinary text (Telegram's are 35 characters).
MIN_SECRET = 8


def token_secrets(token: str) -> list[str]:
    """What to cut out of any output: the whole token, then its secret part on its own."""
    if not token:
        return []
    secret = token.partition(":")[2]
    return [token, secret] if len(secret) >= MIN_SECRET else [token]


def redact(text: str, secrets: list[str]) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, REDACTED)
    return text


def one_line(exc: BaseException, secrets: list[str]) -> str:
    """An exception as one redacted line: its type and its message, spaces folded."""
    message = " ".join(str(exc).split())
    text = f"{type(exc).__name__}: {message}" if message else type(exc).__name__
    return redact(text, secrets)


class RedactFilter(logging.Filter):
    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        self._secrets = [s for s in secrets if s]

    def filter(self, record: logging.LogRecord) -> bool:
        if not self._secrets:
            return True
        message = record.getMessage()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        cleaned = redact(message, self._secrets)
        exc_text = redact(record.exc_text or "", self._secrets)
        record.msg, record.args = cleaned, None
        record.exc_text = exc_text or None
        return True


def setup(secrets: list[str], level: int = logging.INFO) -> None:
    """Log to stderr; httpx's request lines (they carry the URL) only at WARNING."""
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactFilter(secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
