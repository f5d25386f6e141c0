"""The emulated clock never leaves the years it can represent, whatever it is asked or however long it follows."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from cwmock.core.clock import ClockArgumentError, ManualClock
from cwmock.core.validation import CLOCK_LATEST, MAX_SPEED

T0 = datetime(2026, 1, 1, tzinfo=timezone.utc)


def test_following_at_the_highest_speed_for_ages_stops_at_the_clocks_last_instant() -> None:
    wall = ManualClock(T0)
    clock = ManualClock(T0, wall=wall)
    clock.follow_wall(speed=MAX_SPEED)
    wall.set(T0 + timedelta(days=365 * 100))  # a century of wall time at a million times speed
    assert clock.now() == CLOCK_LATEST
    assert clock.status().to_json()["now"] == "9799-12-31T23:59:59Z"
    clock.freeze()
    assert clock.now() == CLOCK_LATEST


@pytest.mark.parametrize("speed", [1e12, 1e-300, float("nan")])
def test_a_speed_out_of_bounds_is_refused(speed: float) -> None:
    with pytest.raises(ClockArgumentError, match="speed"):
        ManualClock(T0).follow_wall(speed=speed)


def test_moves_past_the_clocks_range_are_refused() -> None:
    clock = ManualClock(T0)
    with pytest.raises(ClockArgumentError, match="9799-12-31T23:59:59Z"):
        clock.set(datetime(9999, 1, 1, tzinfo=timezone.utc))
    with pytest.raises(ClockArgumentError, match="0201-01-01T00:00:00Z"):
        clock.set(datetime(1, 1, 1, tzinfo=timezone.utc), allow_backwards=True)
    with pytest.raises(ClockArgumentError, match="seconds"):
        clock.elapse(1e308)
    with pytest.raises(ClockArgumentError):
        ManualClock(datetime(9999, 1, 1, tzinfo=timezone.utc))
    assert clock.now() == T0


@pytest.mark.anyio
async def test_advancing_past_the_range_is_refused() -> None:
    clock = ManualClock(T0)
    with pytest.raises(ClockArgumentError, match="seconds"):
        await clock.advance(1e308)
    with pytest.raises(ClockArgumentError, match="9799"):
        await clock.advance(to=datetime(9999, 1, 1, tzinfo=timezone.utc))
    assert clock.now() == T0


def test_emulated_latency_near_the_end_holds_the_clock_there() -> None:
    clock = ManualClock(CLOCK_LATEST - timedelta(seconds=5))
    clock.elapse(60)
    assert clock.now() == CLOCK_LATEST
