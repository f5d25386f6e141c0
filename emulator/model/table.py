"""One tenant's contacts, kept in id order with an index on the update stamp."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import compress

from sortedcontainers import SortedDict, SortedKeyList

from cwmock.emulator.model.contacts import Record


@dataclass(frozen=True)
class StampBound:
    """A lower bound on the update stamp (epoch seconds): `> at`, or `>= at` when inclusive."""

    at: float
    inclusive: bool = False


class ContactTable:
    """Contacts by id (iterated in id order) plus a sorted (stamp, id) index.

    `updated_after` answers `lastUpdated > X` in O(log n + k) from the index instead of scanning; the query planner
    (cwmock.emulator.query.planner) combines the count, the index range and the id-order scan below.
    """

    MAX_SORTED_BOUNDS = 8

    def __init__(self) -> None:
        self._records: SortedDict = SortedDict()
        self._stamps: dict[int, float] = {}
        # Ids ordered by (stamp, id): a key list keeps the ids apart from the keys, so a range of the index is a
        # list of ids at once (slicing in C), not (stamp, id) pairs to take apart one by one.
        self._by_stamp: SortedKeyList = SortedKeyList(key=self._index_key)
        # Bounds asked for since the table last changed: None once (noted), then their matching ids in id order.
        self._sorted_by_bound: dict[StampBound, list[int] | None] = {}

    def _index_key(self, contact_id: int) -> tuple[float, int]:
        return self._stamps[contact_id], contact_id

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
        if self._sorted_by_bound:
            self._sorted_by_bound.clear()
        self._records[contact_id] = record
        self._stamps[contact_id] = stamp
        self._by_stamp.add(contact_id)

    def remove(self, contact_id: int) -> Record | None:
        """Drop a record; returns what was there."""
        record: Record | None = self._records.pop(contact_id, None)
        if record is not None:
            self._sorted_by_bound.clear()
            self._by_stamp.remove(contact_id)  # its key reads the stamp, so the stamp goes after it
            del self._stamps[contact_id]
        return record

    def clear(self) -> None:
        """Forget every contact."""
        self._records.clear()
        self._stamps.clear()
        self._by_stamp.clear()
        self._sorted_by_bound.clear()

    def in_id_order(self) -> Iterator[Record]:
        """Every record, ascending id."""
        records: Iterator[Record] = iter(self._records.values())
        return records

    def updated_after(self, bound: StampBound) -> list[Record]:
        """Records whose stamp satisfies `bound`, ascending id."""
        ids = self.ids_updated_after(bound)
        ids.sort()
        return self.records(ids)

    def _stamp_start(self, bound: StampBound) -> int:
        # (at,) sorts before every (at, id) and (at, +inf) after, so the range starts at or strictly after `at`.
        start: int = self._by_stamp.bisect_key_left((bound.at,) if bound.inclusive else (bound.at, float("inf")))
        return start

    def count_updated_after(self, bound: StampBound) -> int:
        """How many records satisfy `bound`, in O(log n)."""
        return len(self._by_stamp) - self._stamp_start(bound)

    def ids_updated_after(self, bound: StampBound) -> list[int]:
        """Ids of the records satisfying `bound`, in stamp order (not id order), from the index in O(log n + k)."""
        # Slicing runs in C: this is the hot path of every `lastUpdated >` poll.
        ids: list[int] = self._by_stamp[self._stamp_start(bound) :]
        return ids

    def sorted_ids_updated_after(self, bound: StampBound) -> list[int] | None:
        """`ids_updated_after(bound)` in id order, kept until the table next changes; None on the first ask of a bound
        since then (the ask is noted: one page alone is cheaper by partial selection than by sorting every match).

        A page walk of one query (pages 2..N, or a keyset walk) then costs its page, not its matches. The caller must
        not change the list. At most `MAX_SORTED_BOUNDS` bounds are kept, the oldest going first.
        """
        cache = self._sorted_by_bound
        if bound not in cache:
            if len(cache) >= self.MAX_SORTED_BOUNDS:
                del cache[next(iter(cache))]
            cache[bound] = None
            return None
        ids = cache[bound]
        if ids is None:
            ids = self.ids_updated_after(bound)
            ids.sort()
            cache[bound] = ids
        return ids

    def count_after(self, after_id: int | None) -> int:
        """How many records have an id above `after_id` (all of them for None), in O(log n)."""
        return len(self._records) if after_id is None else len(self._records) - self._records.bisect_right(after_id)

    def ids_at(self, after_id: int | None, start: int, stop: int) -> list[int]:
        """Ids at positions `start`..`stop` (exclusive) of the id-ordered ids above `after_id`, in O(log n + k)."""
        first = 0 if after_id is None else self._records.bisect_right(after_id)
        ids: list[int] = self._records.keys()[first + start : first + stop]
        return ids

    def scan_ids(self, after_id: int | None, bound: StampBound | None) -> Iterator[int]:
        """Ids above `after_id` in ascending order, only those satisfying `bound` when given: a lazy scan that
        reads no further than its consumer does."""
        if bound is None:
            return self._ids_from(after_id)
        stamps = map(self._stamps.__getitem__, self._ids_from(after_id))
        # at < stamp (or at <= stamp) through the float's own comparison: map and compress keep the loop in C.
        satisfied = map(bound.at.__le__ if bound.inclusive else bound.at.__lt__, stamps)
        return compress(self._ids_from(after_id), satisfied)

    def _ids_from(self, after_id: int | None) -> Iterator[int]:
        if after_id is None:
            return iter(self._records.keys())
        ids: Iterator[int] = self._records.irange(after_id, inclusive=(False, True))
        return ids

    def records(self, ids: Iterable[int]) -> list[Record]:
        """The records of `ids` (each present), in the order given."""
        return list(map(self._records.__getitem__, ids))

    def iter_records(self, ids: Iterable[int]) -> Iterator[Record]:
        """`records`, lazily."""
        return map(self._records.__getitem__, ids)
