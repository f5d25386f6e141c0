"""The pytest plugin and the helpers users put in their own suites."""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

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
    "DEFAULT_HOSTS": "host_routing",
    "HostRouter": "host_routing",
    "TransportFaults": "transport_faults",
    "pinned_wall_clock": "wall_clock",
}


def __getattr__(name: str) -> Any:
    """A name of `__all__`, from its module."""
    if name not in _MODULES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f"{__name__}.{_MODULES[name]}"), name)
