"""Serve a receiver on a real socket: uvicorn in a background thread, a readiness signal, a clean stop."""

from __future__ import annotations

from types import TracebackType

from cwmock.core.clock import SystemClock
from cwmock.emulator.http.server import BackgroundServer
from cwmock.receiver.app import create_receiver_app
from cwmock.receiver.inbox import Receiver


class ReceiverServer:
    """A receiver listening on `url` from a background thread; use as a context manager or call `stop()`.

    It runs on the emulator's `BackgroundServer` (same uvicorn settings: no wall-clock `Date`, TCP_NODELAY).
    """

    def __init__(self, receiver: Receiver, host: str, port: int) -> None:
        self.receiver = receiver
        self.host = host
        self._server = BackgroundServer(create_receiver_app(receiver), host=host, port=port)

    @property
    def port(self) -> int:
        """The port it listens on (known once started)."""
        return self._server.port

    @property
    def url(self) -> str:
        """The base URL to give a sender, e.g. as `event.notification.callback.url`."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def start(self, timeout: float = 10.0) -> ReceiverServer:
        """Start serving and wait until the socket listens; raise if it could not start within `timeout` s."""
        try:
            self._server.start(timeout)
        except OSError as exc:
            raise RuntimeError(
                f"the receiver could not listen on {self.host}:{self._server.port} ({exc}); "
                "is the port in use? pass port=0 for a free one"
            ) from exc
        return self

    def wait_idle(self, timeout: float = 10.0) -> None:
        """Wait until no connection is open and no request is in progress, so that what a sender sent before it
        stopped (or was killed) is recorded, or was dropped unread, before `receiver.arrivals()` is read."""
        self._server.wait_idle(timeout)

    def stop(self, timeout: float = 10.0) -> None:
        """Stop serving and join the thread."""
        self._server.stop(timeout)

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
