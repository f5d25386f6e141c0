"""Socket faults: the faults the TCP fault proxy applies, kept apart from the proxy so the admin API can list them.

An emulator owns one `SocketFaults` (its `/__admin/socket-faults`); a `TcpFaultProxy` serving that emulator reads
it and says where it listens (`proxy_url`), so faults added over HTTP reach every connection through the proxy.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from cwmock.core.clock import Clock
from cwmock.emulator.faults.registry import FaultRegistry
from cwmock.emulator.faults.scope import FaultScope
from cwmock.emulator.model.errors import NotFound

SocketFaultKind = Literal["reset_before_response", "cut_body_after"]
SOCKET_FAULT_KINDS: tuple[SocketFaultKind, ...] = ("reset_before_response", "cut_body_after")


@dataclass
class SocketFault:
    """One socket fault: its id, kind, scope (with counters) and, for `cut_body_after`, how many body bytes pass."""

    id: int
    kind: SocketFaultKind
    scope: FaultScope
    cut_after: int = 0

    def to_json(self) -> dict[str, object]:
        """The fault as a listing shows it."""
        return {
            "id": self.id,
            "kind": self.kind,
            "cutAfter": self.cut_after,
            **self.scope.to_json(),
            "exhausted": self.scope.exhausted,
        }


class SocketFaults:
    """The socket faults of one emulator (or of one stand-alone proxy), timed by `clock` when they have a span."""

    def __init__(self, clock: Clock | None = None) -> None:
        self.clock = clock
        self.proxy_url: str | None = None  # set by the proxy serving these faults while it listens
        self._faults: FaultRegistry[SocketFault] = FaultRegistry()

    def add(self, kind: SocketFaultKind, scope: FaultScope, cut_after: int = 0) -> SocketFault:
        """List a fault of `kind` over `scope` (ValueError for a bad kind, byte count, or a span without a clock)."""
        if kind not in SOCKET_FAULT_KINDS:
            raise ValueError(f"kind must be one of {', '.join(SOCKET_FAULT_KINDS)}, got {kind!r}")
        if cut_after < 0:
            raise ValueError(f"cut_after must be zero or more bytes, got {cut_after}")
        if scope.timed and self.clock is None:
            raise ValueError("a fault with from/until needs the emulator's clock: build the proxy with faults=")
        return self._faults.add(lambda fault_id: SocketFault(fault_id, kind, scope, cut_after))

    def all(self) -> list[SocketFault]:
        """Every fault, oldest first."""
        return self._faults.all()

    def get(self, fault_id: int) -> SocketFault:
        """One fault by id, or NotFound."""
        try:
            return self._faults.get(fault_id)
        except KeyError:
            raise NotFound(f"no socket fault with id {fault_id}; GET /__admin/socket-faults lists them") from None

    def remove(self, fault_id: int) -> None:
        """Remove one fault (NotFound if there is no such id)."""
        self._faults.remove(self.get(fault_id).id)

    def clear(self) -> None:
        """Remove every fault: the proxy forwards everything untouched."""
        self._faults.clear()

    def firing(self, method: str, path: str) -> SocketFault | None:
        """The one fault that fires on this request, if any (counted at the emulator's instant when there is one)."""
        now: datetime | None = self.clock.now() if self.clock is not None else None
        return self._faults.first_firing(method, path, now)
