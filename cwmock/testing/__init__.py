"""The pytest plugin and the helpers users put in their own suites."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cwmock.core.lazy_exports import lazy_exports

if TYPE_CHECKING:
    from cwmock.testing.host_routing import DEFAULT_HOSTS, HostRouter
    from cwmock.testing.transport_faults import TransportFaults
    from cwmock.testing.wall_clock import pinned_wall_clock

__all__ = [
    "DEFAULT_HOSTS",
    "HostRouter",
    "TransportFaults",
    "pinned_wall_clock",
]
# The module each name above comes from, imported on first use (PEP 562): pytest imports this package for the
# plugin in every session of an environment where cwmock is installed (cwmock.testing.plugin says why).
_MODULES = {
    "DEFAULT_HOSTS": ".host_routing",
    "HostRouter": ".host_routing",
    "TransportFaults": ".transport_faults",
    "pinned_wall_clock": ".wall_clock",
}

# Hidden from type checkers, which read the names from the imports above (and refuse any other).
if not TYPE_CHECKING:
    __getattr__ = lazy_exports(__name__, _MODULES)
