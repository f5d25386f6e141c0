"""One tenant's contacts, kept in id order with an index on the update stamp."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from operator import itemgetter

from sortedcontainers import SortedDict, SortedList

from cwmock.emulator.model.contacts import Record


@dataclass(frozen=True)
class StampBound:
    """A lower bound on the update stamp (epoch seconds): `> at`, or `>= at` when inclusive."""

    at: float
    inclusive: bool = False


class ContactTable:
    """Contacts by id (iterated in id order) plus a sorted (stamp, id) index.

    `updated_after` answers `lastUpdated > X` in O(log n + k) from the index instead of scanning.
    """

    def __init__(self) -> None:
        self._records: SortedDict = SortedDict()
        self._stamps: dict[int, float] = {}
        self._by_stamp: SortedList = SortedList()

    def __len__(self) -> int:
        return len(self._records)

    def __contains__(self, contact_id: object) -> bool:
        return contact_id in self._records

    def get(self, contact_id: int) -> Record | None:
        """The current record, or None."""
        record: Record | None = self._records.get(contact_id)
        return record

    def stamp_of(self, contact_id: int) -> float:
        """The stamp a current record was stored with (epoch seconds, with any fraction it kept)."""
        return self._stamps[contact_id]

    def put(self, contact_id: int, record: Record, stamp: float) -> None:
        """Insert or replace a record stamped `stamp` (epoch seconds)."""
        self.remove(contact_id)
        self._records[contact_id] = record
        self._stamps[contact_id] = stamp
        self._by_stamp.add((stamp, contact_id))

    def remove(self, contact_id: int) -> Record | None:
        """Drop a record; returns what was there."""
        record: Record | None = self._records.pop(contact_id, None)
        if record is not None:
            self._by_stamp.remove((self._stamps.pop(contact_id), contact_id))
        return record

    def clear(self) -> None:
        """Forget every contact."""
        self._records.clear()
        self._stamps.clear()
        self._by_stamp.clear()

    def in_id_order(self) -> Iterator[Record]:
        """Every record, ascending id."""
        records: Iterator[Record] = iter(self._records.values())
        return records

    def updated_after(self, bound: StampBound) -> list[Record]:
        """Records whose stamp satisfies `bound`, ascending id."""
        # (at,) sorts before every (at, id) and (at, +inf) after, so the range starts at or strictly after `at`.
        start = self._by_stamp.bisect_left((bound.at,) if bound.inclusive else (bound.at, float("inf")))
        # Slicing, itemgetter and dict lookups run in C: this is the hot path of every `lastUpdated >` poll.
        ids: list[int] = list(map(_second, self._by_stamp[start:]))
        ids.sort()
        return list(map(self._records.__getitem__, ids))


_second = itemgetter(1)
