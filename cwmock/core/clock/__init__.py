"""Emulated time: the manual clock, the scheduler of who waits for which instant, and the one wall-clock reader."""

from cwmock.core.clock.errors import ClockArgumentError, ClockBusyError, ClockError, QuiesceTimeoutError, require_aware
from cwmock.core.clock.faketime import FakeTime, FaketimeMissing, accelerate, find_libfaketime
from cwmock.core.clock.manual import AdvanceResult, ClockObserver, ClockStatus, ManualClock
from cwmock.core.clock.scheduler import DeadlineHandle, Follower
from cwmock.core.clock.wall import Clock, SystemClock

__all__ = [
    "AdvanceResult",
    "Clock",
    "ClockArgumentError",
    "ClockBusyError",
    "ClockError",
    "ClockObserver",
    "ClockStatus",
    "DeadlineHandle",
    "FakeTime",
    "FaketimeMissing",
    "Follower",
    "ManualClock",
    "QuiesceTimeoutError",
    "SystemClock",
    "accelerate",
    "find_libfaketime",
    "require_aware",
]
