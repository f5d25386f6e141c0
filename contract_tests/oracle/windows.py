"""Windows (clean? complete?) from the journal, and which versions a clean window made required."""

from __future__ import annotations

import bisect
import enum
import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from cwmock.contract_tests.oracle.config import InstanceFacts
from cwmock.contract_tests.oracle.inputs import HistoryVersion, JournalLog, JournalRecord, Window, format_second
from cwmock.emulator.model.versions import Moment


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
    hub_clean: bool | None = None
    """No hub response of the window was faulted (`clean` also needs the poller not to have crashed)."""
    last_request: datetime | None = None
    """When the window's last kept hub response started: no record can have been served in it later."""

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

    def served_whole(self, reading: Reading) -> bool:
        """The poller crashed in this window, but only after a response ended the result, none of them faulted: it
        was served every version visible throughout (docs/design.md#required-versions, clause 2)."""
        if self.window.crash is None:
            return False
        if self.hub_clean is None or self.complete is None:
            return reading is Reading.POSSIBLE and self.hub_clean is not False and self.complete is not False
        return self.hub_clean and self.complete

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


# cwmock policy, beyond the platform (docs/contract-suite/oracle.md#strict-drift): a page answered whole, after
# which the data changed before the next page, does not make a window unclean for a poller that claims drift safety.
DRIFT_FAULT = "mutate_between_pages"


def _drift_only(entry: JournalRecord) -> bool:
    return entry.status == 200 and entry.fault is not None and set(entry.fault.split(",")) == {DRIFT_FAULT}


def window_statuses(
    windows: Sequence[Window], journal: JournalLog, instance_id: int, *, strict_drift: bool = False
) -> list[WindowStatus]:
    """Each window's status from this instance's hub requests with begin_seq < seq ≤ end_seq.

    With `strict_drift` (asked for by a poller that claims it), a request faulted only by a change between pages is
    clean: records present throughout such a window are required of it.

    A window in which the poller crashed is not clean, whatever its responses: a version seen only by a window that
    died before committing could not have been delivered. (Whether the crash is also a finding is liveness's
    question: docs/design.md#liveness.)

    When the ring dropped entries (`dropped` > 0) and the oldest kept one is later than the window's first
    possible seq, entries of the window may be lost: what the kept ones prove stays (a fault makes it faulted, a
    result end makes it complete); the rest is unknown.
    """
    oldest = journal.entries[0].moment.seq if journal.entries else None
    ends = [w.end_seq for w in windows]
    held: list[list[JournalRecord]] = [[] for _ in windows]
    for entry in journal.entries:
        if entry.instance == instance_id and (at := _holding(windows, ends, entry.moment.seq)) is not None:
            held[at].append(entry)
    statuses = []
    for window, entries in zip(windows, held, strict=True):
        lossy = journal.dropped > 0 and (oldest is None or oldest > window.begin_seq + 1)
        hub_faults = tuple(_describe_fault(e) for e in entries if e.faulted and not (strict_drift and _drift_only(e)))
        faults = hub_faults if window.crash is None else (window.crash.describe(), *hub_faults)
        ended = any(e.result_end for e in entries)
        hub_clean: bool | None = False if hub_faults else (None if lossy else True)
        clean = False if faults else hub_clean
        complete: bool | None = True if ended else (None if lossy else False)
        last = max((e.answered_at for e in entries), default=None)
        statuses.append(WindowStatus(window, clean, complete, len(entries), faults, hub_clean, last))
    return statuses


def _holding(windows: Sequence[Window], ends: Sequence[int], seq: int) -> int | None:
    """The index of the window holding `seq`: windows (as `check_windows` admits them) hold disjoint seq ranges
    in order, so only the first one ending at or after `seq` can."""
    at = bisect.bisect_left(ends, seq)
    return at if at < len(windows) and windows[at].holds(seq) else None


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


@dataclass(frozen=True)
class Requirement:
    """Why a version was required: the window k it was visible throughout and the bound it met; `retried` is the
    clean window after k when k is a window the poller crashed in after being served the whole result."""

    version: HistoryVersion
    window: WindowStatus
    previous: WindowStatus | None
    lower_bound: datetime
    retried: WindowStatus | None = None


class WindowTimeline:
    """The window statuses in the order they ran, indexed for the oracle's per-version questions.

    `check_windows` admits only windows in order whose seq ranges do not overlap, so begin and end seqs never
    decrease: which windows a version was visible throughout, and which window holds a seq, are binary searches.
    """

    def __init__(self, statuses: Sequence[WindowStatus]) -> None:
        self.statuses = list(statuses)
        self._windows = [s.window for s in self.statuses]
        self._begins = [w.begin_seq for w in self._windows]
        self._ends = [w.end_seq for w in self._windows]
        self._starts = [w.s for w in self._windows]
        self._previous: dict[Reading, list[int | None]] = {}

    def previous_complete(self, reading: Reading) -> list[int | None]:
        """For each window, the index of the last complete window before it (None: there is none)."""
        if reading not in self._previous:
            found: list[int | None] = []
            last: int | None = None
            for at, status in enumerate(self.statuses):
                found.append(last)
                if status.is_complete(reading):
                    last = at
            self._previous[reading] = found
        return self._previous[reading]

    def requirement(self, version: HistoryVersion, facts: InstanceFacts, reading: Reading) -> Requirement | None:
        """The first clean window that makes `version` required, or None (docs/design.md#required-versions)."""
        stamp = version.key.stamp
        became, ended = version.became_visible, version.ended
        if stamp <= facts.created or became is None:
            return None
        previous = self.previous_complete(reading)
        poll_delay = timedelta(seconds=facts.poll_delay)
        # Visible throughout window k needs becameVisible ≤ begin_seq (so no earlier window qualifies) and an end
        # after end_seq (so once a window ends at or after it, no later one does).
        for at in range(bisect.bisect_left(self._begins, became.seq), len(self.statuses)):
            if ended is not None and ended.seq <= self._ends[at]:
                return None
            before = previous[at]
            lower = facts.created if before is None else self._starts[before] - poll_delay
            status = self.statuses[at]
            if stamp < lower or (facts.filter_by_current_date and stamp > self._starts[at]):
                continue
            earlier = None if before is None else self.statuses[before]
            if status.is_clean(reading):
                return Requirement(version, status, earlier, lower)
            retried = self._retried_after_crash(at, ended, reading)
            if retried is not None:
                return Requirement(version, status, earlier, lower, retried)
        return None

    def _retried_after_crash(self, at: int, ended: Moment | None, reading: Reading) -> WindowStatus | None:
        """The clean window right after window `at`, when the poller crashed in `at` after being served the whole
        result and the version stayed visible throughout that next window too; else None."""
        if at + 1 >= len(self.statuses) or not self.statuses[at].served_whole(reading):
            return None
        following = self.statuses[at + 1]
        if not following.is_clean(reading) or (ended is not None and ended.seq <= self._ends[at + 1]):
            return None
        return following

    def holding(self, seq: int) -> WindowStatus | None:
        """The window that ran when `seq` was handed out, if any."""
        at = _holding(self._windows, self._ends, seq)
        return None if at is None else self.statuses[at]
