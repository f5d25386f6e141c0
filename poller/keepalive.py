"""A lean HTTP/1.1 transport for httpx: pooled keep-alive connections (asyncio protocols), each request written in
one piece, each response fed to httptools' parser as its bytes arrive and handed over whole.

In a burst the poller makes one request per hub page and one per notification; through httpcore each cost more
Python than the receiver took to answer it (docs/benchmarks.md#poller-burst). This transport keeps httpx's client
(its requests, responses, exceptions and timeouts) and replaces what lies under it. It follows no redirect
(httpx's client decides that, and the poller's does not follow), verifies TLS with the context it is given, and maps
every failure to the httpx exception httpcore raises for it: `ConnectTimeout`/`ConnectError`,
`WriteTimeout`/`WriteError`, `ReadTimeout`/`ReadError`, `RemoteProtocolError`. A request is never re-sent by the
transport: what the caller does after a failure (a notification's retry schedule) stays the caller's.

respx intercepts httpcore, not this transport: a client routed through respx must keep httpx's default transport.
"""

from __future__ import annotations

import asyncio
import ssl
import sys
from collections.abc import AsyncIterator, Awaitable, Iterable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import TypeVar

import httptools
import httpx

T = TypeVar("T")
DEFAULT_PORTS = {"http": 80, "https": 443}
MAX_IDLE_PER_ORIGIN = 64  # the most deliveries in flight at once (MAX_IN_FLIGHT_LIMIT)

Origin = tuple[str, str, int]


class _Reply:
    """httptools' callbacks: the final response's status, headers and body, as they are parsed. An informational
    answer before it (100 Continue, 103 Early Hints) is read and dropped."""

    def __init__(self) -> None:
        self.parser = httptools.HttpResponseParser(self)
        self.status = 0
        self.headers: list[tuple[bytes, bytes]] = []
        self.body: list[bytes] = []
        self.headers_done = False
        self.keep_alive = False
        self.done = False

    def on_message_begin(self) -> None:
        self.headers, self.body, self.headers_done = [], [], False

    def on_header(self, name: bytes, value: bytes) -> None:
        self.headers.append((name, value))

    def on_headers_complete(self) -> None:
        self.status = self.parser.get_status_code()
        self.keep_alive = self.parser.should_keep_alive()
        self.headers_done = True

    def on_body(self, body: bytes) -> None:
        self.body.append(body)

    def on_message_complete(self) -> None:
        if not 100 <= self.status < 200 or self.status == 101:
            self.done = True

    def read_to_close(self) -> bool:
        """Whether the body runs until the server closes the connection (neither a length nor chunked)."""
        names = {name.lower() for name, _ in self.headers}
        return b"content-length" not in names and b"transfer-encoding" not in names


async def _within(seconds: float | None, work: Awaitable[T]) -> T:
    """`work`, or TimeoutError after `seconds` (None: no limit)."""
    if seconds is None:
        return await work
    if sys.version_info >= (3, 11):
        async with asyncio.timeout(seconds):
            return await work
    return await asyncio.wait_for(work, seconds)  # pragma: no cover - Python 3.10


class _Connection(asyncio.Protocol):
    """One socket: each response's bytes go straight from the event loop into its parser as they arrive (no stream
    buffer to copy through, no wake-up per chunk), and the waiting request is woken once, when the response is whole
    or the connection fails."""

    def __init__(self) -> None:
        self.loop = asyncio.get_running_loop()
        self.transport: asyncio.Transport | None = None
        self.reply: _Reply | None = None
        self.waiter: asyncio.Future[None] | None = None
        self.failure: BaseException | None = None
        self.eof = False
        self.lost = False
        self.last_data = 0.0
        self.writable: asyncio.Future[None] | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        reply = self.reply
        if reply is None:  # nothing was asked: the connection is out of step, never reuse it
            self.eof = True
            return
        self.last_data = self.loop.time()
        try:
            reply.parser.feed_data(data)
        except httptools.HttpParserError as error:
            self._wake(error)
            return
        if reply.done:
            self._wake(None)

    def eof_received(self) -> bool:
        self.eof = True
        self._wake(None)
        return False

    def connection_lost(self, exc: Exception | None) -> None:
        self.eof = self.lost = True
        self._wake(exc)
        if self.writable is not None and not self.writable.done():
            self.writable.set_result(None)

    def pause_writing(self) -> None:
        self.writable = self.loop.create_future()

    def resume_writing(self) -> None:
        if self.writable is not None and not self.writable.done():
            self.writable.set_result(None)
        self.writable = None

    def _wake(self, failure: BaseException | None) -> None:
        if failure is not None and self.failure is None:
            self.failure = failure
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_result(None)

    def reusable(self) -> bool:
        """Still open, and the server has not closed its side while the connection sat idle."""
        return self.transport is not None and not self.transport.is_closing() and not self.eof

    def close(self) -> None:
        if self.transport is not None:
            self.transport.close()


