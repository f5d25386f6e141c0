"""How emulated time passes in a live judgement: the extension point for time (docs/contract-suite/live-judge.md#time).

A `ClockMode` prepares the emulator's clock, waits until an emulated instant, and adds what the judged service needs
to share that time (e.g. `FAKETIME` and `LD_PRELOAD` for an accelerated mode under libfaketime). `RealTime`, the
first mode, leaves the emulator's clock following the wall, so the service's own wall clock is the emulator's.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime
from typing import Protocol

from cwmock.contract_tests.harness.emulator_control import EmulatorControl

# How often a real-time wait looks at the emulator's clock again: short enough that a step runs within it.
REAL_TIME_CHECK_SECONDS = 0.25


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


CLOCK_MODES: dict[str, Callable[[], ClockMode]] = {"real": RealTime}
"""The modes `cwmock judge --clock` offers; an accelerated mode registers here."""
