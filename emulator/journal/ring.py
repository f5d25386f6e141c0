"""The request journal: a bounded ring of what the emulated APIs were asked and answered."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from cwmock.core.timestamps import iso_z
from cwmock.emulator.model.versions import Moment

if TYPE_CHECKING:
    from cwmock.emulator.journal.subjects import SubjectLog

DEFAULT_JOURNAL_CAPACITY = 10_000


@dataclass(frozen=True)
class JournalEntry:
    """One request: when (server time + sequence number), what, who, and how it was answered.

    `fault` names the injected fault that shaped the response, if any; `result_end` is True for a list
    response that ended its result (a short or empty page), False for one that did not, None elsewhere.
    """

    moment: Moment
    method: str
    path: str
    query: str
    status: int
    tenant: str | None = None
    instance: int | None = None
    fault: str | None = None
    result_end: bool | None = None
    returned: int | None = None
    answered: datetime | None = None
    """Server time when the response started (after any emulated latency): the instant its `Date` header shows."""

    def to_json(self) -> dict[str, Any]:
        """The `/__admin/journal` form."""
        return {
            "at": iso_z(self.moment.at),
            "seq": self.moment.seq,
            "method": self.method,
            "path": self.path,
            "query": self.query,
            "status": self.status,
            "tenant": self.tenant,
            "instance": self.instance,
            "fault": self.fault,
            "resultEnd": self.result_end,
            "returned": self.returned,
            "answeredAt": None if self.answered is None else iso_z(self.answered),
        }


class Journal:
    """The last `capacity` entries, counting what it had to drop so a reader can tell it is incomplete.

    `subjects`, when given, also keeps every hub request per instance, outside the ring (`SubjectLog`).
    """

    def __init__(self, capacity: int = DEFAULT_JOURNAL_CAPACITY, subjects: SubjectLog | None = None) -> None:
        if capacity < 1:
            raise ValueError(f"the journal needs room for at least one entry, got capacity {capacity}")
        self._entries: deque[JournalEntry] = deque(maxlen=capacity)
        self.dropped = 0
        self.subjects = subjects

    @property
    def capacity(self) -> int:
        """How many entries it keeps."""
        assert self._entries.maxlen is not None
        return self._entries.maxlen

    def append(self, entry: JournalEntry) -> None:
        """Record an entry, dropping the oldest when full."""
        if len(self._entries) == self.capacity:
            self.dropped += 1
        self._entries.append(entry)
        if self.subjects is not None:
            self.subjects.record(entry)

    def entries(self, path: str | None = None) -> list[JournalEntry]:
        """Entries oldest first; `path` keeps those whose path starts with it."""
        return [e for e in self._entries if path is None or e.path.startswith(path)]

    def clear(self) -> None:
        """Forget every entry and the drop count (and the per-instance request log)."""
        self._entries.clear()
        self.dropped = 0
        if self.subjects is not None:
            self.subjects.clear()