@dataclass(frozen=True)
class Answer:
    """A response read whole: status, header fields as sent, body."""

    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes

    def header(self, name: str) -> str | None:
        """The last value of header `name` (any case), or None."""
        wanted = name.lower().encode("ascii")
        found = [value for field, value in self.headers if field.lower() == wanted]
        return found[-1].decode("latin-1") if found else None

    @property
    def text(self) -> str:
        """The body as text (UTF-8, undecodable bytes replaced): for error messages."""
        return self.body.decode("utf-8", errors="replace")


def _host_header(url: httpx.URL) -> bytes:
    host = url.raw_host
    if b":" in host:  # an IPv6 literal
        host = b"[" + host + b"]"
    return host if url.port is None else host + b":" + str(url.port).encode("ascii")


def _head(method: str, url: httpx.URL, headers: Iterable[tuple[bytes, bytes]]) -> bytes:
    """The request line and header fields, up to the blank line that ends them."""
    lines = [method.encode("ascii") + b" " + url.raw_path + b" HTTP/1.1"]
    lines += [name + b": " + value for name, value in headers]
    return b"\r\n".join(lines) + b"\r\n\r\n"


class KeepAliveTransport(httpx.AsyncBaseTransport):
    """HTTP/1.1 with idle connections kept per origin (scheme, host, port) and reused; HTTPS verified by
    `ssl_context`."""

    def __init__(self, ssl_context: ssl.SSLContext | None = None, max_idle_per_origin: int = MAX_IDLE_PER_ORIGIN):
        self._ssl_context = ssl_context
        self._max_idle = max_idle_per_origin
        self._idle: dict[Origin, list[_Connection]] = {}

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send `request` on an idle connection to its origin (or a new one) and read the whole response."""
        body = await request.aread()
        timeouts = request.extensions.get("timeout", {})
        head = _head(request.method, request.url, request.headers.raw)
        reply = await self._round_trip(request.url, head + body, timeouts, request)
        return httpx.Response(
            reply.status,
            headers=reply.headers,
            content=b"".join(reply.body),
            request=request,
            extensions={"http_version": b"HTTP/1.1"},
        )

    async def exchange(
        self, method: str, url: httpx.URL, headers: Iterable[tuple[bytes, bytes]], body: bytes, timeout: float | None
    ) -> Answer:
        """One request without httpx's client around it: `Host`, `headers` as given, `Content-Length` (unless a GET
        without a body), in one write; `timeout` bounds the connect, each write and each read. Failures raise what
        `handle_async_request` raises."""
        fields = [(b"Host", _host_header(url)), *headers]
        if body or method not in ("GET", "HEAD"):
            fields.append((b"Content-Length", str(len(body)).encode("ascii")))
        data = _head(method, url, fields) + body
        limits = {"connect": timeout, "write": timeout, "read": timeout}
        reply = await self._round_trip(url, data, limits, None)
        return Answer(reply.status, reply.headers, b"".join(reply.body))

    async def _round_trip(
        self, url: httpx.URL, data: bytes, timeouts: Mapping[str, float | None], request: httpx.Request | None
    ) -> _Reply:
        if url.scheme not in DEFAULT_PORTS:
            raise httpx.UnsupportedProtocol(f"Request URL has an unsupported protocol '{url.scheme}://'.")
        origin = (url.scheme, url.host, url.port or DEFAULT_PORTS[url.scheme])
        connection = self._take_idle(origin) or await self._connect(origin, timeouts.get("connect"))
        try:
            # Listening before writing: a server may answer (and close) before it has read the whole request.
            connection.reply, connection.failure = _Reply(), None
            async with self._mapped(httpx.WriteTimeout, httpx.WriteError, request):
                await _within(timeouts.get("write"), self._write(connection, data))
            reply = await self._read(connection, timeouts.get("read"), request)
        except BaseException:
            connection.close()
            raise
        if reply.done and reply.keep_alive:
            self._give_back(origin, connection)
        else:
            connection.close()
        return reply

    async def aclose(self) -> None:
        """Close every idle connection."""
        idle, self._idle = self._idle, {}
        for connections in idle.values():
            for connection in connections:
                connection.close()

    def _take_idle(self, origin: Origin) -> _Connection | None:
        connections = self._idle.get(origin, [])
        while connections:
            connection = connections.pop()
            if connection.reusable():
                return connection
            connection.close()
        return None

    def _give_back(self, origin: Origin, connection: _Connection) -> None:
        connections = self._idle.setdefault(origin, [])
        if len(connections) < self._max_idle:
            connections.append(connection)
        else:
            connection.close()

    async def _connect(self, origin: Origin, timeout: float | None) -> _Connection:
        scheme, host, port = origin
        context = None
        if scheme == "https":
            context = self._ssl_context if self._ssl_context is not None else httpx.create_ssl_context()
        async with self._mapped(httpx.ConnectTimeout, httpx.ConnectError, None):
            _, connection = await _within(
                timeout,
                asyncio.get_running_loop().create_connection(
                    _Connection, host, port, ssl=context, server_hostname=host if context else None
                ),
            )
        return connection

    @staticmethod
    async def _write(connection: _Connection, data: bytes) -> None:
        if connection.lost or connection.transport is None:
            raise ConnectionResetError("Connection lost")
        connection.transport.write(data)
        if connection.writable is not None:  # the socket's buffer is full: wait until it drains
            await connection.writable
            if connection.lost:
                raise ConnectionResetError("Connection lost")

    async def _read(self, connection: _Connection, timeout: float | None, request: httpx.Request | None) -> _Reply:
        """The whole response; `timeout` bounds each wait for bytes (the time since the last ones came), as a read
        timeout bounds each socket read."""
        reply = connection.reply
        assert reply is not None, "a reply is expected from the moment the request is written"
        loop = connection.loop
        try:
            while not reply.done and connection.failure is None and not connection.eof:
                connection.waiter = loop.create_future()
                connection.last_data = loop.time()
                alarm = None if timeout is None else loop.call_later(timeout, self._alarm, connection, timeout)
                try:
                    await connection.waiter
                finally:
                    if alarm is not None:
                        alarm.cancel()
                    connection.waiter = None
        finally:
            connection.reply = None
        failure = connection.failure
        if isinstance(failure, httptools.HttpParserError):
            raise httpx.RemoteProtocolError(f"malformed response: {failure}", request=request) from failure
        if isinstance(failure, TimeoutError):
            raise httpx.ReadTimeout(str(failure) or type(failure).__name__, request=request) from failure
        if failure is not None:
            async with self._mapped(httpx.ReadTimeout, httpx.ReadError, request):
                raise failure
        if not reply.done:
            if reply.headers_done and reply.read_to_close():
                return reply
            raise httpx.RemoteProtocolError("Server disconnected without sending a response.", request=request)
        return reply

    @staticmethod
    def _alarm(connection: _Connection, timeout: float) -> None:
        """A read timeout: no bytes for `timeout` seconds wakes the reader with TimeoutError; bytes since the alarm
        was set put it off until `timeout` after them."""
        waiter = connection.waiter
        if waiter is None or waiter.done():
            return
        quiet = connection.loop.time() - connection.last_data
        if quiet < timeout:
            again = connection.loop.call_later(timeout - quiet, KeepAliveTransport._alarm, connection, timeout)
            waiter.add_done_callback(lambda _: again.cancel())
            return
        connection._wake(TimeoutError())

    @staticmethod
    @asynccontextmanager
    async def _mapped(
        timed_out: type[httpx.TimeoutException], failed: type[httpx.TransportError], request: httpx.Request | None
    ) -> AsyncIterator[None]:
        """Socket timeouts and errors as the httpx exceptions httpcore raises for them."""
        try:
            yield
        except (TimeoutError, asyncio.TimeoutError) as error:
            raise timed_out(str(error) or type(error).__name__, request=request) from error
        except ssl.SSLError as error:
            raise failed(str(error), request=request) from error
        except OSError as error:
            raise failed(str(error) or type(error).__name__, request=request) from error
