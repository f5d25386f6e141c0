"""How emulated time passes in a live judgement: the extension point for time (docs/contract-suite/live-judge.md#time).

A `ClockMode` prepares the emulator's clock, waits until an emulated instant, and adds what the judged service needs
to share that time (e.g. `FAKETIME` and `LD_PRELOAD` for an accelerated mode under libfaketime). `RealTime`, the
first mode, leaves the emulator's clock following the wall, so the service's own wall clock is the emulator's.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Protocol

from cwmock.contract_tests.harness.emulator_control import EmulatorControl
from cwmock.core.clock import Clock, FakeTime, FaketimeMissing, SystemClock, find_libfaketime

# How often a real-time wait looks at the emulator's clock again: short enough that a step runs within it.
REAL_TIME_CHECK_SECONDS = 0.25
DEFAULT_SPEED = 60.0  # an hour of polling in a minute
LONG_POLL_SECONDS = 30.0


class ClockMode(Protocol):
    """How the emulator's clock and the judged service's clock move together."""

    name: str

    async def prepare(self, control: EmulatorControl) -> None:
        """Set the emulator's clock up before anything is written (refuse, with the reason, if it cannot be)."""

    async def wait_until(self, control: EmulatorControl, instant: datetime) -> None:
        """Return once the emulator's clock has reached `instant`."""

    def service_environment(self) -> dict[str, str]:
        """Variables the judged service needs to share this clock (none for real time)."""


class RealTime:
    """The emulator's clock follows the wall: an emulated minute takes a minute; any poller's own clock agrees."""

    name = "real"

    async def prepare(self, control: EmulatorControl) -> None:
        """Check the emulator's clock moves with the wall; a frozen (manual) clock would never let a poller's timer
        agree with it."""
        if not await control.clock_follows_wall():
            raise RuntimeError(
                "the emulator's clock is frozen, but --clock real needs it to follow the wall: start it with "
                "`cwmock up` / `cwmock emulator` (the default --clock system), or POST /__admin/clock/follow"
            )

    async def wait_until(self, control: EmulatorControl, instant: datetime) -> None:
        """Wait on the event loop until the emulator's clock reads `instant` or later."""
        while (left := (instant - await control.now()).total_seconds()) > 0:
            await asyncio.sleep(min(left, REAL_TIME_CHECK_SECONDS))

    def service_environment(self) -> dict[str, str]:
        """Nothing: the service reads the same wall clock."""
        return {}


class Accelerated:
    """The emulator's clock follows the wall x `speed`, and the service runs under libfaketime at the same pace.

    The service's clock is told the emulator's offset from this machine's wall clock when it is spawned, so both
    read the same instant to within its start-up time x speed (docs/contract-suite/live-judge.md#accelerated-time).
    Only the service's own process tree is faked; the judge waits by the emulator's clock (a long-poll).
    """

    name = "accelerated"

    def __init__(self, speed: float = DEFAULT_SPEED, wall: Clock | None = None, library: Path | None = None) -> None:
        FakeTime(timedelta(0), speed)  # refuses a speed libfaketime cannot be told, before anything starts
        self.speed = speed
        self.wall: Clock = wall if wall is not None else SystemClock()
        self.library = library
        self._anchor: tuple[datetime, datetime] | None = None  # (emulated, wall) as the clock began to follow

    async def prepare(self, control: EmulatorControl) -> None:
        """Find libfaketime, then make the emulator's clock follow the wall x speed from its current instant."""
        try:
            self.library = self.library if self.library is not None else find_libfaketime()
        except FaketimeMissing as exc:
            raise RuntimeError(f"--clock accelerated runs the poller under libfaketime: {exc}") from None
        emulated = await control.follow_wall(self.speed)
        self._anchor = (emulated, self.wall.now())

    async def wait_until(self, control: EmulatorControl, instant: datetime) -> None:
        """Long-poll the emulator's clock until it reads `instant` or later."""
        while not await control.wait_clock(instant, LONG_POLL_SECONDS):
            pass

    def service_environment(self) -> dict[str, str]:
        """`LD_PRELOAD`, `FAKETIME` (the emulator's offset from the wall now, x speed), `FAKETIME_DONT_RESET`."""
        if self._anchor is None:
            raise RuntimeError("prepare() first: the emulator's clock is not accelerated yet")
        emulated, wall = self._anchor
        wall_now = self.wall.now()
        emulated_now = emulated + (wall_now - wall) * self.speed
        fake = FakeTime.matching(emulated_now, wall_now, self.speed)
        environ = fake.environment({}, library=self.library)
        if os.environ.get("LD_PRELOAD"):  # the service inherits this process's environment, preloads included
            environ["LD_PRELOAD"] += ":" + os.environ["LD_PRELOAD"]
        return environ


ClockModeFactory = Callable[..., ClockMode]
CLOCK_MODES: dict[str, ClockModeFactory] = {"real": RealTime, "accelerated": Accelerated}
"""The modes `cwmock judge --clock` offers."""
