"""A toy third-party poller that reads the wall clock sees the emulated clock while it is pinned."""

from __future__ import annotations

import asyncio
import threading
import time
from datetime import date, datetime, timedelta, timezone

import pytest

from cwmock.core.clock import ManualClock
from cwmock.testing.wall_clock import pinned_wall_clock, real_time_event_loops

T0 = datetime(2024, 3, 1, 23, 50, tzinfo=timezone.utc)
QUARTER = timedelta(minutes=15)


class ThirdPartyPoller:
    """Stands for someone else's code: it knows nothing of cwmock's clock and asks the wall (on purpose)."""

    def __init__(self) -> None:
        self.seen: list[tuple[datetime, float, date]] = []

    def poll(self) -> None:
        self.seen.append((datetime.now(timezone.utc), time.time(), date.today()))

    async def run(self, clock: ManualClock, windows: int) -> None:
        async with clock.follower("third-party") as follower:
            due = follower.now()
            for _ in range(windows):
                due += QUARTER
                await follower.sleep_until(due)
                self.poll()


def test_the_wall_follows_set_and_elapse_and_is_released_after() -> None:
    clock = ManualClock(T0)
    poller = ThirdPartyPoller()
    with pinned_wall_clock(clock):
        poller.poll()
        clock.set(T0 + QUARTER)
        poller.poll()
        clock.elapse(2.5)
        poller.poll()
    expected = [T0, T0 + QUARTER, T0 + QUARTER + timedelta(seconds=2.5)]
    assert [seen for seen, _, _ in poller.seen] == expected
    assert [stamp for _, stamp, _ in poller.seen] == [e.timestamp() for e in expected]
    assert [day for _, _, day in poller.seen] == [date(2024, 3, 1), date(2024, 3, 2), date(2024, 3, 2)]
    assert datetime.now(timezone.utc).year != 2024, "the wall is real again after the block"
    clock.set(T0 + 2 * QUARTER)  # no observer is left behind
    assert datetime.now(timezone.utc).year != 2024


@pytest.mark.anyio
async def test_each_advance_step_is_seen_by_a_poller_woken_there() -> None:
    clock = ManualClock(T0)
    poller = ThirdPartyPoller()
    with pinned_wall_clock(clock):
        task = asyncio.create_task(poller.run(clock, windows=3))
        await asyncio.sleep(0)
        result = await clock.advance(3600)
        await asyncio.wait_for(task, timeout=5)
        assert datetime.now(timezone.utc) == T0 + timedelta(hours=1)
    assert result.steps == (T0 + QUARTER, T0 + 2 * QUARTER, T0 + 3 * QUARTER)
    assert [seen for seen, _, _ in poller.seen] == list(result.steps)


@pytest.mark.anyio
async def test_the_event_loop_keeps_real_time_while_the_wall_is_pinned() -> None:
    clock = ManualClock(T0)
    with pinned_wall_clock(clock):
        await asyncio.wait_for(asyncio.sleep(0.01), timeout=5)  # would hang if the loop's clock were frozen


def test_a_clock_following_the_wall_is_refused() -> None:
    clock = ManualClock(T0)
    clock.follow_wall()
    with pytest.raises(ValueError, match="frozen ManualClock"), pinned_wall_clock(clock):
        pass
    clock.close()


class TickingLoop:
    """An event loop in another thread (like a served emulator's) that ticks on a short timer."""

    def __init__(self) -> None:
        self.ticks = 0
        self.ticked = threading.Condition()
        self.stopping = False
        self.thread = threading.Thread(target=lambda: asyncio.run(self.run()), daemon=True)
        self.thread.start()

    async def run(self) -> None:
        while not self.stopping:
            with self.ticked:
                self.ticks += 1
                self.ticked.notify_all()
            await asyncio.sleep(0.005)

    def wait_for_ticks(self, more: int) -> bool:
        with self.ticked:
            target = self.ticks + more
            return self.ticked.wait_for(lambda: self.ticks >= target, timeout=5)

    def stop(self) -> None:
        self.stopping = True
        self.thread.join(5)


def test_event_loops_in_other_threads_keep_their_timers_across_a_pinned_wall() -> None:
    loop = TickingLoop()
    try:
        assert loop.wait_for_ticks(3)
        with pinned_wall_clock(ManualClock(T0)):
            assert loop.wait_for_ticks(3), "the other thread's timers stalled when the wall was frozen"
        assert loop.wait_for_ticks(3), "the other thread's timers stalled when the wall was released"
    finally:
        loop.stop()
    assert not loop.thread.is_alive()


def test_real_time_event_loops_restores_the_loop_class() -> None:
    probe = asyncio.new_event_loop()
    probe.close()
    before = type(probe).__dict__.get("time")
    with real_time_event_loops():
        assert type(probe).__dict__.get("time") is not before
    assert type(probe).__dict__.get("time") is before
