"""The socket-fault registry: kinds, byte counts, and timed scopes that need the emulator's clock."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from cwmock.core.clock import ManualClock
from cwmock.emulator.faults.scope import FaultScope
from cwmock.emulator.faults.sockets import SocketFaults
from cwmock.emulator.model.errors import NotFound

START = datetime(2026, 1, 1, tzinfo=timezone.utc)


def test_a_timed_scope_never_matches_without_the_time() -> None:
    scope = FaultScope(starts=START)
    assert not scope.matches("GET", "/x"), "a transport that cannot tell the time must not fire it early"
    assert not scope.matches("GET", "/x", START - timedelta(microseconds=1))
    assert scope.matches("GET", "/x", START)


def test_a_timed_socket_fault_needs_a_clock() -> None:
    with pytest.raises(ValueError, match="needs the emulator's clock"):
        SocketFaults().add("reset_before_response", FaultScope(starts=START))


def test_socket_faults_fire_by_the_clock_they_were_given() -> None:
    clock = ManualClock(START)
    faults = SocketFaults(clock)
    fault = faults.add("cut_body_after", FaultScope(starts=START + timedelta(minutes=5), times=1), cut_after=7)
    assert faults.firing("GET", "/x") is None
    clock.set(START + timedelta(minutes=5))
    assert faults.firing("GET", "/x") is fault
    assert faults.firing("GET", "/x") is None, "times=1"


@pytest.mark.parametrize(
    ("kind", "cut_after", "reason"), [("status", 0, "kind must be one of"), ("cut_body_after", -1, "zero or more")]
)
def test_a_bad_socket_fault_is_refused(kind: str, cut_after: int, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        SocketFaults().add(kind, FaultScope(), cut_after)  # type: ignore[arg-type]


def test_an_unknown_id_is_not_found() -> None:
    with pytest.raises(NotFound):
        SocketFaults().remove(1)
