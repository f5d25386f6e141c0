"""Pin the test process's wall clock to a `ManualClock`, for in-process third-party code that reads the wall.

cwmock's own code takes its time from an injected clock; a third-party poller run in the same process may call
`datetime.now()`, `time.time()` or `date.today()` instead. `pinned_wall_clock(clock)` freezes those (freezegun,
with `real_asyncio=True` so the event loop keeps real monotonic time) at `clock.now()` and moves them whenever the
clock moves (`ManualClock.observe`): on `set`, at each `advance` step before what is due there wakes, on `elapse`.

freezegun swaps `time.monotonic` for a frozen one a while (its scan of every loaded module) before `real_asyncio`
gives event loops real time back; an event loop in another thread (a served emulator or receiver) that schedules a
timer in that gap schedules it ~50 years ahead and stalls for good. `real_time_event_loops()` closes the gap: use it
around any `freeze_time` while servers run in threads (`pinned_wall_clock` does).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager

import freezegun
import freezegun.api
from freezegun.api import FrozenDateTimeFactory, StepTickTimeFactory, TickingDateTimeFactory

from cwmock.core.clock import ManualClock

WallFactory = FrozenDateTimeFactory | StepTickTimeFactory | TickingDateTimeFactory


def _real_loop_time(loop: asyncio.AbstractEventLoop) -> float:
    # Looked up at each call: freezegun rebinds every module global that holds the real `monotonic`.
    return freezegun.api.real_monotonic()


@contextmanager
def real_time_event_loops() -> Iterator[None]:
    """Within the block every asyncio event loop, in any thread, reads real monotonic time, frozen wall or not."""
    probe = asyncio.new_event_loop()
    probe.close()
    loop_class = type(probe)
    own = loop_class.__dict__.get("time")
    loop_class.time = _real_loop_time  # type: ignore[method-assign,assignment]
    try:
        yield
    finally:
        if own is None:
            del loop_class.time
        else:
            loop_class.time = own  # type: ignore[method-assign]


@contextmanager
def pinned_wall_clock(clock: ManualClock, *, ignore: Sequence[str] = ()) -> Iterator[WallFactory]:
    """Within the block the wall clock reads `clock.now()` and follows it; yields freezegun's time factory.

    The clock must be frozen (a `ManualClock` following the wall would read the pinned wall and stand still).
    `ignore` lists module prefixes that keep real time (freezegun's `ignore`).
    """
    if clock.status().mode != "frozen":
        raise ValueError(
            "pin the wall clock to a frozen ManualClock: one following wall time would read the pinned wall "
            "and stand still; call clock.freeze() first"
        )
    with ExitStack() as stack:
        stack.enter_context(real_time_event_loops())
        factory = stack.enter_context(freezegun.freeze_time(clock.now(), ignore=list(ignore), real_asyncio=True))
        stack.callback(clock.observe(factory.move_to))
        yield factory
