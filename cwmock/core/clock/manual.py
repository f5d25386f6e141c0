"""`ManualClock`, emulated time: frozen or following the wall clock, advanced on demand.

It is frozen or follows wall time, and `advance` runs everything due, in order (like Stripe
test clocks or trio's autojumping `MockClock`): it steps to each registered deadline, wakes what is due
there, waits for woken followers to wait again, and fails loudly if they do not. Deadlines live in
`cwmock.core.clock.scheduler`.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal

from cwmock.core.clock.errors import ClockArgumentError, ClockBusyError, require_aware
from cwmock.core.clock.scheduler import DeadlineHandle, DeadlineScheduler, Follower, FollowerState, OnReached
from cwmock.core.clock.wall import Clock, SystemClock
from cwmock.core.timestamps import iso_z
from cwmock.core.validation import (
    CLOCK_EARLIEST,
    CLOCK_LATEST,
    InputError,
    check_clock_instant,
    check_duration,
    check_speed,
)

__all__ = ["AdvanceResult", "ClockObserver", "ClockStatus", "ManualClock"]

ClockMode = Literal["frozen", "following"]
ClockObserver = Callable[[datetime], None]
DEFAULT_QUIESCE_TIMEOUT = 5.0
# The following-mode timer sleeps at most this long at a time, so a far deadline at a slow speed never overflows.
MAX_WALL_WAIT = timedelta(hours=1)


@dataclass(frozen=True)
class ClockStatus:
    """A snapshot of the emulated clock, as the admin API reports it."""

    now: datetime
    mode: ClockMode
    state: Literal["advancing", "ready"]
    speed: float | None = None
    advancing_to: datetime | None = None
    next_deadline: datetime | None = None
    followers: dict[str, FollowerState] = field(default_factory=dict)

    def to_json(self) -> dict[str, object]:
        """JSON-ready form: instants as ISO-8601 with `Z`."""
        return {
            "now": iso_z(self.now),
            "mode": self.mode,
            "state": self.state,
            "speed": self.speed,
            "advancingTo": iso_z(self.advancing_to) if self.advancing_to else None,
            "nextDeadline": iso_z(self.next_deadline) if self.next_deadline else None,
            "followers": dict(self.followers),
        }


@dataclass(frozen=True)
class AdvanceResult:
    """What one `advance` did: where it ended and each instant it stopped at to wake something."""

    now: datetime
    steps: tuple[datetime, ...]


class ManualClock:
    """Emulated time: frozen or following the wall; `advance` runs everything due in order.

    Rules, in one place:
    - No sleeper stays asleep past its deadline: whenever the clock reaches or passes an instant (advance
      step, `set`, the following-mode timer), everything registered at or before it is woken in (instant,
      registration) order. Only `advance` then *waits* for the woken (see `advance`).
    - `set` jumps: sleepers it passes are woken once, at the new instant. Going back (`allow_backwards=True`)
      wakes nobody; sleepers keep their deadlines and wake when the clock reaches them again.
    - While an advance runs, `set`, `freeze`, `follow_wall` and a second `advance` raise `ClockBusyError`.
    - The clock stays within `CLOCK_EARLIEST` .. `CLOCK_LATEST` (docs/limits.md#time): a move past them is refused,
      and following wall time, or emulated latency, holds at the last instant rather than passing it.
    """

    def __init__(
        self,
        start: datetime,
        *,
        wall: Clock | None = None,
        quiesce_timeout: float = DEFAULT_QUIESCE_TIMEOUT,
    ) -> None:
        if quiesce_timeout <= 0:
            raise ClockArgumentError(f"quiesce_timeout must be positive seconds, got {quiesce_timeout}")
        self.quiesce_timeout = quiesce_timeout
        self._wall: Clock = wall if wall is not None else SystemClock()
        self._mode: ClockMode = "frozen"
        self._pinned: datetime | None = _in_range("start", require_aware(start))
        self._anchor_emulated = self._pinned
        self._anchor_wall = self._pinned
        self._speed = 1.0
        self._advancing_to: datetime | None = None
        self._scheduler = DeadlineScheduler(self.now, self._on_registered)
        self._timer: asyncio.Task[None] | None = None
        self._timer_target: datetime | None = None
        self._observers: list[ClockObserver] = []
        self._observed = self._pinned

    # Reading
    def now(self) -> datetime:
        """The emulated instant (during an advance: exactly the step being run)."""
        if self._pinned is not None:
            return self._pinned
        elapsed_us = math.floor(_microseconds(self._wall.now() - self._anchor_wall) * self._speed)
        anchor = self._anchor_emulated
        if elapsed_us >= _microseconds(CLOCK_LATEST - anchor):
            return CLOCK_LATEST
        if elapsed_us <= _microseconds(CLOCK_EARLIEST - anchor):
            return CLOCK_EARLIEST
        return anchor + timedelta(microseconds=elapsed_us)

    def next_deadline(self) -> datetime | None:
        """The earliest instant something waits for (a sleeper, long-poll or registered deadline), or None."""
        return self._scheduler.earliest()

    def status(self) -> ClockStatus:
        """Now, mode, `advancing`/`ready`, speed when following, and the followers' states."""
        return ClockStatus(
            now=self.now(),
            mode=self._mode,
            state="advancing" if self._advancing_to is not None else "ready",
            speed=self._speed if self._mode == "following" else None,
            advancing_to=self._advancing_to,
            next_deadline=self._scheduler.earliest(),
            followers=self._scheduler.followers(),
        )

    # Waiting
    async def sleep_until(self, deadline: datetime) -> None:
        """Wait until the clock reaches `deadline` (as a plain sleeper, not a follower: see `advance`)."""
        await self._scheduler.wait(require_aware(deadline), follower=None)

    async def wait_until(self, instant: datetime, timeout: float, *, follower: str | None = None) -> bool:
        """Long-poll: True once the clock reaches `instant`, False after `timeout` real seconds.

        The admin endpoint `GET /__admin/clock/wait?until=ISO&timeout=S[&follower=NAME]` maps onto this.
        With a `follower` name the caller is an *external follower*: its first long-poll attaches it; from
        then on, every time one of its long-polls returns True, `advance` waits (up to the quiesce timeout)
        until the same name issues its next long-poll or is detached (`detach(name)`). A long-poll that times
        out or is dropped also leaves it `running` until the next one, so an attached external follower must
        keep a long-poll open (or detach) whenever it is idle. Without a name the caller is a plain sleeper.
        """
        if timeout < 0:
            raise ClockArgumentError(f"timeout must be zero or more seconds, got {timeout}")
        who = self._scheduler.external(follower) if follower is not None else None
        return await self._scheduler.wait(require_aware(instant), follower=who, timeout=timeout)

    def attach(self, name: str) -> Follower:
        """Attach an in-process follower now (before its task starts); end it with `detach(name)`."""
        return self._scheduler.attach(name, external=False)

    @asynccontextmanager
    async def follower(self, name: str) -> AsyncIterator[Follower]:
        """Attach an in-process follower for the block; `advance` waits for it to wait again after a wake."""
        attached = self._scheduler.attach(name, external=False)
        try:
            yield attached
        finally:
            self._scheduler.detach(name, only=attached)

    def detach(self, name: str) -> bool:
        """Stop waiting for the follower `name` (True if it was attached)."""
        return self._scheduler.detach(name)

    def register_deadline(self, instant: datetime, on_reached: OnReached | None = None) -> DeadlineHandle:
        """Make `advance` stop at `instant` (e.g. a delayed commit becoming visible); `on_reached` runs there.

        `on_reached(instant)` is called synchronously when the clock reaches the instant; it must be quick and
        must not raise. An instant already reached counts as reached at once.
        """
        return self._scheduler.add_marker(require_aware(instant), on_reached)

    def observe(self, observer: ClockObserver) -> Callable[[], None]:
        """Call `observer(now)` each time the clock moves; returns a function that stops the observing.

        It is called with the new instant by `set`, at each `advance` step (before anything due there is woken)
        and at its end, by `elapse` and `follow_wall`; not while following wall time between those. It must be
        quick and must not raise (e.g. keep a frozen wall clock in step: `cwmock.testing.wall_clock`).
        """
        self._observers.append(observer)

        def stop() -> None:
            if observer in self._observers:
                self._observers.remove(observer)

        return stop

    # Moving
    def set(self, instant: datetime, *, allow_backwards: bool = False) -> None:
        """Jump to `instant`; going back in time must be asked for explicitly."""
        self._refuse_if_advancing("set")
        target = _in_range("instant", require_aware(instant))
        current = self.now()
        if target < current and not allow_backwards:
            raise ClockArgumentError(
                f"refusing to move the clock back from {iso_z(current)} to {iso_z(target)}; "
                "pass allow_backwards=True if that is really meant"
            )
        self._jump(target)
        self._scheduler.wake_due(target)
        self._rearm()

    async def advance(self, seconds: float | None = None, *, to: datetime | None = None) -> AdvanceResult:
        """Move forward by `seconds` or to `to` (exactly one), running everything due on the way, in order.

        First waits for followers still running from an earlier wake. Then, repeatedly: step to the
        earliest registered instant <= the target, pin `now()` there, wake what is registered at it
        (registration order), and quiesce: wait until each woken plain sleeper has resumed and run to its next
        suspension point, and every attached follower waits on the clock again or has detached. Finally
        `now()` = target (or later, when emulated latency moved it past: see `elapse`). Raises
        `QuiesceTimeoutError` (the clock stays at that step) if the quiet does not come within `quiesce_timeout`
        real seconds (measured on the event loop's clock). When following wall time, the clock follows again from
        the target afterwards. Calling it from inside a follower cannot
        work (that follower cannot wait again while it advances) and ends in the quiesce timeout.
        """
        self._refuse_if_advancing("advance")
        target = self._resolve_target(seconds, to)
        self._advancing_to = target
        self._pin(self.now())
        self._rearm()
        steps: list[datetime] = []
        try:
            current = self.now()
            await self._scheduler.quiesce(self._scheduler.wake_due(current), current, self.quiesce_timeout)
            while (step := self._scheduler.earliest()) is not None and step <= target:
                # `self.now()`, not the last step: emulated latency (`elapse`) may have moved it on meanwhile.
                step = max(step, self.now())
                self._pin(step)
                steps.append(step)
                await self._scheduler.quiesce(self._scheduler.wake_due(step), step, self.quiesce_timeout)
            end = max(target, self.now())
            self._pin(end)
        finally:
            self._advancing_to = None
            self._resume(self.now())
        return AdvanceResult(now=end, steps=tuple(steps))

    def elapse(self, seconds: float) -> None:
        """Let `seconds` pass at once, from inside a request (emulated latency); never waits for anyone.

        Like `set(now + seconds)`, but also allowed while an advance runs: the step being run moves forward,
        sleepers it passes are woken, and the advance carries on from the later instant (it never goes back).
        """
        if not (seconds >= 0 and math.isfinite(seconds)):
            raise ClockArgumentError(f"cannot let {seconds} s elapse; it must be zero or more seconds")
        _checked(check_duration, "seconds", seconds)
        current = self.now()
        target = min(current + timedelta(seconds=seconds), CLOCK_LATEST) if current < CLOCK_LATEST else current
        if self._advancing_to is None:
            self.set(target)
            return
        self._pin(target)
        self._scheduler.wake_due(target)

    def freeze(self) -> None:
        """Stop following wall time; the clock stays at its current instant."""
        self._refuse_if_advancing("freeze")
        current = self.now()
        self._mode = "frozen"
        self._pin(current)
        self._scheduler.wake_due(current)
        self._rearm()

    def follow_wall(self, offset: timedelta | None = None, speed: float = 1.0) -> None:
        """Follow wall time from now on: emulated = start + speed * wall elapsed.

        `start` is wall now + `offset` when an offset is given (a jump, forward only, like `set`), else the
        current emulated instant. `speed` > 0 scales the passage of time (2.0 runs twice as fast).
        """
        self._refuse_if_advancing("follow_wall")
        if not (speed > 0 and math.isfinite(speed)):
            raise ClockArgumentError(f"speed must be a positive finite factor, got {speed}; use freeze() to stop")
        _checked(check_speed, "speed", speed)
        current = self.now()
        if offset is not None:
            _checked(check_duration, "offsetSeconds", offset.total_seconds(), minimum=-math.inf)
        start = current if offset is None else _in_range("the followed instant", self._wall.now() + offset)
        if start < current:
            raise ClockArgumentError(
                f"follow_wall with offset {offset} would move the clock back from {iso_z(current)} "
                f"to {iso_z(start)}; call set(..., allow_backwards=True) first if that is really meant"
            )
        self._mode = "following"
        self._speed = speed
        self._jump(start)
        self._scheduler.wake_due(start)
        self._rearm()

    def close(self) -> None:
        """Cancel the following-mode timer task (pending sleepers stay registered)."""
        if self._timer is not None:
            self._timer.cancel()
        self._timer = self._timer_target = None

    # Internals
    def _refuse_if_advancing(self, verb: str) -> None:
        if self._advancing_to is not None:
            raise ClockBusyError(
                f"cannot {verb} while an advance to {iso_z(self._advancing_to)} is running; "
                "wait until status().state is 'ready'"
            )

    def _resolve_target(self, seconds: float | None, to: datetime | None) -> datetime:
        if (seconds is None) == (to is None):
            raise ClockArgumentError("advance needs exactly one of seconds=... or to=...")
        current = self.now()
        if seconds is not None:
            if not (seconds >= 0 and math.isfinite(seconds)):
                raise ClockArgumentError(
                    f"cannot advance by {seconds} s; use set(..., allow_backwards=True) to go back"
                )
            _checked(check_duration, "seconds", seconds)
            return _in_range("the advanced-to instant", current + timedelta(seconds=seconds))
        assert to is not None
        target = _in_range("to", require_aware(to))
        if target < current:
            raise ClockArgumentError(
                f"cannot advance to {iso_z(target)}: it is before now ({iso_z(current)}); "
                "use set(..., allow_backwards=True) to go back"
            )
        return target

    def _jump(self, instant: datetime) -> None:
        if self._mode == "frozen":
            self._pin(instant)
        else:
            self._resume(instant)

    def _pin(self, instant: datetime) -> None:
        self._pinned = instant
        self._moved()

    def _resume(self, instant: datetime) -> None:
        """Continue in the current mode from `instant` (re-anchoring when following)."""
        self._pinned = instant
        if self._mode == "following":
            self._anchor_emulated = instant
            self._anchor_wall = self._wall.now()
            self._pinned = None
        self._moved()
        self._rearm()

    def _moved(self) -> None:
        current = self.now()
        if current == self._observed:
            return
        self._observed = current
        for observer in list(self._observers):
            observer(current)

    def _on_registered(self, instant: datetime) -> None:
        if self._timer_target is None or instant < self._timer_target:
            self._rearm()

    def _rearm(self) -> None:
        """(Re)start the task that wakes sleepers as followed wall time reaches them."""
        self.close()
        if self._mode != "following" or self._advancing_to is not None:
            return
        earliest = self._scheduler.earliest()
        if earliest is None:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # registered from sync code outside a loop: the next registration arms it
            return
        self._timer_target = earliest
        self._timer = loop.create_task(self._follow_timer())

    async def _follow_timer(self) -> None:
        while (earliest := self._scheduler.earliest()) is not None:
            self._timer_target = earliest
            current = self.now()
            if earliest <= current:
                self._scheduler.wake_due(current)
                continue
            # Round the wall wait up so that, once it is over, now() has surely reached `earliest`.
            emulated_us = _microseconds(earliest - current)
            wall_wait = min(timedelta(microseconds=math.ceil(emulated_us / self._speed) + 1), MAX_WALL_WAIT)
            await self._wall.sleep_until(self._wall.now() + wall_wait)
        if self._timer is asyncio.current_task():
            self._timer = self._timer_target = None


def _checked(rule: Callable[..., object], key: str, value: float, **bounds: float) -> None:
    """Apply an input rule of `cwmock.core.validation`, refusing with the clock's own error."""
    try:
        rule(key, value, **bounds)
    except InputError as exc:
        raise ClockArgumentError(exc.message) from None


def _in_range(key: str, instant: datetime) -> datetime:
    try:
        return check_clock_instant(key, instant)
    except InputError as exc:
        raise ClockArgumentError(exc.message) from None


def _microseconds(delta: timedelta) -> int:
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds
