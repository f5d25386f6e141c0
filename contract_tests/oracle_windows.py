"""Windows (clean? complete?) from the journal, and which versions a clean window made required."""

from __future__ import annotations

import enum
import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from .oracle_config import InstanceFacts
from .oracle_inputs import HistoryVersion, JournalLog, JournalRecord, Window, format_second


class Reading(enum.Enum):
    """How to read a window whose journal entries were dropped: the fewest or the most required versions."""

    DEFINITE = "definite"
    """Unknown windows count as faulted and complete: what is required whatever the dropped entries said."""
    POSSIBLE = "possible"
    """Unknown windows count as clean and incomplete: what might have been required."""


@dataclass(frozen=True)
class WindowStatus:
    """A window with what the journal says of it; `clean`/`complete` are None when dropped entries hide it."""

    window: Window
    clean: bool | None
    complete: bool | None
    requests: int
    faults: tuple[str, ...] = ()

    @property
    def index(self) -> int:
        """The window's index k."""
        return self.window.index

    def is_clean(self, reading: Reading) -> bool:
        """Clean, reading an unknown status as `reading` says."""
        return self.clean if self.clean is not None else reading is Reading.POSSIBLE

    def is_complete(self, reading: Reading) -> bool:
        """Complete, reading an unknown status as `reading` says."""
        return self.complete if self.complete is not None else reading is Reading.DEFINITE

    @property
    def known(self) -> bool:
        """True when both clean and complete are known."""
        return self.clean is not None and self.complete is not None

    def describe(self) -> str:
        """E.g. `window 3 (clean, complete, starts 00:30:00Z)`."""
        clean = {True: "clean", False: "faulted", None: "clean unknown"}[self.clean]
        complete = {True: "complete", False: "incomplete", None: "complete unknown"}[self.complete]
        return f"window {self.index} ({clean}, {complete}, starts {format_second(self.window.start)})"


def _describe_fault(entry: JournalRecord) -> str:
    cause = f"fault {entry.fault!r}" if entry.fault is not None else f"status {entry.status}"
    return f"seq {entry.moment.seq} {entry.method} {entry.path} -> {entry.status} ({cause})"


def window_statuses(windows: Sequence[Window], journal: JournalLog, instance_id: int) -> list[WindowStatus]:
    """Each window's status from this instance's hub requests with begin_seq < seq ≤ end_seq.

    A window in which the poller crashed is not clean, whatever its responses: a crash is a fault the suite caused,
    and a version seen only by a window that died before committing could not have been delivered.

    When the ring dropped entries (`dropped` > 0) and the oldest kept one is later than the window's first
    possible seq, entries of the window may be lost: what the kept ones prove stays (a fault makes it faulted, a
    result end makes it complete); the rest is unknown.
    """
    oldest = journal.entries[0].moment.seq if journal.entries else None
    mine = [e for e in journal.entries if e.instance == instance_id]
    statuses = []
    for window in windows:
        entries = [e for e in mine if window.holds(e.moment.seq)]
        lossy = journal.dropped > 0 and (oldest is None or oldest > window.begin_seq + 1)
        faults = tuple(_describe_fault(e) for e in entries if e.faulted)
        if window.crashed:
            faults = ("the poller crashed in this window", *faults)
        ended = any(e.result_end for e in entries)
        clean: bool | None = False if faults else (None if lossy else True)
        complete: bool | None = True if ended else (None if lossy else False)
        statuses.append(WindowStatus(window, clean, complete, len(entries), faults))
    return statuses


def check_windows(windows: Sequence[Window]) -> None:
    """Refuse windows a harness could get wrong: duplicate indexes, or not in order of sequence and start."""
    indexes = [w.index for w in windows]
    if len(set(indexes)) != len(indexes):
        raise ValueError(f"window indexes must be distinct, got {indexes}")
    for earlier, later in itertools.pairwise(windows):
        if later.begin_seq < earlier.end_seq or later.start < earlier.start:
            raise ValueError(
                f"windows must be given in the order they ran: window {later.index} (begin_seq {later.begin_seq}, "
                f"start {later.start.isoformat()}) comes after window {earlier.index} (end_seq {earlier.end_seq}, "
                f"start {earlier.start.isoformat()})"
            )


def visible_throughout(version: HistoryVersion, window: Window) -> bool:
    """Visible when the window began (became visible at seq ≤ begin_seq) and still visible when it ended."""
    became, ended = version.became_visible, version.ended
    return became is not None and became.seq <= window.begin_seq and (ended is None or ended.seq > window.end_seq)


@dataclass(frozen=True)
class Requirement:
    """Why a version was required: the clean window k it was visible throughout and the bound it met."""

    version: HistoryVersion
    window: WindowStatus
    previous: WindowStatus | None
    lower_bound: datetime


def requirement(
    version: HistoryVersion, statuses: Sequence[WindowStatus], facts: InstanceFacts, reading: Reading
) -> Requirement | None:
    """The first clean window that makes `version` required, or None (DESIGN.md "Required")."""
    stamp = version.key.stamp
    if stamp <= facts.created:
        return None
    previous: WindowStatus | None = None
    for status in statuses:
        lower = facts.created if previous is None else previous.window.s - timedelta(seconds=facts.poll_delay)
        if (
            status.is_clean(reading)
            and visible_throughout(version, status.window)
            and stamp >= lower
            and not (facts.filter_by_current_date and stamp > status.window.s)
        ):
            return Requirement(version, status, previous, lower)
        if status.is_complete(reading):
            previous = status
    return None


def window_holding(statuses: Sequence[WindowStatus], seq: int) -> WindowStatus | None:
    """The window that ran when `seq` was handed out, if any."""
    return next((s for s in statuses if s.window.holds(seq)), None)
