"""Serve a receiver on a real socket: uvicorn in a background thread, a readiness signal, a clean stop."""

from __future__ import annotations

import socket
import threading
from types import TracebackType

import uvicorn

from cwmock.emulator.clock import SystemClock

from .receiver import Receiver
from .receiver_app import create_receiver_app


class _SignallingServer(uvicorn.Server):
    """A uvicorn server that sets `ready` once it listens (or has failed to start)."""

    def __init__(self, config: uvicorn.Config, ready: threading.Event) -> None:
        super().__init__(config)
        self._ready = ready

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        try:
            await super().startup(sockets=sockets)
        finally:
            self._ready.set()


class ReceiverServer:
    """A receiver listening on `url` from a background thread; use as a context manager or call `stop()`."""

    def __init__(self, receiver: Receiver, host: str, port: int, *, graceful_shutdown: int = 2) -> None:
        self.receiver = receiver
        self.host = host
        self._requested_port = port
        self._ready = threading.Event()
        config = uvicorn.Config(
            create_receiver_app(receiver),
            host=host,
            port=port,
            log_config=None,  # leave the test process's logging alone
            log_level="warning",
            access_log=False,
            lifespan="off",
            ws="none",
            timeout_graceful_shutdown=graceful_shutdown,
        )
        self._server = _SignallingServer(config, self._ready)
        self._thread = threading.Thread(target=self._run, name=f"cwmock-receiver-{host}:{port}", daemon=True)
        self._failure: BaseException | None = None
        self.port = 0

    def _run(self) -> None:
        try:
            self._server.run()
        except BaseException as exc:  # SystemExit from a failed bind included: the starter must see it.
            self._failure = exc
        finally:
            self._ready.set()

    @property
    def url(self) -> str:
        """The base URL to give a sender, e.g. as `event.notification.callback.url`."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def start(self, timeout: float = 10.0) -> ReceiverServer:
        """Start serving and wait until the socket listens; raise if it could not start within `timeout` s."""
        self._thread.start()
        if not self._ready.wait(timeout):
            self.stop()
            raise RuntimeError(f"the receiver did not start listening on {self.host} within {timeout} s")
        if not self._server.started:
            self._thread.join(timeout)
            raise RuntimeError(
                f"the receiver could not listen on {self.host}:{self._requested_port} "
                f"({self._failure!r}); is the port in use? pass port=0 for a free one"
            ) from self._failure
        self.port = self._server.servers[0].sockets[0].getsockname()[1]
        return self

    def stop(self, timeout: float = 10.0) -> None:
        """Stop serving and join the thread (open requests get the graceful-shutdown time, then are cut)."""
        self._server.should_exit = True
        if self._thread.is_alive():
            self._thread.join(timeout)
        if self._thread.is_alive():
            self._server.force_exit = True
            self._thread.join(timeout)
        if self._thread.is_alive():
            raise RuntimeError(f"the receiver thread did not stop within {2 * timeout} s")

    def __enter__(self) -> ReceiverServer:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


def serve_receiver(
    receiver: Receiver | None = None,
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    startup_timeout: float = 10.0,
) -> ReceiverServer:
    """Start `receiver` (a fresh one on wall time if None) on host:port; port 0 picks a free port.

    Returns the running server, already listening: `server.url`, `server.port`, `server.receiver`.
    Use it as `with serve_receiver() as server: ...` to stop it at the end.
    """
    chosen = receiver if receiver is not None else Receiver(SystemClock())
    return ReceiverServer(chosen, host, port).start(startup_timeout)
