"""Plugin fixtures for users' own suites: the clock, the reference poller, host routing and a pinned wall clock."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

# Imported by the fixtures that use them (cwmock.testing.plugin says why).
if TYPE_CHECKING:
    import ssl

    from cwmock.contract_tests.harness.reference_adapter import ReferencePoller
    from cwmock.core.clock import ManualClock
    from cwmock.emulator.app import Emulator
    from cwmock.testing.host_routing import HostRouter
    from cwmock.testing.wall_clock import WallFactory

__all__ = ["cwmock_clock", "cwmock_frozen_wall", "cwmock_hosts", "cwmock_reference_poller", "cwmock_route_hosts"]


@pytest.fixture
def cwmock_clock(cwmock_emulator: Emulator) -> ManualClock:
    """The `ManualClock` of `cwmock_emulator` (frozen at 2026-01-01T00:00:00Z until the test moves it)."""
    from cwmock.core.clock import ManualClock

    clock = cwmock_emulator.clock
    assert isinstance(clock, ManualClock), "cwmock_emulator runs on a ManualClock"
    return clock


@pytest.fixture
def cwmock_reference_poller(cwmock_reference_ssl_context: ssl.SSLContext) -> ReferencePoller:
    """cwmock's reference poller as an in-process `PollerTarget` (whatever `--poller-cmd` says)."""
    from cwmock.contract_tests.harness.reference_adapter import ReferencePoller

    return ReferencePoller(ssl_context=cwmock_reference_ssl_context)


@pytest.fixture
def cwmock_hosts() -> tuple[str, ...]:
    """Host patterns `cwmock_route_hosts` routes; override this fixture to route your own."""
    from cwmock.testing.host_routing import DEFAULT_HOSTS

    return DEFAULT_HOSTS


@pytest.fixture
def cwmock_route_hosts(cwmock_emulator: Emulator, cwmock_hosts: tuple[str, ...]) -> Iterator[HostRouter]:
    """httpx calls to ConnectWise / Open Connectors hosts go into `cwmock_emulator`; other non-loopback hosts fail.

    Native API paths under any codebase are served (as the emulator's own codebase).
    """
    from cwmock.testing.host_routing import HostRouter

    router = HostRouter(cwmock_emulator.app, cwmock_hosts, codebase=cwmock_emulator.config.codebase)
    with router.mocking():
        yield router


@pytest.fixture
def cwmock_frozen_wall(cwmock_clock: ManualClock) -> Iterator[WallFactory]:
    """The wall clock (`datetime.now()`, `time.time()`, ...) pinned to `cwmock_clock` and following it."""
    from cwmock.testing.wall_clock import pinned_wall_clock

    with pinned_wall_clock(cwmock_clock) as factory:
        yield factory
