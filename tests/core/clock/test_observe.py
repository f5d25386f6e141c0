"""`ManualClock.observe`: observers hear every move, in order, before anything due at the new instant runs."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone

import pytest

from cwmock.core.clock import ManualClock

T0 = datetime(2024, 3, 1, 12, 0, tzinfo=timezone.utc)
MIN = timedelta(minutes=1)


def test_set_and_elapse_are_observed_and_no_move_is_not() -> None:
    clock = ManualClock(T0)
    seen: list[datetime] = []
    clock.observe(seen.append)
    clock.set(T0)
    clock.set(T0 + MIN)
    clock.elapse(30)
    clock.set(T0, allow_backwards=True)
    clock.freeze()
    assert seen == [T0 + MIN, T0 + MIN + timedelta(seconds=30), T0]


def test_stop_ends_the_observing_and_other_observers_keep_hearing() -> None:
    clock = ManualClock(T0)
    first: list[datetime] = []
    second: list[datetime] = []
    stop = clock.observe(first.append)
    clock.observe(second.append)
    clock.set(T0 + MIN)
    stop()
    stop()  # stopping twice is harmless
    clock.set(T0 + 2 * MIN)
    assert first == [T0 + MIN]
    assert second == [T0 + MIN, T0 + 2 * MIN]


@pytest.mark.anyio
async def test_each_advance_step_is_observed_before_the_sleeper_due_there_runs() -> None:
    clock = ManualClock(T0)
    observed: list[datetime] = []
    woke_after: list[datetime] = []
    clock.observe(observed.append)

    async def sleeper(deadline: datetime) -> None:
        await clock.sleep_until(deadline)
        woke_after.append(observed[-1])  # what the observer last heard when this sleeper ran

    tasks = [asyncio.create_task(sleeper(T0 + n * MIN)) for n in (1, 2)]
    await asyncio.sleep(0)
    result = await clock.advance(180)
    await asyncio.gather(*tasks)
    assert result.steps == (T0 + MIN, T0 + 2 * MIN)
    assert observed == [T0 + MIN, T0 + 2 * MIN, T0 + 3 * MIN]
    assert woke_after == [T0 + MIN, T0 + 2 * MIN]


@pytest.mark.anyio
async def test_follow_wall_jumps_are_observed() -> None:
    clock = ManualClock(T0)
    seen: list[datetime] = []
    clock.observe(seen.append)
    clock.follow_wall(offset=timedelta(days=365 * 100))
    try:
        assert len(seen) == 1
        assert seen[0] > T0 + timedelta(days=365 * 50)
    finally:
        clock.freeze()
        clock.close()
