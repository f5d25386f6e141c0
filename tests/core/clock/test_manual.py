"""The emulated clock: advance runs everything due, in order, and fails loudly instead of hanging."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Coroutine
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cwmock.core.clock import (
    ClockArgumentError,
    ClockBusyError,
    Follower,
    ManualClock,
    QuiesceTimeoutError,
)

T0 = datetime(2024, 3, 1, 12, 0, tzinfo=timezone.utc)
WALL0 = datetime(2030, 1, 1, tzinfo=timezone.utc)
MIN = timedelta(minutes=1)
Wakes = list[tuple[str, datetime]]


async def until(condition: Callable[[], bool], timeout: float = 2.0) -> None:
    """Yield to the loop until `condition` holds; fail after `timeout` real seconds instead of hanging."""

    async def poll() -> None:
        while not condition():
            await asyncio.sleep(0)

    await asyncio.wait_for(poll(), timeout)


async def poll_every(follower: Follower, interval: timedelta, wakes: Wakes) -> None:
    """A follower that records `now()` at each wake and sleeps one interval more."""
    due = follower.now() + interval
    while True:
        await follower.sleep_until(due)
        wakes.append((follower.name, follower.now()))
        due += interval


class Tasks:
    """Background tasks of one test, cancelled at its end."""

    def __init__(self) -> None:
        self.running: list[asyncio.Task[Any]] = []

    def start(self, coro: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        task = asyncio.get_running_loop().create_task(coro)
        self.running.append(task)
        return task

    async def cancel_all(self) -> None:
        for task in self.running:
            task.cancel()
        await asyncio.gather(*self.running, return_exceptions=True)


@pytest.fixture
async def tasks() -> AsyncIterator[Tasks]:
    started = Tasks()
    yield started
    await started.cancel_all()


def start_poller(clock: ManualClock, tasks: Tasks, name: str, interval: timedelta, wakes: Wakes) -> None:
    tasks.start(poll_every(clock.attach(name), interval, wakes))


@pytest.mark.anyio
async def test_advancing_an_hour_wakes_a_15_minute_follower_four_times_at_the_exact_instants(
    tasks: Tasks,
) -> None:
    clock = ManualClock(T0)
    wakes: Wakes = []
    start_poller(clock, tasks, "poller", 15 * MIN, wakes)

    result = await clock.advance(3600)

    expected = [T0 + 15 * MIN, T0 + 30 * MIN, T0 + 45 * MIN, T0 + 60 * MIN]
    assert wakes == [("poller", instant) for instant in expected]
    assert list(result.steps) == expected
    assert clock.now() == result.now == T0 + 60 * MIN
    assert clock.status().followers == {"poller": "waiting"}


@pytest.mark.anyio
async def test_two_followers_wake_in_time_order_and_same_instant_in_registration_order(tasks: Tasks) -> None:
    clock = ManualClock(T0)
    wakes: Wakes = []
    start_poller(clock, tasks, "ten", 10 * MIN, wakes)
    start_poller(clock, tasks, "fifteen", 15 * MIN, wakes)

    await clock.advance(to=T0 + 30 * MIN)

    # At +30 both are due; "fifteen" registered that deadline (at +15) before "ten" did (at +20).
    assert wakes == [
        ("ten", T0 + 10 * MIN),
        ("fifteen", T0 + 15 * MIN),
        ("ten", T0 + 20 * MIN),
        ("fifteen", T0 + 30 * MIN),
        ("ten", T0 + 30 * MIN),
    ]


@pytest.mark.anyio
async def test_deadlines_beyond_the_target_are_not_woken(tasks: Tasks) -> None:
    clock = ManualClock(T0)
    wakes: Wakes = []
    start_poller(clock, tasks, "poller", 15 * MIN, wakes)

    result = await clock.advance(to=T0 + 14 * MIN + timedelta(seconds=59))
    assert wakes == []
    assert result.steps == ()
    assert clock.now() == T0 + 14 * MIN + timedelta(seconds=59)

    await clock.advance(1)
    assert wakes == [("poller", T0 + 15 * MIN)]


@pytest.mark.anyio
async def test_sub_second_advances_wake_at_the_exact_fractional_instants(tasks: Tasks) -> None:
    clock = ManualClock(T0)
    wakes: Wakes = []
    start_poller(clock, tasks, "fast", timedelta(milliseconds=250), wakes)

    await clock.advance(0.1)
    await clock.advance(0.1)
    assert wakes == []
    await clock.advance(0.1)
    assert wakes == [("fast", T0 + timedelta(milliseconds=250))]
    await clock.advance(0.7)
    assert [instant for _, instant in wakes] == [T0 + timedelta(milliseconds=ms) for ms in (250, 500, 750, 1000)]
    assert clock.now() == T0 + timedelta(seconds=1)


@pytest.mark.anyio
async def test_advance_by_zero_waits_for_a_follower_a_set_woke(tasks: Tasks) -> None:
    clock = ManualClock(T0)
    done: list[datetime] = []

    async def slow_poller(follower: Follower) -> None:
        await follower.sleep_until(T0 + 15 * MIN)
        for _ in range(5):  # some work across several loop turns before waiting again
            await asyncio.sleep(0)
        done.append(follower.now())
        await follower.sleep_until(T0 + 60 * MIN)

    tasks.start(slow_poller(clock.attach("slow")))
    clock.set(T0 + 20 * MIN)  # a jump: the overdue follower is woken once, at the new instant
    result = await clock.advance(0)

    assert done == [T0 + 20 * MIN]
    assert result.steps == ()
    assert clock.now() == T0 + 20 * MIN


@pytest.mark.anyio
async def test_advance_by_zero_wakes_what_following_time_made_due(tasks: Tasks) -> None:
    wall = ManualClock(WALL0)
    clock = ManualClock(T0, wall=wall)
    clock.follow_wall()
    woke: list[datetime] = []

    async def sleeper() -> None:
        await clock.sleep_until(T0 + MIN)
        woke.append(clock.now())

    tasks.start(sleeper())
    await until(lambda: clock.next_deadline() == T0 + MIN)
    wall.set(WALL0 + 2 * MIN)  # due now, but the following timer has not had a turn yet
    await clock.advance(0)

    assert woke == [T0 + 2 * MIN]
    clock.freeze()


@pytest.mark.anyio
async def test_a_follower_that_never_waits_again_makes_advance_fail_naming_it(tasks: Tasks) -> None:
    clock = ManualClock(T0, quiesce_timeout=0.2)
    never = asyncio.Event()

    async def stuck(follower: Follower) -> None:
        await follower.sleep_until(T0 + 15 * MIN)
        await never.wait()  # woken, but neither waits on the clock again nor detaches

    tasks.start(stuck(clock.attach("stuck-poller")))
    with pytest.raises(QuiesceTimeoutError) as failure:
        await asyncio.wait_for(clock.advance(3600), timeout=3.0)

    assert failure.value.followers == ("stuck-poller",)
    assert "'stuck-poller'" in str(failure.value)
    assert "did not quiesce within 0.2 s" in str(failure.value)
    assert clock.now() == T0 + 15 * MIN  # stays at the step that failed
    assert clock.status().state == "ready"


@pytest.mark.anyio
async def test_detaching_the_stuck_follower_lets_advance_finish(tasks: Tasks) -> None:
    clock = ManualClock(T0, quiesce_timeout=0.2)
    never = asyncio.Event()

    async def leaves(follower: Follower) -> None:
        await follower.sleep_until(T0 + 15 * MIN)
        clock.detach(follower.name)
        await never.wait()

    tasks.start(leaves(clock.attach("leaver")))
    await clock.advance(3600)
    assert clock.now() == T0 + 60 * MIN
    assert clock.status().followers == {}


@pytest.mark.anyio
async def test_a_woken_plain_sleeper_has_run_to_its_next_await_when_advance_returns(tasks: Tasks) -> None:
    clock = ManualClock(T0)
    seen: list[datetime] = []

    async def sleeper() -> None:
        await clock.sleep_until(T0 + 5 * MIN)
        seen.append(clock.now())

    tasks.start(sleeper())
    await until(lambda: clock.next_deadline() == T0 + 5 * MIN)
    await clock.advance(600)
    assert seen == [T0 + 5 * MIN]


@pytest.mark.anyio
async def test_set_moves_forward_and_refuses_to_go_back_unless_asked() -> None:
    clock = ManualClock(T0)
    clock.set(T0 + MIN)
    assert clock.now() == T0 + MIN
    with pytest.raises(ClockArgumentError, match="allow_backwards=True"):
        clock.set(T0)
    clock.set(T0, allow_backwards=True)
    assert clock.now() == T0
    with pytest.raises(ClockArgumentError, match="no timezone"):
        clock.set(datetime(2024, 3, 1, 13, 0))
    with pytest.raises(ClockArgumentError, match="before now"):
        await clock.advance(to=T0 - MIN)
    with pytest.raises(ClockArgumentError, match="exactly one"):
        await clock.advance(1, to=T0 + MIN)
    with pytest.raises(ClockArgumentError, match="cannot advance by -1"):
        await clock.advance(-1)


@pytest.mark.anyio
async def test_going_back_wakes_nobody_and_sleepers_wake_when_the_clock_reaches_them_again(
    tasks: Tasks,
) -> None:
    clock = ManualClock(T0)
    wakes: Wakes = []
    start_poller(clock, tasks, "poller", 15 * MIN, wakes)
    await clock.advance(0)

    clock.set(T0 - 60 * MIN, allow_backwards=True)
    await clock.advance(3600)
    assert wakes == []
    await clock.advance(15 * 60)
    assert wakes == [("poller", T0 + 15 * MIN)]


@pytest.mark.anyio
async def test_following_the_wall_at_a_speed_factor_and_freezing() -> None:
    wall = ManualClock(WALL0)
    clock = ManualClock(T0, wall=wall)

    clock.follow_wall(speed=2.0)
    assert clock.status().mode == "following"
    wall.set(WALL0 + timedelta(seconds=10))
    assert clock.now() == T0 + timedelta(seconds=20)

    clock.freeze()
    wall.set(WALL0 + timedelta(seconds=100))
    assert clock.now() == T0 + timedelta(seconds=20)
    assert clock.status().mode == "frozen"

    clock.follow_wall(offset=timedelta(days=-365 * 5))
    assert clock.now() == WALL0 + timedelta(seconds=100) - timedelta(days=365 * 5)
    wall.set(WALL0 + timedelta(seconds=103))
    assert clock.now() == WALL0 + timedelta(seconds=103) - timedelta(days=365 * 5)

    with pytest.raises(ClockArgumentError, match="move the clock back"):
        clock.follow_wall(offset=timedelta(days=-365 * 20))
    with pytest.raises(ClockArgumentError, match="positive finite"):
        clock.follow_wall(speed=0)
    clock.freeze()


@pytest.mark.anyio
async def test_following_time_wakes_sleepers_as_the_wall_reaches_them(tasks: Tasks) -> None:
    wall = ManualClock(WALL0)
    clock = ManualClock(T0, wall=wall)
    clock.follow_wall(speed=2.0)

    sleeper = tasks.start(clock.sleep_until(T0 + 60 * MIN))
    await until(lambda: clock.next_deadline() is not None)
    await until(lambda: wall.next_deadline() is not None)  # the following timer sleeps on the wall
    wall.set(WALL0 + 29 * MIN)
    for _ in range(10):
        await asyncio.sleep(0)
    assert not sleeper.done()

    wall.set(WALL0 + 31 * MIN)
    await asyncio.wait_for(sleeper, 2.0)
    assert clock.now() == T0 + 62 * MIN
    clock.freeze()


@pytest.mark.anyio
async def test_advance_while_following_pins_the_steps_and_follows_on_from_the_target(tasks: Tasks) -> None:
    wall = ManualClock(WALL0)
    clock = ManualClock(T0, wall=wall)
    clock.follow_wall()
    wakes: Wakes = []
    start_poller(clock, tasks, "poller", 15 * MIN, wakes)

    await clock.advance(1800)
    assert wakes == [("poller", T0 + 15 * MIN), ("poller", T0 + 30 * MIN)]
    assert clock.now() == T0 + 30 * MIN
    wall.set(WALL0 + timedelta(seconds=5))
    assert clock.now() == T0 + 30 * MIN + timedelta(seconds=5)
    clock.freeze()


@pytest.mark.anyio
async def test_status_reports_advancing_during_an_advance_and_busy_verbs_are_refused(tasks: Tasks) -> None:
    clock = ManualClock(T0)
    seen: list[tuple[str, datetime | None]] = []
    refusals: list[str] = []

    async def observer(follower: Follower) -> None:
        await follower.sleep_until(T0 + MIN)
        status = clock.status()
        seen.append((status.state, status.advancing_to))
        try:
            await clock.advance(1)
        except ClockBusyError as error:
            refusals.append(str(error))
        with pytest.raises(ClockBusyError):
            clock.set(T0 + 5 * MIN)
        with pytest.raises(ClockBusyError):
            clock.freeze()
        await follower.sleep_until(T0 + 60 * MIN)

    assert clock.status().state == "ready"
    tasks.start(observer(clock.attach("observer")))
    await clock.advance(120)

    assert seen == [("advancing", T0 + 2 * MIN)]
    assert len(refusals) == 1
    assert "advance to 2024-03-01T12:02:00Z is running" in refusals[0]
    status = clock.status()
    assert status.state == "ready"
    assert status.to_json() == {
        "now": "2024-03-01T12:02:00Z",
        "mode": "frozen",
        "state": "ready",
        "speed": None,
        "advancingTo": None,
        "nextDeadline": "2024-03-01T13:00:00Z",
        "followers": {"observer": "waiting"},
    }


@pytest.mark.anyio
async def test_wait_until_returns_true_on_advance_and_false_on_timeout(tasks: Tasks) -> None:
    clock = ManualClock(T0)
    assert await clock.wait_until(T0, timeout=0) is True  # already reached
    assert await clock.wait_until(T0 + MIN, timeout=0) is False
    assert clock.next_deadline() is None  # a timed-out long-poll leaves nothing behind

    poll = tasks.start(clock.wait_until(T0 + MIN, timeout=30))
    await until(lambda: clock.next_deadline() == T0 + MIN)
    await clock.advance(60)
    assert await asyncio.wait_for(poll, 2.0) is True


@pytest.mark.anyio
async def test_an_external_follower_counts_as_quiet_once_it_issues_its_next_long_poll(tasks: Tasks) -> None:
    clock = ManualClock(T0, quiesce_timeout=0.2)
    wakes: Wakes = []

    async def external_poller(runs: int) -> None:
        due = T0 + 15 * MIN
        for _ in range(runs):
            while not await clock.wait_until(due, timeout=30, follower="ext"):
                pass
            await asyncio.sleep(0)  # the HTTP round trip, roughly
            wakes.append(("ext", clock.now()))
            due += 15 * MIN

    tasks.start(external_poller(runs=5))
    await until(lambda: clock.status().followers == {"ext": "waiting"})
    await clock.advance(3600)
    assert wakes == [("ext", T0 + k * 15 * MIN) for k in (1, 2, 3, 4)]

    # Its fifth run returns without a next long-poll: the next advance names it, until it is detached.
    with pytest.raises(QuiesceTimeoutError, match="'ext'"):
        await clock.advance(900)
    assert clock.detach("ext") is True
    await clock.advance(900)
    assert clock.status().followers == {}


@pytest.mark.anyio
async def test_registered_deadlines_are_stepped_to_and_cancelled_ones_are_not() -> None:
    clock = ManualClock(T0)
    reached: list[tuple[datetime, datetime]] = []
    visible = clock.register_deadline(T0 + 7 * MIN, lambda at: reached.append((at, clock.now())))
    withdrawn = clock.register_deadline(T0 + 9 * MIN)
    withdrawn.cancel()

    result = await clock.advance(3600)

    assert result.steps == (T0 + 7 * MIN,)
    assert reached == [(T0 + 7 * MIN, T0 + 7 * MIN)]
    assert visible.reached
    assert not withdrawn.reached
    past = clock.register_deadline(T0, lambda at: reached.append((at, clock.now())))
    assert past.reached
    assert reached[-1] == (T0, T0 + 60 * MIN)


@pytest.mark.anyio
async def test_a_cancelled_sleeper_is_not_stepped_to(tasks: Tasks) -> None:
    clock = ManualClock(T0)
    sleeper = tasks.start(clock.sleep_until(T0 + 5 * MIN))
    await until(lambda: clock.next_deadline() is not None)
    sleeper.cancel()
    await asyncio.gather(sleeper, return_exceptions=True)

    result = await clock.advance(600)
    assert result.steps == ()


@pytest.mark.anyio
async def test_follower_names_are_unique_and_detach_on_leaving_the_block() -> None:
    clock = ManualClock(T0)
    async with clock.follower("poller") as follower:
        with pytest.raises(ClockArgumentError, match="already attached"):
            clock.attach("poller")
        with pytest.raises(ClockArgumentError, match="in-process follower"):
            await clock.wait_until(T0 + MIN, timeout=0, follower="poller")
        assert clock.status().followers == {"poller": "running"}
    assert clock.status().followers == {}
    with pytest.raises(ClockArgumentError, match="detached"):
        await follower.sleep_until(T0 + MIN)


@settings(max_examples=60, deadline=None)
@given(
    intervals=st.lists(st.integers(min_value=1, max_value=900), min_size=1, max_size=4),
    advances=st.lists(st.integers(min_value=0, max_value=1800), min_size=1, max_size=5),
)
def test_any_followers_and_advances_wake_at_every_multiple_in_time_order(
    intervals: list[int], advances: list[int]
) -> None:
    async def scenario() -> Wakes:
        clock = ManualClock(T0)
        wakes: Wakes = []
        pollers = Tasks()
        for index, seconds in enumerate(intervals):
            pollers.start(poll_every(clock.attach(f"p{index}"), timedelta(seconds=seconds), wakes))
        try:
            for seconds in advances:
                await clock.advance(seconds)
        finally:
            await pollers.cancel_all()
        return wakes

    wakes = asyncio.run(scenario())

    end = T0 + timedelta(seconds=sum(advances))
    for index, seconds in enumerate(intervals):
        step = timedelta(seconds=seconds)
        expected = [T0 + k * step for k in range(1, (end - T0) // step + 1)]
        assert [at for name, at in wakes if name == f"p{index}"] == expected
    instants = [at for _, at in wakes]
    assert instants == sorted(instants)
