"""A linear time axis: instants to x positions, and ticks at round steps a reader can count."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from cwmock.core.timestamps import UTC

# Tick steps a person reads at a glance, smallest first.
STEPS = tuple(
    timedelta(seconds=s)
    for s in (1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 172800, 604800)
)


@dataclass(frozen=True)
class TimeScale:
    """Maps [begin, end] onto [left, right] pixels."""

    begin: datetime
    end: datetime
    left: float
    right: float

    def __post_init__(self) -> None:
        if self.end <= self.begin:
            raise ValueError(f"a time axis needs end > begin, got {self.begin.isoformat()} .. {self.end.isoformat()}")

    def x(self, instant: datetime) -> float:
        """The x position of `instant` (outside the axis when the instant is)."""
        share = (instant - self.begin) / (self.end - self.begin)
        return round(self.left + share * (self.right - self.left), 1)

    def ticks(self, most: int = 10) -> list[datetime]:
        """Round instants inside the axis, at the smallest step that gives at most `most` of them."""
        span = self.end - self.begin
        step = next((s for s in STEPS if span / s <= most), STEPS[-1])
        while span / step > most:
            step *= 2
        seconds = int(step.total_seconds())
        epoch = int(self.begin.timestamp())
        first = datetime.fromtimestamp(epoch - epoch % seconds, tz=UTC)
        if first < self.begin:
            first += step
        ticks = []
        tick = first
        while tick <= self.end:
            ticks.append(tick)
            tick += step
        return ticks


def tick_label(instant: datetime, previous: datetime | None) -> str:
    """`HH:MM:SS` in UTC, with the date in front when the day changed since the previous tick."""
    utc = instant.astimezone(UTC)
    time = utc.strftime("%H:%M:%S")
    if previous is not None and previous.astimezone(UTC).date() != utc.date():
        return utc.strftime("%Y-%m-%d ") + time
    return time
