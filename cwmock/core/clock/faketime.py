"""Accelerated time for a poller in another process: libfaketime at the same start and speed as the emulator's clock.

A black-box poller schedules by its own wall clock. To let an hour of its polling pass in a minute, the emulator's
`ManualClock` follows wall time x `speed` from `start`, and the poller runs with libfaketime preloaded (Debian
package `faketime`), told the same start and speed: its clock starts at `start` when its process starts and runs
`speed` times as fast. Start both together (`accelerate`, then spawn at once) and they agree to within the process's
start-up time x speed; the oracle judges by server time, so that drift is never a finding. Which runtimes honour
libfaketime, and how: docs/live-judge.md#accelerated-time.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from cwmock.core.clock.errors import ClockArgumentError, require_aware
from cwmock.core.clock.manual import ManualClock
from cwmock.core.validation import InputError, check_speed

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
    """A start instant (whole seconds) and a speed, as libfaketime is told them."""

    start: datetime
    speed: float

    def __post_init__(self) -> None:
        start = require_aware(self.start)
        if start.microsecond:
            raise ClockArgumentError(f"libfaketime starts at whole seconds; got {start.isoformat()}")
        try:
            check_speed("speed", self.speed)
        except InputError as exc:
            raise ClockArgumentError(exc.message) from None

    @property
    def spec(self) -> str:
        """The `FAKETIME` value: start at the epoch second (`FAKETIME_FMT=%s`, so no time zone applies), x speed."""
        # %r keeps every digit of the speed with a `.`, which libfaketime reads in the C locale it runs in.
        return f"@{int(self.start.timestamp())} x{self.speed!r}"

    def environment(self, base: Mapping[str, str] | None = None, library: Path | None = None) -> dict[str, str]:
        """`base` (default: this process's environment) plus what preloads libfaketime at this start and speed.

        `FAKETIME_DONT_RESET=1` keeps one clock for the command and its children (a shell wrapper, a JVM launcher),
        rather than restarting it at `start` in each.
        """
        environ = dict(os.environ if base is None else base)
        preload = str(library if library is not None else find_libfaketime(environ))
        if environ.get("LD_PRELOAD"):
            preload = f"{preload}:{environ['LD_PRELOAD']}"
        environ.update({"LD_PRELOAD": preload, "FAKETIME": self.spec, "FAKETIME_FMT": "%s", "FAKETIME_DONT_RESET": "1"})
        return environ


def accelerate(clock: ManualClock, start: datetime, speed: float) -> FakeTime:
    """Set `clock` to `start` (whole seconds) and follow the wall `speed` times as fast from now on.

    Spawn the poller with `FakeTime.environment()` right after this returns: its clock starts at `start` as its
    process starts, the emulator's started at `start` just before.
    """
    fake = FakeTime(require_aware(start).replace(microsecond=0), speed)
    clock.set(fake.start, allow_backwards=True)
    clock.follow_wall(speed=speed)
    return fake
