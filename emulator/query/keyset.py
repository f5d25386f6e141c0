"""Keyset paging: where the page after a given record starts, in ascending id order or in an `orderBy`'s order."""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from typing import Any

from cwmock.emulator.model.contacts import Record
from cwmock.emulator.query.ordering import OrderKey
from cwmock.emulator.query.predicates import comparable, reader


def keyset_start(records: Sequence[Record], last_id: int) -> int:
    """Where paging by id resumes in `records` (in ascending id order): the index of the first id above `last_id`.

    Forward-only native pages and hub cursor pages both resume here.
    """
    return bisect.bisect_right(records, last_id, key=_record_id)


def ordered_keyset_start(
    records: Sequence[Record], order: list[OrderKey], last_keys: Sequence[Any], last_id: int
) -> int:
    """Where paging resumes in `records` sorted by `order` (ties in ascending id, as `sort_records` leaves them): the
    index of the first record that sorts after the one whose key values were `last_keys` and id `last_id`.

    The last record may since have changed or gone: the position is found by its values, not by the record.
    """
    mark = [_sort_value(comparable(key.kind, raw)) for key, raw in zip(order, last_keys, strict=True)]
    readers = [reader(key.path, key.kind) for key in order]
    for index, record in enumerate(records):
        if _sorts_after(record, readers, order, mark, last_id):
            return index
    return len(records)


def _sort_value(value: Any) -> tuple[int, Any]:
    return (0, 0) if value is None else (1, value)


def _sorts_after(
    record: Record, readers: list[Any], order: list[OrderKey], mark: list[tuple[int, Any]], last_id: int
) -> bool:
    for read, key, marked in zip(readers, order, mark, strict=True):
        value = _sort_value(read(record))
        if value != marked:
            return bool(value < marked) if key.descending else bool(value > marked)
    return _record_id(record) > last_id


def _record_id(record: Record) -> int:
    found: int = record["id"]
    return found
