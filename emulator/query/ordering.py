"""`orderBy` (`lastName asc, id desc`): parsing and a stable sort like SQL Server's.

Nulls sort first ascending and last descending; strings compare case-insensitively. Field paths may be
written with `/` or `.`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from cwmock.emulator.query.errors import QueryError
from cwmock.emulator.query.field_catalog import CONTACT_SCHEMA, FieldNode, Kind, parse_path, resolve_field, split_list
from cwmock.emulator.query.predicates import Path, Record, reader

_DIRECTIONS = {"asc": False, "desc": True}


@dataclass(frozen=True)
class OrderKey:
    """One sort key: a scalar field and its direction."""

    path: Path
    kind: Kind
    descending: bool = False


def parse_order_by(text: str, schema: FieldNode = CONTACT_SCHEMA) -> list[OrderKey]:
    """Parse `orderBy` (`field [asc|desc]`, comma-separated); blank gives no keys. Raises only QueryError."""
    if not text.strip():
        return []
    keys = []
    for item, offset in split_list(text):
        if not item:
            raise QueryError("empty sort key; write orderBy like 'lastName asc, id desc'", "", offset)
        words = item.split()
        if len(words) > 2:
            extra = item.index(words[2], len(words[0]))
            raise QueryError("expected one field and asc or desc", words[2], offset + extra)
        field = resolve_field(parse_path(words[0], offset), words[0], offset, schema=schema)
        if not field.kind.scalar or field.collection_depth:
            raise QueryError(f"cannot sort by '{'/'.join(field.path)}': it is not a single value", words[0], offset)
        descending = False
        if len(words) == 2:
            direction = _DIRECTIONS.get(words[1].lower())
            if direction is None:
                at = offset + item.index(words[1], len(words[0]))
                raise QueryError("sort direction must be asc or desc", words[1], at)
            descending = direction
        keys.append(OrderKey(field.path, field.kind, descending))
    return keys


SortedRecord = TypeVar("SortedRecord", bound=Record)


def sort_records(records: Iterable[SortedRecord], keys: list[OrderKey]) -> list[SortedRecord]:
    """The records sorted by `keys` (stable: ties keep their incoming order)."""
    result = list(records)
    for key in reversed(keys):
        read = reader(key.path, key.kind)

        def sort_key(record: SortedRecord, read: Any = read) -> tuple[int, Any]:
            value = read(record)
            return (0, 0) if value is None else (1, value)

        result.sort(key=sort_key, reverse=key.descending)
    return result
