"""A free loopback port for tests that start real servers."""

from __future__ import annotations

import socket
from contextlib import closing


def free_port() -> int:
    """A port nothing listens on right now (bind to 0, read it back, release it)."""
    with closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port
