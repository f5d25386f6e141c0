"""Free loopback ports for tests that start real servers."""

from __future__ import annotations

import socket
from contextlib import ExitStack, closing


def free_port() -> int:
    """A port nothing listens on right now (bind to 0, read it back, release it)."""
    (port,) = free_ports(1)
    return port


def free_ports(count: int) -> tuple[int, ...]:
    """`count` distinct ports nothing listens on right now."""
    # Every socket stays bound until all are chosen: releasing each before binding the next let the kernel hand the
    # same port out twice (`--port 33287 --receiver-port 33287`, "address already in use").
    with ExitStack() as stack:
        sockets = [stack.enter_context(closing(socket.socket())) for _ in range(count)]
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return tuple(int(sock.getsockname()[1]) for sock in sockets)
