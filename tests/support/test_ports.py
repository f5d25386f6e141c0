"""Free ports for tests come from below the kernel's ephemeral range, bindable and distinct."""

from __future__ import annotations

import socket
from contextlib import ExitStack, closing

from support.ports import LOWEST_PORT, ephemeral_range, free_ports


def test_free_ports_are_distinct_bindable_and_below_the_ephemeral_range() -> None:
    first_ephemeral = ephemeral_range()[0]
    ports = free_ports(3)
    assert len(set(ports)) == 3
    assert all(LOWEST_PORT <= port < first_ephemeral for port in ports), ports
    with ExitStack() as stack:
        for port in ports:
            stack.enter_context(closing(socket.socket())).bind(("127.0.0.1", port))


def test_a_port_in_use_is_never_handed_out() -> None:
    with ExitStack() as stack:
        held = [stack.enter_context(closing(socket.socket())) for _ in range(50)]
        for sock, port in zip(held, free_ports(50), strict=True):
            sock.bind(("127.0.0.1", port))
            sock.listen()
        taken = {sock.getsockname()[1] for sock in held}
        assert not taken & set(free_ports(50)), "a port that is listened on was chosen"


def test_the_kernels_range_is_read_where_linux_publishes_it() -> None:
    low, high = ephemeral_range()
    assert 0 < low < high <= 65_535
