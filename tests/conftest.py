"""Fixtures shared across cwmock's own tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from cwmock.receiver.inbox import Receiver
from cwmock.receiver.server import ReceiverServer, serve_receiver
from cwmock.testing.plugin import LiveEmulator


@pytest.fixture
def anyio_backend() -> str:
    """Async tests run on asyncio (the stack's one event loop)."""
    return "asyncio"


@pytest.fixture
def receiver_server(cwmock_live: LiveEmulator) -> Iterator[ReceiverServer]:
    """A receiver served on a real socket for this test, on the served emulator's clock."""
    with serve_receiver(Receiver(cwmock_live.emulator.clock)) as server:
        yield server
