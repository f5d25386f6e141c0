"""Fixtures shared by the emulator's tests."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from cwmock.emulator.app import Emulator
from cwmock.emulator.faults.tcp_proxy import TcpFaultProxy
from cwmock.emulator.http.server import BackgroundServer
from cwmock.testing.plugin import native_headers

NATIVE = native_headers("cwmock", "cwmock-public", "cwmock-private")


@pytest.fixture
async def client(emulator: Emulator) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the test module's own `emulator` fixture, in-process and without default headers."""
    transport = httpx.ASGITransport(app=emulator.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://cw.test") as client:
        yield client


@pytest.fixture
def served(emulator: Emulator) -> Iterator[BackgroundServer]:
    """The test module's own `emulator`, served on a real loopback socket."""
    with BackgroundServer(emulator.app) as server:
        yield server


@pytest.fixture
async def fault_proxy(emulator: Emulator, served: BackgroundServer) -> AsyncIterator[TcpFaultProxy]:
    """The TCP fault proxy in front of `served`, firing the emulator's own socket faults."""
    async with TcpFaultProxy(served.host, served.port, faults=emulator.socket_faults) as proxy:
        yield proxy


@pytest.fixture
async def proxied_client(fault_proxy: TcpFaultProxy) -> AsyncIterator[httpx.AsyncClient]:
    """A native API client whose requests go through `fault_proxy`."""
    async with httpx.AsyncClient(base_url=fault_proxy.url, headers=NATIVE, timeout=5) as client:
        yield client
