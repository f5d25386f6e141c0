"""Which records a window keeps: the exactly-once bounds, and the documented (lossy) `strict` bounds.

Exactly-once (default):
- The first window's lower bound is exactly s₀, the instance's start: no pollDelay, no overlap, no backfill.
- Later windows: the start (server time) of the last window that completed and committed, minus `pollDelay`,
  minus an overlap of at least one second and at least the filter date's precision; never below s₀.
- Kept: filter stamp strictly after the lower bound and after s₀; with `filterByCurrentDate`, at or before this
  window's start. Versions delivered inside the overlap are suppressed by the persisted seen-versions set.

Strict (Open Connectors' documented algorithm, literally; it loses same-second and late-visible changes):
- The template gets the last poll time minus `pollDelay`; kept are records strictly after the last poll time;
  there is no de-duplication.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from cwmock.core.instance.resources import ResourcePoller
from cwmock.poller.classification import FoundVersion

DEFAULT_OVERLAP = timedelta(seconds=1)


@dataclass(frozen=True)
class WindowBounds:
    """What one window asks the hub for and which stamps it keeps."""

    query_from: datetime
    lower: datetime
    upper: datetime | None
    deduplicate: bool

    def keeps(self, version: FoundVersion) -> bool:
        """Strictly after the lower bound, and at or before the upper bound when there is one."""
        return version.stamp > self.lower and (self.upper is None or version.stamp <= self.upper)

    def ending_at(self, poll_date: datetime) -> WindowBounds:
        """The same bounds for a window starting at `poll_date`: only the upper bound, when there is one, moves."""
        return self if self.upper is None else replace(self, upper=poll_date)


def effective_overlap(resource: ResourcePoller, overlap: timedelta) -> timedelta:
    """The configured overlap, raised to the filter date's precision (a minute-precision stamp needs 60 s)."""
    field = resource.filter_field
    precision = field.formatter().resolution() if field is not None else timedelta(0)
    return max(overlap, precision, DEFAULT_OVERLAP)


def window_bounds(
    resource: ResourcePoller,
    *,
    start: datetime,
    last_poll: datetime | None,
    poll_date: datetime,
    strict: bool = False,
    overlap: timedelta = DEFAULT_OVERLAP,
) -> WindowBounds:
    """The bounds of a window starting at `poll_date` (server time) after `last_poll` (None = first window)."""
    upper = poll_date if resource.filter_by_current_date else None
    if strict:
        previous = start if last_poll is None else last_poll
        return WindowBounds(previous - resource.poll_delay, previous, upper, deduplicate=False)
    if last_poll is None:
        return WindowBounds(start, start, upper, deduplicate=True)
    lower = max(start, last_poll - resource.poll_delay - effective_overlap(resource, overlap))
    return WindowBounds(lower, lower, upper, deduplicate=True)
