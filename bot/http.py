"""PTB's requests over aiohttp: JSON bodies, one connection pool, no anyio.

PTB's own HTTPXRequest spends about half of our event loop's busy time per answered
update (bench/pipeline.py, py-spy): httpcore checks every pooled connection on every
request, takes anyio locks, and form-encodes each body. aiohttp (already ours: the local
Bot API sandbox serves with it) sends the same calls as JSON; with it the bot answers
36–52 % more updates a second at two thirds of the CPU. Errors map as PTB's own request
maps them: a timeout is `TimedOut`, any other transport failure `NetworkError`; an HTTP
status is PTB's to judge. Proxies come from the environment (HTTPS_PROXY), as with httpx.
"""

from __future__ import annotations

from typing import Any

import aiohttp
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

DEFAULT_POOL = 64
DEFAULT_TIMEOUT = 5.0  # seconds, as HTTPXRequest's defaults
CONNECT_TIMEOUT = 10.0
UPLOAD_TIMEOUT = 20.0  # PTB's own default for sending a file (media_write_timeout)


class AiohttpRequest(BaseRequest):
    """A BaseRequest for the Bot API over one aiohttp session (opened by `initialize`)."""

    def __init__(
        self,
        connection_pool_size: int = DEFAULT_POOL,
        read_timeout: float | None = DEFAULT_TIMEOUT,
        connect_timeout: float | None = CONNECT_TIMEOUT,
    ) -> None:
        """read_timeout: the longest silence while reading an answer. An upload (a photo, a
        document) is bounded as a whole: its write timeout plus the read timeout."""
        self._pool = connection_pool_size
        self._read = read_timeout
        self._connect = connect_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        return self._read

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self._pool)
            self._session = aiohttp.ClientSession(connector=connector, trust_env=True)

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self._session is None:
            await self.initialize()
        elif self._session.closed:
            raise RuntimeError("this request was shut down; initialize it again first")
        assert self._session is not None
        read = self._read if read_timeout is BaseRequest.DEFAULT_NONE else read_timeout
        connect = self._connect if connect_timeout is BaseRequest.DEFAULT_NONE else connect_timeout
        upload = request_data is not None and bool(request_data.multipart_data)
        total = None
        if upload:  # aiohttp starts the read timeout only once the body is written
            write = (
                UPLOAD_TIMEOUT
                if write_timeout in (BaseRequest.DEFAULT_NONE, None)
                else write_timeout
            )
            total = write + (read or 0)
        timeout = aiohttp.ClientTimeout(total=total, sock_read=read, connect=connect)
        headers = {"User-Agent": self.USER_AGENT}
        body: Any = None
        if request_data is not None and request_data.multipart_data:
            # Field names as written: a file named 问题台账.xlsx arrives so named, not %E9….
            form = aiohttp.FormData(request_data.json_parameters, quote_fields=False)
            for name, (filename, content, mime) in request_data.multipart_data.items():
                form.add_field(name, content, filename=filename, content_type=mime)
            body = form
        elif request_data is not None:
            body = request_data.json_payload
            headers["Content-Type"] = "application/json"
        try:
            async with self._session.request(
                method, url, data=body, headers=headers, timeout=timeout
            ) as response:
                return response.status, await response.read()
        except TimeoutError as exc:
            raise TimedOut from exc
        except aiohttp.ClientError as exc:
            raise NetworkError(f"aiohttp.{type(exc).__name__}: {exc}") from exc
