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


class Write:
    """One accepted write of one contact (`record` is None for a delete).

    A million contacts mean a million writes, so a write keeps its moments' parts in its own slots and hands out
    `Moment`s when asked (equal to the ones it was given), rather than holding two more objects each.
    """

    __slots__ = ("_became_at", "_became_seq", "_written_at", "_written_seq", "id", "record", "stamp", "superseded",
                 "tenant", "visible_from")  # fmt: skip
    _written_at: datetime
    _written_seq: int
    _became_at: datetime | None
    _became_seq: int

    def __init__(
        self,
        tenant: str,
        id: int,
        stamp: datetime | None,
        record: Record | None,
        written: Moment,
        visible_from: datetime,
        became_visible: Moment | None = None,
        superseded: Moment | None = None,
    ) -> None:
        self.tenant = tenant
        self.id = id
        self.stamp = stamp
        self.record = record
        self.visible_from = visible_from
        self.written = written
        self.became_visible = became_visible
        self.superseded = superseded

    @property
    def written(self) -> Moment:
        """When the write was accepted."""
        return Moment(self._written_at, self._written_seq)

    @written.setter
    def written(self, moment: Moment) -> None:
        self._written_at = moment.at
        self._written_seq = moment.seq

    @property
    def written_seq(self) -> int:
        """The sequence number of `written`, without building the moment."""
        return self._written_seq

    @property
    def became_visible(self) -> Moment | None:
        """When the write became visible to reads (None while pending)."""
        return None if self._became_at is None else Moment(self._became_at, self._became_seq)

    @became_visible.setter
    def became_visible(self, moment: Moment | None) -> None:
        self._became_at = None if moment is None else moment.at
        self._became_seq = 0 if moment is None else moment.seq

    @property
    def is_visible(self) -> bool:
        """True once the write became visible."""
        return self._became_at is not None

    @property
    def is_delete(self) -> bool:
        """True for a delete."""
        return self.record is None

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Write):
            return NotImplemented
        return self._fields() == other._fields()

    __hash__ = None  # type: ignore[assignment]  # mutable, compared by value

    def _fields(self) -> tuple[object, ...]:
        return (self.tenant, self.id, self.stamp, self.record, self.written, self.visible_from, self.became_visible,
                self.superseded)  # fmt: skip

    def __repr__(self) -> str:
        return (f"Write(tenant={self.tenant!r}, id={self.id!r}, stamp={self.stamp!r}, record={self.record!r}, "
                f"written={self.written!r}, visible_from={self.visible_from!r}, "
                f"became_visible={self.became_visible!r}, superseded={self.superseded!r})")  # fmt: skip


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
        heapq.heappush(self._pending, (write.visible_from, write.written_seq, write))

    def restore(self, write: Write) -> None:
        """Put back a write from a snapshot: visible ones as they were, the rest into the pending queue."""
        self.writes.append(write)
        self.by_id.setdefault(write.id, []).append(write)
        if write.became_visible is None:
            heapq.heappush(self._pending, (write.visible_from, write.written_seq, write))

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
            if write.is_visible:
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
