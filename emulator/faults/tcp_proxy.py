"""A TCP proxy in front of a served emulator that breaks connections the way networks do.

Socket faults must reach a real client as connection errors, not as HTTP statuses, so they happen below HTTP: the
proxy reads each HTTP/1.1 request on a client connection, asks its faults whether one fires (the same scopes as
the HTTP faults: path glob or regex, method, times/after, probability with a seed), forwards the request, and
- `reset_before_response`: drops the response and closes the client connection with a TCP RST (SO_LINGER 0);
- `cut_body_after`: forwards the response head and the first `cut_after` bytes of its body (never the whole body),
  then closes the connection.
A faulted request is still forwarded, with a `cwmock-network-fault: <kind>` header, so the emulator's journal marks
the response as faulted (the oracle must not count that window as clean). Requests with a chunked body are not
supported (the emulator's clients send Content-Length).
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import struct
import threading
from dataclasses import dataclass
from urllib.parse import urlsplit

from cwmock.emulator.faults.kinds import NETWORK_FAULT_HEADER
from cwmock.emulator.faults.scope import FaultScope, PathPattern
from cwmock.emulator.faults.sockets import SocketFault, SocketFaultKind, SocketFaults
from cwmock.emulator.http.server import LOOPBACK

NO_BODY_STATUSES = {204, 304}


@dataclass(frozen=True)
class HttpHead:
    """A request or response head: its raw bytes and the few fields framing needs."""

    raw: bytes
    first_line: str
    headers: dict[str, str]

    @classmethod
    def parse(cls, raw: bytes) -> HttpHead:
        """Split a head (ending in CRLF CRLF) into its first line and lower-cased headers."""
        lines = raw.decode("latin-1").split("\r\n")
        headers: dict[str, str] = {}
        for line in lines[1:]:
            name, sep, value = line.partition(":")
            if sep:
                headers[name.strip().lower()] = value.strip()
        return cls(raw, lines[0], headers)

    @property
    def chunked(self) -> bool:
        """True when the body is sent in chunks."""
        return "chunked" in self.headers.get("transfer-encoding", "").lower()

    @property
    def content_length(self) -> int | None:
        """The declared body length, if any."""
        value = self.headers.get("content-length")
        return int(value) if value is not None and value.isdigit() else None

    @property
    def closes(self) -> bool:
        """True when the sender closes the connection after this message."""
        return self.headers.get("connection", "").lower() == "close"

    def with_header(self, name: str, value: str) -> bytes:
        """The raw head with one more header."""
        return self.raw[:-2] + f"{name}: {value}\r\n\r\n".encode("latin-1")


async def read_body(reader: asyncio.StreamReader, head: HttpHead, *, request_method: str) -> tuple[bytes, bool]:
    """A response body as sent on the wire (chunk framing included), and whether it ran to the connection's end."""
    status = int(head.first_line.split(" ")[1])
    if request_method == "HEAD" or status in NO_BODY_STATUSES or 100 <= status < 200:
        return b"", False
    if head.chunked:
        parts: list[bytes] = []
        while True:
            size_line = await reader.readuntil(b"\r\n")
            parts.append(size_line)
            size = int(size_line.split(b";")[0].strip(), 16)
            if size == 0:
                while (trailer := await reader.readuntil(b"\r\n")) != b"\r\n":
                    parts.append(trailer)
                parts.append(trailer)
                return b"".join(parts), False
            parts.append(await reader.readexactly(size + 2))
    length = head.content_length
    if length is not None:
        return await reader.readexactly(length), False
    return await reader.read(), True


def reset(writer: asyncio.StreamWriter) -> None:
    """Close the connection with a TCP RST instead of a FIN."""
    sock = writer.get_extra_info("socket")
    if sock is not None:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()


