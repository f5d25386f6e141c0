"""Exactly one `Date` header on every response, read from the emulator's clock."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .clock import Clock
from .timestamps import http_date


class ClockDateHeader:
    """ASGI middleware: drop any `Date` a lower layer set and send the clock's time instead."""

    def __init__(self, app: ASGIApp, clock: Clock) -> None:
        self.app = app
        self.clock = clock

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_date(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"date"]
                headers.append((b"date", http_date(self.clock.now()).encode("latin-1")))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_date)
