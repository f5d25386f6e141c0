"""The pytest plugin and the helpers users put in their own suites."""

from cwmock.testing.host_routing import DEFAULT_HOSTS, HostRouter
from cwmock.testing.transport_faults import TransportFaults
from cwmock.testing.wall_clock import pinned_wall_clock

__all__ = [
    "DEFAULT_HOSTS",
    "HostRouter",
    "TransportFaults",
    "pinned_wall_clock",
]