class TcpFaultProxy:
    """Listen on `host:port` (a free loopback port by default) and forward to `upstream_host:upstream_port`.

    Use it as an async context manager on the loop of the code under test (`async with TcpFaultProxy(...) as p`),
    point the client at `p.url`, and add faults with `add`; adding and removing faults is safe from other threads.
    Pass an emulator's `socket_faults` as `faults` to serve the faults its admin API lists (`cwmock emulator
    --fault-proxy-port` does).
    """

    def __init__(
        self,
        upstream_host: str,
        upstream_port: int,
        *,
        host: str = LOOPBACK,
        port: int = 0,
        faults: SocketFaults | None = None,
    ) -> None:
        self.upstream_host = upstream_host
        self.upstream_port = upstream_port
        self.host = host
        self.port = port
        self.socket_faults = faults if faults is not None else SocketFaults()
        self._server: asyncio.Server | None = None
        self._connections: set[asyncio.Task[None]] = set()

    @property
    def url(self) -> str:
        """Base URL to give the client, e.g. `http://127.0.0.1:54321`."""
        return f"http://{self.host}:{self.port}"

    # -- faults ---------------------------------------------------------------------------

    def add(
        self,
        kind: SocketFaultKind,
        *,
        cut_after: int = 0,
        path: str = "*",
        path_regex: str | None = None,
        method: str | None = None,
        times: int | None = None,
        after: int = 0,
        probability: float | None = None,
        seed: int = 0,
    ) -> SocketFault:
        """Add a socket fault; by default it hits every request (scope it like an HTTP fault)."""
        scope = FaultScope(PathPattern.of(path, path_regex), method, times, after, probability, seed)
        return self.socket_faults.add(kind, scope, cut_after)

    def faults(self) -> list[SocketFault]:
        """Every socket fault, oldest first."""
        return self.socket_faults.all()

    def remove(self, fault_id: int) -> None:
        """Remove one fault (NotFound if there is no such id)."""
        self.socket_faults.remove(fault_id)

    def clear(self) -> None:
        """Remove every fault: the proxy forwards everything untouched."""
        self.socket_faults.clear()

    # -- serving --------------------------------------------------------------------------

    async def start(self) -> TcpFaultProxy:
        """Start listening; `url` is known once this returns."""
        self._server = await asyncio.start_server(self._accept, self.host, self.port)
        self.port = self._server.sockets[0].getsockname()[1]
        self.socket_faults.proxy_url = self.url
        return self

    async def stop(self) -> None:
        """Stop listening and drop open connections."""
        if self._server is not None:
            self.socket_faults.proxy_url = None
            self._server.close()
            await self._server.wait_closed()
            self._server = None
        for task in list(self._connections):
            task.cancel()
        await asyncio.gather(*self._connections, return_exceptions=True)

    async def __aenter__(self) -> TcpFaultProxy:
        return await self.start()

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._connections.add(task)
        upstream: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None
        try:
            while True:
                try:
                    request = HttpHead.parse(await reader.readuntil(b"\r\n\r\n"))
                except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
                    return
                if request.chunked:
                    return  # unsupported; dropping the connection beats forwarding a body we cannot frame
                body = await reader.readexactly(request.content_length or 0)
                method, target = [*request.first_line.split(" "), "", ""][:2]
                fault = self.socket_faults.firing(method, urlsplit(target).path)
                if upstream is None:
                    upstream = await asyncio.open_connection(self.upstream_host, self.upstream_port)
                up_reader, up_writer = upstream
                head = request.raw if fault is None else request.with_header(NETWORK_FAULT_HEADER, fault.kind)
                up_writer.write(head + body)
                await up_writer.drain()
                response = HttpHead.parse(await up_reader.readuntil(b"\r\n\r\n"))
                response_body, ran_to_end = await read_body(up_reader, response, request_method=method)
                if fault is not None and fault.kind == "reset_before_response":
                    reset(writer)
                    return
                if fault is not None:
                    kept = response_body[: min(fault.cut_after, max(len(response_body) - 1, 0))]
                    writer.write(response.raw + kept)
                    await writer.drain()
                    return
                writer.write(response.raw + response_body)
                await writer.drain()
                if ran_to_end or response.closes or request.closes:
                    return
        except (ConnectionError, asyncio.IncompleteReadError):
            return
        finally:
            self._connections.discard(task)
            for stream in (writer, None if upstream is None else upstream[1]):
                if stream is not None and not stream.transport.is_closing():
                    stream.close()
                    with contextlib.suppress(ConnectionError):
                        await stream.wait_closed()


class BackgroundFaultProxy:
    """A `TcpFaultProxy` on its own event loop in a daemon thread, for synchronous callers (as `BackgroundServer`)."""

    def __init__(self, proxy: TcpFaultProxy) -> None:
        self.proxy = proxy
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._started = threading.Event()
        self._error: BaseException | None = None

    @property
    def url(self) -> str:
        """Where the proxy listens (known once `start` returns)."""
        return self.proxy.url

    def start(self, timeout: float = 10.0) -> BackgroundFaultProxy:
        """Listen and serve in the thread; raise if it could not listen within `timeout` s."""
        self._thread = threading.Thread(
            target=lambda: asyncio.run(self._serve()), name="cwmock-fault-proxy", daemon=True
        )
        self._thread.start()
        if not self._started.wait(timeout):
            raise RuntimeError(f"the fault proxy did not start within {timeout} s")
        if self._error is not None:
            raise RuntimeError(f"the fault proxy cannot listen on {self.proxy.host}:{self.proxy.port}: {self._error}")
        return self

    def stop(self, timeout: float = 10.0) -> None:
        """Stop listening, drop open connections, and join the thread."""
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        if self._thread is not None:
            self._thread.join(timeout)
        self._thread = None

    async def _serve(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        try:
            await self.proxy.start()
        except OSError as exc:
            self._error = exc
            self._started.set()
            return
        self._started.set()
        try:
            await self._stop.wait()
        finally:
            await self.proxy.stop()
