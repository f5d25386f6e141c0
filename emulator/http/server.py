"""Serving an ASGI app over a real socket with uvicorn: in the foreground, or for tests in a thread or on the
caller's own event loop."""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import uvicorn
from starlette.types import ASGIApp

from cwmock.emulator.http.draining import Draining, draining_of
from cwmock.emulator.http.tls import TlsMaterial

LOOPBACK = "127.0.0.1"
# On Ctrl-C or SIGTERM, requests still open (a long-poll, a scripted receiver delay, real latency) get this long
# to finish; then they are cancelled, so a stop never waits on one (our choice: docs/limits.md#shutdown).
SHUTDOWN_GRACE_SECONDS = 1.0


def is_loopback(host: str) -> bool:
    """True for `localhost` and loopback addresses (127.0.0.0/8, ::1); False for anything reachable from elsewhere."""
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip().strip("[]")).is_loopback
    except ValueError:
        return False  # a host name other than localhost may resolve anywhere


def uvicorn_config(
    app: ASGIApp, host: str, port: int, tls: TlsMaterial | None = None, **options: object
) -> uvicorn.Config:
    """uvicorn settings for cwmock: no `Date` or `Server` header of its own (the clock sets `Date`); `tls` → HTTPS."""

    def config(**extra: object) -> uvicorn.Config:
        settings: dict[str, Any] = {
            "date_header": False,
            "server_header": False,
            "log_level": "warning",
            "lifespan": "off",
            "timeout_graceful_shutdown": SHUTDOWN_GRACE_SECONDS,
            **extra,
            **options,
        }
        return uvicorn.Config(app, host=host, port=port, **settings)

    if tls is None:
        return config()
    with tls.server_pem_file() as pem:
        loaded = config(ssl_certfile=pem)
        # Loading builds the SSL context now, so the private key file is gone before the server runs.
        loaded.load()
    return loaded


class Server(uvicorn.Server):
    """A uvicorn server that, as it begins to stop, tells its app (`Draining`) so open requests answer at once."""

    def __init__(self, config: uvicorn.Config, on_started: Callable[[], None] | None = None) -> None:
        super().__init__(config)
        self.draining: Draining | None = draining_of(config.app)
        self.on_started = on_started

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        if self.draining is not None:
            self.draining.clear()
        await super().startup(sockets)
        if self.started and self.on_started is not None:
            self.on_started()

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        if self.draining is not None:
            self.draining.set()
        await super().shutdown(sockets)


def make_server(
    app: ASGIApp, host: str = LOOPBACK, port: int = 8000, tls: TlsMaterial | None = None, **options: object
) -> Server:
    """A `Server` for `app` with cwmock's uvicorn settings (see `uvicorn_config`)."""
    return Server(uvicorn_config(app, host, port, tls, **options))


def serve(
    app: ASGIApp,
    host: str = LOOPBACK,
    port: int = 8000,
    tls: TlsMaterial | None = None,
    on_started: Callable[[], None] | None = None,
    **options: object,
) -> None:
    """Run `app` until interrupted (over HTTPS with `tls`); Ctrl-C (or SIGTERM) stops cleanly and promptly.

    `on_started` runs once the server accepts connections (so a banner printed there never precedes the socket).
    """
    server = make_server(app, host, port, tls, **options)
    server.on_started = on_started
    # uvicorn re-raises the signal it captured once it has shut down; that is a clean stop for us.
    with contextlib.suppress(KeyboardInterrupt):
        server.run()


def _wait_until(done: Callable[[], bool], timeout: float) -> bool:
    """Whether `done()` holds within `timeout` s, asked every 10 ms."""
    poll = threading.Event()  # never set: used only to wait without sleeping the interpreter
    for _ in range(int(timeout / 0.01)):
        if done():
            return True
        poll.wait(0.01)
    return done()


def _listening_socket(host: str, port: int) -> socket.socket:
    """A TCP socket bound to host:port (port 0: a free one), for uvicorn to listen on."""
    # IPPROTO_TCP explicitly: asyncio sets TCP_NODELAY only on sockets whose proto says TCP, and without it
    # every keep-alive request waits ~40 ms (Nagle against delayed ACK).
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    return sock


@dataclass
class _ServedApp:
    """An app to serve on host:port (port 0: a free one, known once started); with `tls`, over HTTPS."""

    app: ASGIApp
    host: str = LOOPBACK
    port: int = 0
    scheme: str = "http"
    tls: TlsMaterial | None = None

    def __post_init__(self) -> None:
        if self.tls is not None:
            self.scheme = "https"
        self._server: Server | None = None

    @property
    def url(self) -> str:
        """Base URL of the running server."""
        return f"{self.scheme}://{self.host}:{self.port}"

    def busy(self) -> tuple[int, int]:
        """How many connections are open and how many requests are being answered ((0, 0) when not serving)."""
        if self._server is None:
            return 0, 0
        state = self._server.server_state  # sets that the serving loop changes: only their sizes are read here
        return len(state.connections), len(state.tasks)

    def _still_busy(self, timeout: float) -> TimeoutError:
        connections, requests = self.busy()
        return TimeoutError(
            f"the server on {self.url} still had {connections} connection(s) open and {requests} request(s) in "
            f"progress after {timeout} s"
        )

    def _bind(self) -> socket.socket:
        sock = _listening_socket(self.host, self.port)
        self.port = sock.getsockname()[1]
        return sock


