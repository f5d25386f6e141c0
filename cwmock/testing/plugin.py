"""The cwmock pytest plugin (registered under `pytest11`): every fixture and option cwmock offers.

Fixtures:
- `cwmock_emulator`: a fresh in-process emulator (own store, `ManualClock` at 2026-01-01T00:00:00Z).
- `cwmock_headers`: native-API headers (Basic auth + clientId) for the default tenant `cwmock`.
- `cwmock_client`: an `httpx.AsyncClient` on `cwmock_emulator` through `ASGITransport`, sending
  `cwmock_headers` (an async fixture: use it from `@pytest.mark.anyio` tests).
- `cwmock_server`: one emulator served over a real socket per test session (so one per xdist worker).
- `cwmock_live`: `cwmock_server`, reset before the test: empty tenants, no instances, no faults, an empty journal,
  the clock back at its start.
- `cwmock_tls_server`: like `cwmock_server` but over HTTPS (certificate for localhost, 127.0.0.1 and ::1 from a
  session CA); its `ca_file` is the CA bundle to trust (e.g. `REQUESTS_CA_BUNDLE`, or `ssl.create_default_context`).
- `cwmock_tls_live`: `cwmock_tls_server`, reset before the test.
- `cwmock_receiver_server` / `cwmock_receiver`: a webhook receiver over a real socket (session) and the same
  receiver emptied per test; anything that failed inside it fails the test.
- `cwmock_poller_target`: the poller under judgement (`--poller-cmd`, else the reference poller).
- `cwmock_reference_ssl_context`: the SSL context the session's in-process reference pollers share (built once).
- `cwmock_instance_body`: the instance JSON registered (the seed's example), `cwmock_harness`: a started harness.
- `cwmock_transport_faults`: a `TransportFaults` on `cwmock_emulator`: httpx (async) calls to http://cwmock.test go
  into it through respx, and `add("connect_error" | "read_timeout" | "remote_protocol_error", path=..., times=...)`
  makes chosen calls fail like a network would.
- `cwmock_clock`: `cwmock_emulator`'s `ManualClock`. `cwmock_reference_poller`: our poller as an in-process
  `PollerTarget`. The oracle is `cwmock.contract_tests.oracle.judge.judge` (`cwmock_harness.judge()` feeds it).
- `cwmock_route_hosts`: httpx calls (async and sync clients) aimed at ConnectWise / Open Connectors hosts
  (`cwmock_hosts`, overridable) go into `cwmock_emulator`; loopback passes; any other host fails (`host_routing`).
- `cwmock_frozen_wall`: `datetime.now()`, `time.time()`... pinned to `cwmock_clock` and moving with it
  (`wall_clock`), for in-process third-party pollers that read the wall clock.

Options: `--poller-cmd "CMD"`, `--judge-policy`, `--poller-timeout S` (see `harness_fixtures`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING

import pytest

from cwmock.core.lazy_exports import lazy_exports

# Every pytest session of an environment where cwmock is installed loads this plugin, most of them never using a
# fixture of it: the emulator, the harness, httpx and respx are imported by the fixtures that use them, so that such
# a session does not pay for them (tests/testing/test_plugin_imports.py).
if TYPE_CHECKING:
    import httpx

    from cwmock.emulator.app import Emulator
    from cwmock.emulator.live import LiveEmulator, TlsLiveEmulator
    from cwmock.emulator.native.auth import CLIENT_ID, native_headers
    from cwmock.testing.transport_faults import TransportFaults


def _frozen_emulator() -> Emulator:
    """A fresh emulator with its own store, on a `ManualClock` frozen at `DEFAULT_START` (2026-01-01T00:00:00Z)."""
    from cwmock.core.clock import ManualClock
    from cwmock.emulator.app import DEFAULT_START, create_emulator

    return create_emulator(clock=ManualClock(DEFAULT_START))


@pytest.fixture
def cwmock_emulator() -> Emulator:
    """A fresh in-process emulator with its own store and a frozen clock at 2026-01-01T00:00:00Z."""
    return _frozen_emulator()


@pytest.fixture
def cwmock_headers() -> dict[str, str]:
    """Native-API headers for the default tenant `cwmock`."""
    from cwmock.emulator.model.tenants import DEFAULT_TENANTS
    from cwmock.emulator.native.auth import native_headers

    tenant = DEFAULT_TENANTS[0]
    return native_headers(tenant.company, tenant.public_key, tenant.private_key)


@pytest.fixture
async def cwmock_client(cwmock_emulator: Emulator, cwmock_headers: dict[str, str]) -> AsyncIterator[httpx.AsyncClient]:
    """An async client on the in-process emulator, authenticated as tenant `cwmock` (base URL http://cwmock.test)."""
    import httpx

    transport = httpx.ASGITransport(app=cwmock_emulator.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://cwmock.test", headers=cwmock_headers) as client:
        yield client


@pytest.fixture(scope="session")
def cwmock_server() -> Iterator[LiveEmulator]:
    """One emulator over a real socket for the whole session (each xdist worker gets its own)."""
    from cwmock.emulator.app import DEFAULT_START
    from cwmock.emulator.http.server import BackgroundServer
    from cwmock.emulator.live import LiveEmulator

    emulator = _frozen_emulator()
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
    from cwmock.testing.transport_faults import TransportFaults

    faults = TransportFaults(cwmock_emulator.app, "http://cwmock.test")
    with faults.mocking():
        yield faults


@pytest.fixture(scope="session")
def cwmock_tls_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TlsLiveEmulator]:
    """One emulator over HTTPS for the whole session, with its CA bundle written to a session temp dir."""
    from cwmock.emulator.app import DEFAULT_START
    from cwmock.emulator.http.server import BackgroundServer
    from cwmock.emulator.http.tls import generate_tls
    from cwmock.emulator.live import TlsLiveEmulator

    tls = generate_tls()
    ca_file = tls.write_ca(tmp_path_factory.mktemp("cwmock-tls") / "cwmock-ca.pem")
    emulator = _frozen_emulator()
    with BackgroundServer(emulator.app, tls=tls) as server:
        yield TlsLiveEmulator(emulator=emulator, server=server, start=DEFAULT_START, ca_file=ca_file)


@pytest.fixture
def cwmock_tls_live(cwmock_tls_server: TlsLiveEmulator) -> TlsLiveEmulator:
    """The session's HTTPS emulator, reset for this test (empty tenants, clock at its start)."""
    cwmock_tls_server.reset()
    return cwmock_tls_server


# Options and fixtures for judging pollers live in their own module; importing them here registers them.
from cwmock.testing.harness_fixtures import (  # noqa: E402
    cwmock_harness,
    cwmock_instance_body,
    cwmock_poller_target,
    cwmock_receiver,
    cwmock_receiver_server,
    cwmock_reference_ssl_context,
    pytest_addoption,
    pytest_configure,
    pytest_runtest_makereport,
)
from cwmock.testing.user_fixtures import *  # noqa: E402, F403 (the clock, reference poller, host routing, pinned wall clock)

__all__ = [
    "CLIENT_ID",
    "LiveEmulator",
    "TlsLiveEmulator",
    "cwmock_client",
    "cwmock_emulator",
    "cwmock_harness",
    "cwmock_headers",
    "cwmock_instance_body",
    "cwmock_live",
    "cwmock_poller_target",
    "cwmock_receiver",
    "cwmock_receiver_server",
    "cwmock_reference_ssl_context",
    "cwmock_server",
    "cwmock_tls_live",
    "cwmock_tls_server",
    "cwmock_transport_faults",
    "native_headers",
    "pytest_addoption",
    "pytest_configure",
    "pytest_runtest_makereport",
]
# Names this module has long offered to tests (`from cwmock.testing.plugin import LiveEmulator`), from their modules
# on first use (PEP 562), as the fixtures import them.
_REEXPORTED = {
    "CLIENT_ID": "cwmock.emulator.native.auth",
    "LiveEmulator": "cwmock.emulator.live",
    "TlsLiveEmulator": "cwmock.emulator.live",
    "native_headers": "cwmock.emulator.native.auth",
}

# Hidden from type checkers, which read the names from the imports above (and refuse any other).
if not TYPE_CHECKING:
    __getattr__ = lazy_exports(__name__, _REEXPORTED)
