"""The one fault registry: numbered faults with scopes, and which of them fire on a request.

The emulator's HTTP faults (`kinds.HttpFaults`), the TCP fault proxy and in-process transport faults all list their
faults here, so ids, scope counters, seeded probability and the firing rule are decided once; each transport applies
what fired in its own way.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime
from typing import Generic, Protocol, TypeVar

from cwmock.emulator.faults.scope import FaultScope


class Listed(Protocol):
    """A fault a registry can hold: its id and its scope (None for one that hits no request, e.g. a stamp policy)."""

    @property
    def id(self) -> int:
        """The fault's number."""
        ...

    @property
    def scope(self) -> FaultScope | None:
        """Which requests it hits."""
        ...


F = TypeVar("F", bound=Listed)


def _always(fault: object) -> bool:
    return True


class FaultRegistry(Generic[F]):
    """Numbered faults in the order they were added, safe to change from any thread."""

    def __init__(self) -> None:
        self._faults: dict[int, F] = {}
        self._next_id = 1
        self._lock = threading.Lock()

    def add(self, make: Callable[[int], F]) -> F:
        """Build a fault with the next id (`make(id)`) and list it."""
        with self._lock:
            fault = make(self._next_id)
            self._next_id += 1
            self._faults[fault.id] = fault
        return fault

    def all(self) -> list[F]:
        """Every fault, oldest first."""
        with self._lock:
            return list(self._faults.values())

    def get(self, fault_id: int) -> F:
        """One fault by id (KeyError if there is no such id)."""
        with self._lock:
            return self._faults[fault_id]

    def remove(self, fault_id: int) -> None:
        """Remove one fault (KeyError if there is no such id)."""
        with self._lock:
            del self._faults[fault_id]

    def clear(self) -> None:
        """Remove every fault."""
        with self._lock:
            self._faults.clear()

    def firing(
        self, method: str, path: str, *, now: datetime | None = None, exclusive: Callable[[F], bool] = _always
    ) -> list[F]:
        """The faults that fire on a request served at emulated `now`, oldest first; each asked in scope counts it.

        At most one `exclusive` fault fires (by default every fault is: one that replaces or breaks the response);
        once one has, later exclusive faults are not asked, so they count nothing. The others all fire.
        """
        fired: list[F] = []
        answered = False
        with self._lock:
            for fault in self._faults.values():
                scope = fault.scope
                if scope is None or not scope.matches(method, path, now):
                    continue
                alone = exclusive(fault)
                if alone and answered:
                    continue
                if scope.hit():
                    fired.append(fault)
                    answered = answered or alone
        return fired

    def first_firing(self, method: str, path: str, now: datetime | None = None) -> F | None:
        """The one fault that fires on this request, if any, every fault being exclusive (TCP and transport faults)."""
        fired = self.firing(method, path, now=now)
        return fired[0] if fired else None