@dataclass
class BackgroundServer(_ServedApp):
    """A uvicorn server on a free port in a daemon thread; `url` is known once `start()` returns.

    With `tls` it serves HTTPS (`url` starts with `https://`) with that material's server certificate.
    """

    def __post_init__(self) -> None:
        super().__post_init__()
        self._thread: threading.Thread | None = None

    def start(self, timeout: float = 10.0, **options: object) -> BackgroundServer:
        """Bind, start serving in a thread, and wait until the server accepts connections."""
        sock = self._bind()
        server = make_server(self.app, self.host, self.port, self.tls, **options)
        self._server = server
        self._thread = threading.Thread(
            target=lambda: asyncio.run(server.serve(sockets=[sock])),
            name=f"cwmock-server-{self.port}",
            daemon=True,
        )
        thread = self._thread
        thread.start()
        _wait_until(lambda: server.started or not thread.is_alive(), timeout)
        if not server.started:
            self.stop()
            sock.close()  # never served: uvicorn did not take it
            raise RuntimeError(f"the server on {self.url} did not start within {timeout} s")
        return self

    def wait_idle(self, timeout: float = 10.0) -> None:
        """Wait until no connection is open and no request is in progress: every request a sender sent before it
        stopped, or was killed, has been answered or dropped; TimeoutError after `timeout` s, saying what is open."""
        if not _wait_until(lambda: self.busy() == (0, 0), timeout):
            raise self._still_busy(timeout)

    def stop(self, timeout: float = 10.0) -> None:
        """Ask the server to exit and wait for its thread."""
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout)
        self._server = None
        self._thread = None

    def __enter__(self) -> BackgroundServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


class _OnCallersLoop(Server):
    """A `Server` that leaves signal handling to the loop's owner: Ctrl-C interrupts the caller, as it would
    without the server (uvicorn's own `serve` turns it into a request to stop serving, raised again at exit)."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


@dataclass
class LoopServer(_ServedApp):
    """A uvicorn server on a free port, served by the running event loop instead of a thread; `url` is known once
    `start()` returns. `async with LoopServer(app) as server:` serves for the block.

    For async code whose client runs on the same loop, such as an in-process poller with the emulator and a
    receiver: each request is answered between the caller's own awaits, with no hand-over of the interpreter lock
    between threads (the same in-process burst took 12-25% less CPU this way, docs/benchmarks.md#one-loop).
    Nothing may block the loop while it serves: a synchronous request to the server from the loop's own thread
    would wait for ever. From synchronous code, use `BackgroundServer`.
    """

    def __post_init__(self) -> None:
        super().__post_init__()
        self._task: asyncio.Task[None] | None = None

    async def start(self, timeout: float = 10.0, **options: object) -> LoopServer:
        """Bind, start serving on the running loop, and return once the server accepts connections."""
        sock = self._bind()
        started = asyncio.Event()
        server = _OnCallersLoop(uvicorn_config(self.app, self.host, self.port, self.tls, **options), started.set)
        self._server = server
        self._task = asyncio.ensure_future(server.serve(sockets=[sock]))
        waiting = asyncio.ensure_future(started.wait())
        try:
            await asyncio.wait({self._task, waiting}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        except BaseException:  # cancelled while starting: nothing is left serving, and the port is released
            self._task.cancel()
            sock.close()
            raise
        finally:
            waiting.cancel()
        if not server.started:
            try:
                await self.stop()  # raises what stopped the server, if anything did
            finally:
                sock.close()  # never served: uvicorn did not take it
            raise RuntimeError(f"the server on {self.url} did not start within {timeout} s")
        return self

    async def wait_idle(self, timeout: float = 10.0) -> None:
        """`BackgroundServer.wait_idle`, awaited: the loop serves while it waits (every 10 ms it looks again)."""
        deadline = asyncio.get_running_loop().time() + timeout
        while self.busy() != (0, 0):
            if asyncio.get_running_loop().time() >= deadline:
                raise self._still_busy(timeout)
            await asyncio.sleep(0.01)

    async def stop(self, timeout: float = 10.0) -> None:
        """Ask the server to exit and wait for it; after `timeout` s it is cancelled."""
        if self._server is not None:
            self._server.should_exit = True
        task, self._task, self._server = self._task, None, None
        if task is None:
            return
        await asyncio.wait({task}, timeout=timeout)
        if not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        elif not task.cancelled() and (error := task.exception()) is not None:
            raise error

    async def __aenter__(self) -> LoopServer:
        return await self.start()

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()
