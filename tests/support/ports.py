"""Free loopback ports for tests that start real servers."""

from __future__ import annotations

import random
import socket
from contextlib import ExitStack, closing
from pathlib import Path

# Ports are chosen from here up to the kernel's ephemeral range. A port taken from that range (bind to 0, release)
# could be handed again, before the test's server bound it, to another worker's server on port 0 or to any outgoing
# connection's local end: with six workers a stack fixture failed that way ("address already in use" on 37581).
LOWEST_PORT = 10_000
# Linux's default, where /proc does not say.
DEFAULT_EPHEMERAL = (32_768, 60_999)


def free_port() -> int:
    """A port nothing listens on right now (see `free_ports`)."""
    (port,) = free_ports(1)
    return port


def free_ports(count: int) -> tuple[int, ...]:
    """`count` distinct ports nothing listens on right now, below the kernel's ephemeral range, so that no server on
    port 0 and no outgoing connection is given one of them before the test binds it."""
    first_ephemeral = ephemeral_range()[0]
    choices = random.sample(range(LOWEST_PORT, first_ephemeral), min(first_ephemeral - LOWEST_PORT, 200 + count))
    # Every socket stays bound until all are chosen: releasing each before binding the next could give the same
    # port out twice (`--port 33287 --receiver-port 33287`, "address already in use").
    with ExitStack() as stack:
        ports: list[int] = []
        for port in choices:
            sock = stack.enter_context(closing(socket.socket()))
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:  # in use: try the next
                continue
            ports.append(port)
            if len(ports) == count:
                return tuple(ports)
    raise RuntimeError(f"no {count} free loopback ports between {LOWEST_PORT} and {first_ephemeral}")


def ephemeral_range() -> tuple[int, int]:
    """The kernel's range for port 0 and for outgoing connections (`net.ipv4.ip_local_port_range`)."""
    try:
        low, high = Path("/proc/sys/net/ipv4/ip_local_port_range").read_text(encoding="ascii").split()
    except (OSError, ValueError):
        return DEFAULT_EPHEMERAL
    return int(low), int(high)
