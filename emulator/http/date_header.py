"""Exactly one `Date` header on every response, read from the emulator's server time."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from cwmock.core.timestamps import http_date, to_utc_second


class ClockDateHeader:
    """ASGI middleware: drop any `Date` a lower layer set and send server time (`now()`) instead.

    `now` is the store's `server_now`: the emulated clock plus any skew fault, read when the response starts. The
    header has whole seconds, so its text is formatted once a second (of server time), not once a response.
    """

    def __init__(self, app: ASGIApp, now: Callable[[], datetime]) -> None:
        self.app = app
        self.now = now
        self._last: tuple[datetime, bytes] | None = None  # a server second and its header value

    def date_value(self) -> bytes:
        """The `Date` header's value now: `http_date(now())`."""
        second = to_utc_second(self.now())
        last = self._last
        if last is None or last[0] != second:
            last = self._last = (second, http_date(second).encode("latin-1"))
        return last[1]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_date(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"date"]
                headers.append((b"date", self.date_value()))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_date)
