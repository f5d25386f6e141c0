"""Version history: every write of a contact, when it became visible, and when it stopped being current.

The oracle's first input. A *write* is one accepted mutation; a *version* is (id, stamp) — consecutive writes
that keep the same stamp extend one version (`VersionHistory.versions` groups them).
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from cwmock.core.timestamps import iso_z
from cwmock.emulator.model.contacts import Record


@dataclass(frozen=True, slots=True)
class Moment:
    """An instant in server time plus the global sequence number that orders events within it."""

    at: datetime
    seq: int

    def to_json(self) -> dict[str, Any]:
        """`{"at": ISO, "seq": n}`, as the admin API writes a moment."""
        return {"at": iso_z(self.at), "seq": self.seq}


@dataclass(slots=True)
class Write:
    """One accepted write of one contact (`record` is None for a delete)."""

    tenant: str
    id: int
    stamp: datetime | None
    record: Record | None
    written: Moment
    visible_from: datetime
    became_visible: Moment | None = None
    superseded: Moment | None = None

    @property
    def is_delete(self) -> bool:
        """True for a delete."""
        return self.record is None


@dataclass(frozen=True)
class Version:
    """A contact version (id, stamp): visible from one moment until superseded or deleted."""

    tenant: str
    id: int
    stamp: datetime
    record: Record
    written: Moment
    visible_from: datetime
    became_visible: Moment | None
    superseded: Moment | None
    deleted: Moment | None
    writes: int

    def to_json(self) -> dict[str, Any]:
        """The `/__admin/history` form."""
        return {
            "tenant": self.tenant,
            "id": self.id,
            "stamp": iso_z(self.stamp),
            "written": moment_json(self.written),
            "visibleFrom": iso_z(self.visible_from),
            "becameVisible": moment_json(self.became_visible),
            "supersededAt": moment_json(self.superseded),
            "deletedAt": moment_json(self.deleted),
            "writes": self.writes,
        }


def moment_json(moment: Moment | None) -> dict[str, Any] | None:
    """A moment's JSON, or None."""
    return None if moment is None else moment.to_json()


@dataclass
class VersionHistory:
    """All writes of one tenant, in write order, with the queue of writes not yet visible."""

    writes: list[Write] = field(default_factory=list)
    by_id: dict[int, list[Write]] = field(default_factory=dict)
    _pending: list[tuple[datetime, int, Write]] = field(default_factory=list)

    def record(self, write: Write) -> None:
        """Append a write; it waits in the pending queue until `visible_from`.

        Writes of one contact become visible in write order (a later write cannot commit before an earlier
        one of the same row), so `visible_from` is raised to the previous write's when needed.
        """
        previous = self.latest(write.id)
        if previous is not None and previous.visible_from > write.visible_from:
            write.visible_from = previous.visible_from
        self.writes.append(write)
        self.by_id.setdefault(write.id, []).append(write)
        heapq.heappush(self._pending, (write.visible_from, write.written.seq, write))

    def restore(self, write: Write) -> None:
        """Put back a write from a snapshot: visible ones as they were, the rest into the pending queue."""
        self.writes.append(write)
        self.by_id.setdefault(write.id, []).append(write)
        if write.became_visible is None:
            heapq.heappush(self._pending, (write.visible_from, write.written.seq, write))

    def latest(self, contact_id: int) -> Write | None:
        """The last write of a contact, visible or not (what the next write builds on)."""
        writes = self.by_id.get(contact_id)
        return writes[-1] if writes else None

    def next_visibility(self) -> datetime | None:
        """When the earliest pending write becomes visible."""
        return self._pending[0][0] if self._pending else None

    def due(self, now: datetime) -> Iterator[Write]:
        """Pop the pending writes visible at `now`, in (visible_from, write order)."""
        while self._pending and self._pending[0][0] <= now:
            yield heapq.heappop(self._pending)[2]

    def pending(self) -> list[Write]:
        """Writes not yet visible, in the order they will apply."""
        return [entry[2] for entry in sorted(self._pending, key=lambda e: (e[0], e[1]))]

    def last_visible(self, contact_id: int) -> Write | None:
        """The last write of a contact that has become visible."""
        for write in reversed(self.by_id.get(contact_id, [])):
            if write.became_visible is not None:
                return write
        return None

    def clear(self) -> None:
        """Forget everything."""
        self.writes.clear()
        self.by_id.clear()
        self._pending.clear()

    def versions(self) -> list[Version]:
        """Writes grouped into versions: a write that keeps its contact's stamp extends the version."""
        result: list[Version] = []
        for writes in self.by_id.values():
            result.extend(_group(writes))
        result.sort(key=lambda v: (v.written.seq, v.id))
        return result


def _group(writes: list[Write]) -> list[Version]:
    versions: list[Version] = []
    current: list[Write] = []

    def close(deleted: Moment | None) -> None:
        if not current:
            return
        first, last = current[0], current[-1]
        assert first.stamp is not None, "only non-delete writes form versions"
        assert last.record is not None, "only non-delete writes form versions"
        versions.append(
            Version(
                tenant=first.tenant,
                id=first.id,
                stamp=first.stamp,
                record=last.record,
                written=first.written,
                visible_from=first.visible_from,
                became_visible=first.became_visible,
                superseded=None if deleted is not None else last.superseded,
                deleted=deleted,
                writes=len(current),
            )
        )
        current.clear()

    for write in writes:
        if write.is_delete:
            close(write.became_visible)
        elif current and current[-1].stamp == write.stamp:
            current.append(write)
        else:
            close(None)
            current.append(write)
    close(None)
    return versions
