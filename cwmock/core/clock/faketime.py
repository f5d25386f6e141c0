"""Accelerated time for a poller in another process: libfaketime at the same start and speed as the emulator's clock.

A black-box poller schedules by its own wall clock. To let an hour of its polling pass in a minute, the emulator's
`ManualClock` follows wall time x `speed` from `start`, and the poller runs with libfaketime preloaded (Debian
package `faketime`), told the emulator's offset from the wall and its speed: its clock starts at the emulator's
instant when its process starts and runs `speed` times as fast. Spawned right after the offset is taken, the two
agree to within the process's start-up time x speed; the oracle judges by server time, so that drift is never a
finding. Which runtimes honour libfaketime, and how: docs/contract-suite/live-judge.md#accelerated-time.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from cwmock.core.clock.errors import ClockArgumentError, require_aware
from cwmock.core.clock.manual import ManualClock
from cwmock.core.clock.wall import Clock, SystemClock
from cwmock.core.validation import MAX_DURATION_SECONDS, InputError, check_duration, check_speed

LIBRARY_ENV = "CWMOCK_LIBFAKETIME"
# Where distributions install it: Debian/Ubuntu (multiarch), Fedora, Alpine, a source build, Homebrew.
LIBRARY_DIRS = (
    "/usr/lib/x86_64-linux-gnu/faketime",
    "/usr/lib/aarch64-linux-gnu/faketime",
    "/usr/lib64/faketime",
    "/usr/lib/faketime",
    "/usr/local/lib/faketime",
    "/opt/homebrew/lib/faketime",
)
LIBRARY_NAME = "libfaketime.so.1"


class FaketimeMissing(RuntimeError):
    """libfaketime is not installed where cwmock looks for it."""


def find_libfaketime(environ: Mapping[str, str] | None = None) -> Path:
    """The libfaketime shared library: `$CWMOCK_LIBFAKETIME` if set, else the first of the usual places."""
    environ = os.environ if environ is None else environ
    named = environ.get(LIBRARY_ENV)
    if named:
        if not Path(named).is_file():
            raise FaketimeMissing(f"{LIBRARY_ENV}={named} is not a file")
        return Path(named)
    for directory in LIBRARY_DIRS:
        candidate = Path(directory) / LIBRARY_NAME
        if candidate.is_file():
            return candidate
    raise FaketimeMissing(
        f"libfaketime ({LIBRARY_NAME}) is not installed: `apt-get install faketime` (Debian, Ubuntu), "
        f"`dnf install libfaketime`, `brew install libfaketime`, or set {LIBRARY_ENV} to its path"
    )


@dataclass(frozen=True)
class FakeTime:
    """How far ahead of the wall a process's clock is when it starts (negative: behind), and how fast it runs."""

    offset: timedelta
    speed: float

    def __post_init__(self) -> None:
        try:
            check_speed("speed", self.speed)
            check_duration("offset", self.offset.total_seconds(), minimum=-MAX_DURATION_SECONDS)
        except InputError as exc:
            raise ClockArgumentError(exc.message) from None

    @classmethod
    def matching(cls, emulated_now: datetime, wall_now: datetime, speed: float) -> FakeTime:
        """The fake time of a process started now whose clock must read `emulated_now` and run at `speed`."""
        return cls(require_aware(emulated_now) - require_aware(wall_now), speed)

    @property
    def spec(self) -> str:
        """The `FAKETIME` value: the offset in seconds (relative, so no time zone applies), x speed."""
        # libfaketime reads the numbers in the C locale it runs in: `.` decimals; %r keeps every digit of the speed.
        return f"{self.offset.total_seconds():+.6f} x{float(self.speed)!r}"

    def environment(self, base: Mapping[str, str] | None = None, library: Path | None = None) -> dict[str, str]:
        """`base` (default: this process's environment) plus what preloads libfaketime at this offset and speed.

        Spawn the process at once: its clock starts at wall + offset when it starts. `FAKETIME_DONT_RESET=1` keeps
        one clock for the command and its children (a shell wrapper, a JVM launcher), rather than one per process.
        """
        environ = dict(os.environ if base is None else base)
        preload = str(library if library is not None else find_libfaketime(environ))
        if environ.get("LD_PRELOAD"):
            preload = f"{preload}:{environ['LD_PRELOAD']}"
        environ.update({"LD_PRELOAD": preload, "FAKETIME": self.spec, "FAKETIME_DONT_RESET": "1"})
        return environ


def accelerate(clock: ManualClock, start: datetime, speed: float, wall: Clock | None = None) -> FakeTime:
    """Set `clock` to `start`, follow the wall `speed` times as fast from now on, and say how to fake a process's
    time to match it (spawn that process right after this returns)."""
    wall = wall if wall is not None else SystemClock()
    clock.set(require_aware(start), allow_backwards=True)
    clock.follow_wall(speed=speed)
    return FakeTime.matching(clock.now(), wall.now(), speed)
