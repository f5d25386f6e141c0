"""The cwmock pytest plugin (registered under `pytest11`): every fixture and option cwmock offers.

Fixtures:
- `cwmock_emulator`: a fresh in-process emulator (own store, `ManualClock` at 2026-01-01T00:00:00Z).
- `cwmock_headers`: native-API headers (Basic auth + clientId) for the default tenant `cwmock`.
- `cwmock_client`: an `httpx.AsyncClient` on `cwmock_emulator` through `ASGITransport`, sending
  `cwmock_headers` (an async fixture: use it from `@pytest.mark.anyio` tests).
- `cwmock_server`: one emulator served over a real socket per test session (so one per xdist worker).
- `cwmock_live`: `cwmock_server`, reset before the test: empty tenants, no faults, the clock back at its start.
- `cwmock_transport_faults`: a `TransportFaults` on `cwmock_emulator`: httpx (async) calls to http://cwmock.test go
  into it through respx, and `add("connect_error" | "read_timeout" | "remote_protocol_error", path=..., times=...)`
  makes chosen calls fail like a network would.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import datetime

import httpx
import pytest

from cwmock.emulator.app import DEFAULT_START, Emulator, create_emulator
from cwmock.emulator.clock import ManualClock
from cwmock.emulator.native_auth import basic_authorization
from cwmock.emulator.server import BackgroundServer
from cwmock.emulator.tenants import DEFAULT_TENANTS

from .transport_faults import TransportFaults

CLIENT_ID = "00000000-0000-4000-8000-000000000000"


def native_headers(company: str, public_key: str, private_key: str, client_id: str = CLIENT_ID) -> dict[str, str]:
    """Headers a ConnectWise client sends: Basic API-key auth and a clientId."""
    return {"Authorization": basic_authorization(company, public_key, private_key), "clientId": client_id}


@dataclass
class LiveEmulator:
    """An emulator served on a real socket: its `url`, and the in-process `emulator` behind it."""

    emulator: Emulator
    server: BackgroundServer
    start: datetime

    @property
    def url(self) -> str:
        """Base URL, e.g. `http://127.0.0.1:54321`."""
        return self.server.url

    @property
    def api_url(self) -> str:
        """The native API root, e.g. `http://127.0.0.1:54321/v4_6_release/apis/3.0`."""
        return f"{self.url}/{self.emulator.config.codebase}apis/3.0"

    def reset(self) -> None:
        """Empty every tenant, remove every fault and put the clock back at the start."""
        self.emulator.store.reset()
        self.emulator.faults.clear()
        clock = self.emulator.clock
        assert isinstance(clock, ManualClock), "the live emulator runs on a ManualClock"
        clock.set(self.start, allow_backwards=True)


@pytest.fixture
def cwmock_emulator() -> Emulator:
    """A fresh in-process emulator with its own store and a frozen clock at 2026-01-01T00:00:00Z."""
    return create_emulator(clock=ManualClock(DEFAULT_START))


@pytest.fixture
def cwmock_headers() -> dict[str, str]:
    """Native-API headers for the default tenant `cwmock`."""
    tenant = DEFAULT_TENANTS[0]
    return native_headers(tenant.company, tenant.public_key, tenant.private_key)


@pytest.fixture
async def cwmock_client(cwmock_emulator: Emulator, cwmock_headers: dict[str, str]) -> AsyncIterator[httpx.AsyncClient]:
    """An async client on the in-process emulator, authenticated as tenant `cwmock` (base URL http://cwmock.test)."""
    transport = httpx.ASGITransport(app=cwmock_emulator.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://cwmock.test", headers=cwmock_headers) as client:
        yield client


@pytest.fixture(scope="session")
def cwmock_server() -> Iterator[LiveEmulator]:
    """One emulator over a real socket for the whole session (each xdist worker gets its own)."""
    emulator = create_emulator(clock=ManualClock(DEFAULT_START))
    with BackgroundServer(emulator.app) as server:
        yield LiveEmulator(emulator=emulator, server=server, start=DEFAULT_START)


@pytest.fixture
def cwmock_live(cwmock_server: LiveEmulator) -> LiveEmulator:
    """The session's served emulator, reset for this test (empty tenants, clock at its start)."""
    cwmock_server.reset()
    return cwmock_server


@pytest.fixture
def cwmock_transport_faults(cwmock_emulator: Emulator) -> Iterator[TransportFaults]:
    """httpx calls to http://cwmock.test go into `cwmock_emulator` through respx; add transport faults to it."""
    faults = TransportFaults(cwmock_emulator.app, "http://cwmock.test")
    with faults.mocking():
        yield faults
